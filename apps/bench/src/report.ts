// The run as Markdown tables: printed on stdout and pasted into the README's Performance section.
import type { BenchResults, Target } from "./results.js";
import { describeRouting } from "./routing-check.js";
import { restScenarios, unaryScenarios } from "./unary-scenarios.js";
import { table } from "./markdown-table.js";

const n = (value: number | undefined, digits = 0): string =>
  value === undefined || !Number.isFinite(value)
    ? "n/a"
    : value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (us: number): string => `${n(us / 1000, 3)} ms`;

const verdict = (t: Target): string => (t.met === undefined ? "—" : t.met ? "met" : "**missed**");

export function formatReport(r: BenchResults): string {
  const servers = table(
    [
      "server",
      "req/s (16×16)",
      "CPU/request",
      "p50 (1×1)",
      "p99 (1×1)",
      "max (1×1)",
      "spawn → first answer",
      "idle RSS",
      "peak RSS (16×16)",
    ],
    Object.values(r.servers).map((s) => [
      s.label,
      n(s.throughput),
      `${n(s.cpuUsPerRequest)} µs`,
      ms(s.p50Us),
      ms(s.p99Us),
      ms(s.maxUs),
      `${n(s.firstAnswerMs)} ms`,
      `${n(s.idleRssMb, 1)} MB`,
      `${n(s.peakRssMb, 1)} MB`,
    ]),
  );
  const targets = table(
    ["target (issues 6, 12, 18)", "goal", "measured", ""],
    r.targets.map((t) => [t.name, t.goal, t.measured, verdict(t)]),
  );
  const protocols = protocolTable(r);
  const more: string[] = [];
  if (r.unbundledFirstAnswerMs !== undefined)
    more.push(
      `- spawn → first SERVING answer, unbundled build (dist/esm/main.js): ${n(r.unbundledFirstAnswerMs)} ms (bundle: ${n(r.servers.ours?.firstAnswerMs)} ms)`,
    );
  if (r.nodeLoads) {
    more.push(
      `- Node load generator (own process, 16 connections × 16 calls): SDK \`calculate\` ${n(r.nodeLoads.sdkUnary)} calls/s (${n(r.nodeLoads.sdkUnaryCpuUs)} µs client CPU each), raw grpc-js client ${n(r.nodeLoads.rawUnary)} calls/s (${n(r.nodeLoads.rawUnaryCpuUs)} µs)`,
      `- one stream: SDK \`calculateMany\` ${n(r.nodeLoads.sdkStream)} ops/s, raw grpc-js \`calculateStream\` ${n(r.nodeLoads.rawStream)} ops/s; h2load CalculateStream (16×16 calls of 100 operations) ${n(r.streamOpsPerSec)} ops/s`,
    );
  } else if (r.streamOpsPerSec !== undefined) {
    more.push(`- h2load CalculateStream (16×16 calls of 100 operations): ${n(r.streamOpsPerSec)} ops/s`);
  }
  if (r.workers) {
    more.push(
      `- WORKERS=2 vs 1 (server and h2load sharing both cores): ${n(r.workers.two)} vs ${n(r.workers.one)} req/s with ${r.workers.connections} connections × ${r.workers.streams} streams; ` +
        `${n(r.workers.twoSingle)} vs ${n(r.workers.oneSingle)} req/s with 1 connection × ${r.workers.streams} streams (node:cluster hands each new connection to a worker in turn; a connection's calls all stay on its worker)`,
    );
  }
  for (const [key, first] of Object.entries(r.firstWebCall ?? {}))
    more.push(
      `- first Connect JSON call after start, ${r.servers[key]?.label ?? key}: ${n(first.firstMs, 1)} ms (server CPU ${n(first.firstCpuMs, 1)} ms), the second ${n(first.secondMs, 1)} ms (${n(first.secondCpuMs, 1)} ms) (each on a new connection, right after the first ready answer); RSS ${n(first.rssBeforeMb, 1)} → ${n(first.rssAfterMb, 1)} MB`,
    );
  if (r.startComparison) {
    const { runs, against } = r.startComparison;
    const list = (values: number[]): string => values.map((v) => n(v)).join(", ");
    more.push(
      `- spawn → first answer in start-only pairs (${runs.oursMs.length} each), wall [CPU] ms: ours ${n(r.startComparison.oursMs)} [${n(r.startComparison.oursCpuMs)}] (${list(runs.oursMs)} [${list(runs.oursCpuMs)}]), ` +
        `${against} ${n(r.startComparison.againstMs)} [${n(r.startComparison.againstCpuMs)}] (${list(runs.againstMs)} [${list(runs.againstCpuMs)}])`,
    );
  }
  if (r.handlerPair) {
    const { sync, async, roundCpuRatios } = r.handlerPair;
    more.push(
      `- the engine alone (servers/engine-calculator.ts, bundled, production NODE_OPTIONS), gRPC unary 16×16, both servers running and loaded in turn over ${roundCpuRatios.length} rounds: ` +
        `sync \`calculate\` ${n(sync.throughput)} req/s (${n(sync.cpuUsPerRequest, 1)} µs CPU each), async (one \`await\`) ${n(async.throughput)} req/s (${n(async.cpuUsPerRequest, 1)} µs); ` +
        `async ÷ sync CPU per call by round: ${roundCpuRatios.map((value) => `${n(value, 2)}×`).join(", ")}`,
    );
  }
  if (r.routing) more.push(`- routing (ours, LOG_LEVEL=debug, one call per protocol): ${describeRouting(r.routing)}`);
  if (r.image)
    more.push(
      `- image (from the e2e report): ${Object.entries(r.image.fields)
        .map(([k, v]) => `${k} ${n(v, 1)}`)
        .join(", ")}`,
    );
  else more.push("- image size: no e2e report (apps/e2e/.results/report.json) on this run");
  for (const note of r.notes) more.push(`- note: ${note}`);
  const m = r.machine;
  return [
    servers,
    "",
    ...(protocols === undefined ? [] : [protocols, ""]),
    targets,
    "",
    ...more,
    "",
    `Machine: ${m.cores} cores, ${m.cpuModel}, Node ${m.node}, ${m.h2load}, Linux ${m.kernel}; ${r.pinning}. ` +
      `Plan: ${r.plan} (medians of 3 interleaved repetitions), ${r.startedAt}, took ${n(r.durationS)} s. Command: \`${r.command}\``,
  ].join("\n");
}

/** Unary Calculate 16×16 per protocol, ours against the connect-node baseline (when the run had it). */
function protocolTable(r: BenchResults): string | undefined {
  const ours = r.servers.ours;
  const other = r.servers["connect-node"];
  if (!ours || !other) return undefined;
  return table(
    [
      "unary Calculate, 16×16",
      "ours req/s",
      "ours CPU/request",
      "connect-node req/s",
      "connect-node CPU/request",
      "req/s ratio",
    ],
    [...unaryScenarios, ...restScenarios].map((scenario) => {
      const a = scenario.key === "grpc" ? ours : r.protocolLoads?.ours?.[scenario.key];
      const b = scenario.key === "grpc" ? other : r.protocolLoads?.["connect-node"]?.[scenario.key];
      const ratio = a && b ? a.throughput / b.throughput : NaN;
      return [
        scenario.label,
        n(a?.throughput),
        `${n(a?.cpuUsPerRequest)} µs`,
        n(b?.throughput),
        `${n(b?.cpuUsPerRequest)} µs`,
        `${n(ratio, 2)}×`,
      ];
    }),
  );
}
