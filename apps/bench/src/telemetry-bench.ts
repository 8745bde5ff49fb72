// `pnpm --filter @grpc-calculator/bench run telemetry [--quick] [--bundle FILE] [--compare-bundle FILE]`:
// what OpenTelemetry costs the server. The same bundle runs with telemetry off, on with every call
// traced (always_on), and on with 10 % traced (traceidratio 0.1), exporting traces and metrics over
// OTLP/HTTP protobuf to a loopback sink in this process that answers 200 to everything; with
// --compare-bundle, another build (e.g. main's) runs with telemetry off too, for "off costs nothing".
// Interleaved repetitions, medians, as the main run (src/run-bench.ts) measures: spawn → first health
// answer, p99 of h2load 1×1, and the server's CPU per call under h2load 16×16.
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { once } from "node:events";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { cores, pinSelf } from "./cpu-pinning.js";
import { calculatePath, unaryBody, verifyCalculate } from "./grpc-wire.js";
import { h2load } from "./h2load.js";
import { fullPlan, quickPlan } from "./plan.js";
import { readCpuMs } from "./process-usage.js";
import { oursBundle, snapshotBundle, startServer, type ServerSpec } from "./servers.js";
import { median } from "./stats.js";

const benchRoot = fileURLToPath(new URL("..", import.meta.url));

/** A loopback OTLP/HTTP endpoint that reads and drops every export: the exporter's cost, not a collector's. */
async function otlpSink(): Promise<{ url: string; requests: () => number; close: () => void }> {
  let requests = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      requests += 1;
      response.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, requests: () => requests, close: () => server.close() };
}

interface Variant {
  key: string;
  label: string;
  spec: ServerSpec;
}

interface Samples {
  firstAnswerMs: number[];
  p99Us: number[];
  cpuUsPerCall: number[];
  throughput: number[];
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2).filter((arg) => arg !== "--");
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      bundle: { type: "string" },
      "compare-bundle": { type: "string" },
    },
  });
  const plan = values.quick ? quickPlan : fullPlan;
  pinSelf(cores?.load);
  const workDir = `${benchRoot}.results/telemetry-work`;
  mkdirSync(workDir, { recursive: true });
  const bundle = await snapshotBundle(path.join(workDir, "bundle"), values.bundle);
  const sink = await otlpSink();
  const telemetry = (sampler: string, arg: string) => ({
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
    OTEL_TRACES_SAMPLER: sampler,
    OTEL_TRACES_SAMPLER_ARG: arg,
    OTEL_METRIC_EXPORT_INTERVAL: "5000",
  });
  const variant = (key: string, label: string, env: Record<string, string>, file = bundle): Variant => {
    const base = oursBundle(1, file);
    return { key, label, spec: { ...base, key, env: { ...base.env, ...env } } };
  };
  const variants: Variant[] = [
    variant("off", "telemetry off", {}),
    variant("on-100", "telemetry on, every call traced", telemetry("always_on", "1")),
    variant("on-10", "telemetry on, 10 % traced", telemetry("traceidratio", "0.1")),
  ];
  const compare = values["compare-bundle"];
  if (compare !== undefined) {
    const other = await snapshotBundle(path.join(workDir, "compare"), compare);
    variants.push(variant("compare-off", `--compare-bundle ${compare}, off`, {}, other));
  }

  const samples = new Map<string, Samples>(
    variants.map((v) => [v.key, { firstAnswerMs: [], p99Us: [], cpuUsPerCall: [], throughput: [] }]),
  );
  const body = unaryBody();
  const load = { path: calculatePath, body, warmupS: plan.warmupS, cpus: cores?.load, workDir };
  try {
    for (let rep = 1; rep <= plan.repetitions; rep++) {
      for (const { key, label, spec } of variants) {
        const s = samples.get(key)!;
        const server = await startServer(spec, {
          cpus: cores?.server ?? "",
          logFile: path.join(workDir, `${key}.log`),
        });
        try {
          s.firstAnswerMs.push(server.firstAnswerMs);
          // The SDK loads after the first health answer: let it, so the loads measure it running.
          await sleep(Math.max(plan.settleMs, 1500));
          await verifyCalculate(server.port, calculatePath, body, 1);
          const latency = await h2load({
            ...load,
            port: server.port,
            connections: 1,
            streams: 1,
            durationS: plan.latencyDurationS,
            latencies: true,
          });
          const cpuAtWindow = sleep(plan.warmupS * 1000).then(() => readCpuMs(server.pid));
          const throughput = await h2load({
            ...load,
            port: server.port,
            connections: plan.connections,
            streams: plan.streams,
            durationS: plan.durationS,
          });
          const cpuMs = readCpuMs(server.pid) - (await cpuAtWindow);
          s.p99Us.push(latency.latency!.p99Us);
          s.throughput.push(throughput.reqPerSec);
          s.cpuUsPerCall.push((cpuMs * 1000) / (throughput.reqPerSec * plan.durationS));
          process.stderr.write(
            `[${rep}/${plan.repetitions}] ${label}: first answer ${server.firstAnswerMs.toFixed(0)} ms, ` +
              `p99 ${(latency.latency!.p99Us / 1000).toFixed(3)} ms, ${throughput.reqPerSec.toFixed(0)} req/s, ` +
              `${s.cpuUsPerCall.at(-1)!.toFixed(1)} µs CPU/call\n`,
          );
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    sink.close();
  }

  const off = samples.get("off")!;
  const rows = variants.map(({ key, label }) => {
    const s = samples.get(key)!;
    const row = {
      key,
      label,
      firstAnswerMs: median(s.firstAnswerMs),
      p99Us: median(s.p99Us),
      cpuUsPerCall: median(s.cpuUsPerCall),
      throughput: median(s.throughput),
    };
    return {
      ...row,
      vsOff: {
        firstAnswer: row.firstAnswerMs / median(off.firstAnswerMs),
        p99: row.p99Us / median(off.p99Us),
        cpuPerCall: row.cpuUsPerCall / median(off.cpuUsPerCall),
      },
      runs: s,
    };
  });
  const lines = [
    `telemetry bench (${plan.name}, ${plan.repetitions} interleaved repetitions, medians; OTLP exports received: ${sink.requests()})`,
    "variant | first answer ms | p99 ms (1×1) | CPU µs/call (16×16) | req/s | ×off first/p99/CPU",
    ...rows.map(
      (r) =>
        `${r.label} | ${r.firstAnswerMs.toFixed(0)} | ${(r.p99Us / 1000).toFixed(3)} | ${r.cpuUsPerCall.toFixed(1)} | ` +
        `${r.throughput.toFixed(0)} | ${r.vsOff.firstAnswer.toFixed(2)} / ${r.vsOff.p99.toFixed(2)} / ${r.vsOff.cpuPerCall.toFixed(2)}`,
    ),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  writeFileSync(
    `${benchRoot}.results/telemetry${values.quick ? "-quick" : ""}.json`,
    `${JSON.stringify({ plan: plan.name, startedAt: new Date().toISOString(), rows }, null, 2)}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench telemetry: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
