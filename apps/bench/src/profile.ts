// `pnpm --filter @grpc-calculator/bench run profile [--server unbundled|bundle|baseline|connect-node]
// [--protocol grpc|connect-json|grpc-web|rest-get|rest-post] [--seconds N]`: runs a server under `node --cpu-prof` on the server
// core while h2load loads it 16×16 with unary Calculate calls in that protocol from the other core, then
// prints where the server's CPU went: top functions by self time and self time by package. The unbundled
// build is the default (same code as the bundle, with file names that say which package a function belongs to).
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { cores, pinSelf } from "./cpu-pinning.js";
import { summarize, type CpuProfile, type SelfTime } from "./cpu-profile.js";
import { h2load } from "./h2load.js";
import {
  connectNodeBaseline,
  grpcJsBaseline,
  oursBundle,
  oursUnbundled,
  startServer,
  type ServerSpec,
} from "./servers.js";
import { callOnce, restScenarios, unaryScenarios } from "./unary-scenarios.js";

async function main(): Promise<void> {
  const argv = process.argv.slice(2).filter((arg) => arg !== "--");
  const { values } = parseArgs({
    args: argv,
    options: {
      server: { type: "string", default: "unbundled" },
      protocol: { type: "string", default: "grpc" },
      seconds: { type: "string", default: "8" },
    },
  });
  pinSelf(cores?.load);
  const resultsDir = fileURLToPath(new URL("../.results/", import.meta.url));
  const profileDir = `${resultsDir}cpu-profile`;
  rmSync(profileDir, { recursive: true, force: true });
  mkdirSync(profileDir, { recursive: true });
  const specs = {
    unbundled: oursUnbundled,
    bundle: oursBundle,
    baseline: grpcJsBaseline,
    "connect-node": connectNodeBaseline,
  };
  const make = specs[values.server as keyof typeof specs] as (() => ServerSpec) | undefined;
  if (!make) throw new Error(`--server must be one of ${Object.keys(specs).join(", ")}`);
  const scenarios = [...unaryScenarios, ...restScenarios];
  const scenario = scenarios.find((candidate) => candidate.key === values.protocol);
  if (!scenario) throw new Error(`--protocol must be one of ${scenarios.map((s) => s.key).join(", ")}`);
  const spec = make();
  const server = await startServer(spec, {
    cpus: cores?.server ?? "",
    nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${profileDir}`],
    logFile: `${resultsDir}profile-server.log`,
  });
  try {
    await callOnce(server.port, scenario);
    const load = await h2load({
      port: server.port,
      path: scenario.path,
      headers: scenario.headers,
      body: scenario.body,
      connections: 16,
      streams: 16,
      warmupS: 1,
      durationS: Number(values.seconds),
      cpus: cores?.load,
      workDir: resultsDir,
    });
    process.stdout.write(
      `${spec.label}, ${scenario.label} under h2load 16×16: ${load.reqPerSec.toFixed(0)} req/s (slower than unprofiled)\n`,
    );
  } finally {
    await server.stop(); // SIGTERM: the server drains and exits, and node writes the profile on exit
  }
  const file = readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error(`no .cpuprofile in ${profileDir}: did the server exit cleanly on SIGTERM?`);
  const { functions, packages } = summarize(JSON.parse(readFileSync(`${profileDir}/${file}`, "utf8")) as CpuProfile);
  const line = (t: SelfTime): string =>
    `${(t.share * 100).toFixed(1).padStart(5)}%  ${t.ms.toFixed(0).padStart(6)} ms  ${t.name}`;
  process.stdout.write(
    `\nSelf time by package (${profileDir}/${file}):\n${packages.slice(0, 15).map(line).join("\n")}\n`,
  );
  process.stdout.write(`\nTop functions by self time:\n${functions.slice(0, 30).map(line).join("\n")}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`profile: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
