// `pnpm bench [--quick | --protocols | --handlers] [--bundle FILE] [--against FILE]`: runs the benchmark (on FILE instead
// of the server's built bundle; beside another bundle), prints the tables, writes .results/bench.json (or
// bench-quick.json, bench-protocols.json, bench-handlers.json) and, for a full run, bench.svg.
// `pnpm bench --floor [--rounds N] [--bundle FILE]`: the throughput goals against the node:http2 floor
// (src/floor-rounds.ts), .results/bench-floor.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { cores, pinSelf } from "./cpu-pinning.js";
import { formatFloorReport, judgeDirectPath, judgeRounds, runFloorRounds } from "./floor-rounds.js";
import { describeMachine } from "./machine.js";
import { fullPlan, handlersPlan, protocolsPlan, quickPlan } from "./plan.js";
import { formatReport } from "./report.js";
import { runBench } from "./run-bench.js";
import { renderChart } from "./svg-chart.js";

const benchRoot = fileURLToPath(new URL("..", import.meta.url));

async function main(): Promise<void> {
  // `pnpm bench -- --quick` passes the "--" through; accept both spellings.
  const argv = process.argv.slice(2).filter((arg) => arg !== "--");
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      protocols: { type: "boolean", default: false },
      handlers: { type: "boolean", default: false },
      bundle: { type: "string" },
      against: { type: "string" },
      floor: { type: "boolean", default: false },
      rounds: { type: "string", default: "8" },
    },
  });
  // The bench's own work (probes, bookkeeping) stays on the load core, off the server's.
  pinSelf(cores?.load);
  const resultsDir = `${benchRoot}.results`;
  mkdirSync(resultsDir, { recursive: true });
  if (values.floor) return floor(values.rounds, values.bundle, resultsDir);
  const plans = [values.quick && quickPlan, values.protocols && protocolsPlan, values.handlers && handlersPlan];
  const chosen = plans.filter((plan) => plan !== false);
  if (chosen.length > 1) throw new Error("--quick, --protocols and --handlers are different plans: pick one");
  const plan = chosen[0] ?? fullPlan;
  const results = await runBench({
    plan,
    ...(values.bundle !== undefined && { bundleSource: values.bundle }),
    ...(values.against !== undefined && { againstSource: values.against }),
    command: ["pnpm bench", ...argv].join(" "),
    workDir: `${resultsDir}/work`,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`\n${formatReport(results)}\n`);
  writeFileSync(
    `${resultsDir}/${plan.name === "full" ? "bench" : `bench-${plan.name}`}.json`,
    `${JSON.stringify(results, null, 2)}\n`,
  );
  if (plan.name === "full") writeFileSync(`${benchRoot}bench.svg`, renderChart(results));
}

async function floor(roundsText: string, bundle: string | undefined, resultsDir: string): Promise<void> {
  const rounds = Number(roundsText);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds takes a whole number ≥ 1, not ${roundsText}`);
  const began = new Date();
  const samples = await runFloorRounds({
    rounds,
    ...(bundle !== undefined && { bundleSource: bundle }),
    workDir: `${resultsDir}/work`,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const verdicts = judgeRounds(samples);
  const direct = judgeDirectPath(samples);
  const machine = describeMachine();
  process.stdout.write(
    `\n${formatFloorReport(samples, verdicts, direct)}\nMachine: ${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node}; ` +
      `${began.toISOString()}, took ${((Date.now() - began.getTime()) / 1000).toFixed(0)} s.\n`,
  );
  writeFileSync(
    `${resultsDir}/bench-floor.json`,
    `${JSON.stringify({ startedAt: began.toISOString(), machine, rounds: samples, verdicts, directPath: direct }, null, 2)}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
