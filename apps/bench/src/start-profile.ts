// One profiled start of ours for the breakdown (src/start-breakdown.ts): an unminified copy of the bundle
// (packages/server/scripts/bundle.mjs --no-minify --outdir DIR, so the profile's line numbers fall in
// esbuild's per-module regions), run with start:prod's variables and `--cpu-prof` on the given Node after
// one untimed start that writes the copy's compile cache, until its first gRPC answer.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { bundleRegions } from "./bundle-regions.js";
import type { Breakdown } from "./cold-start-report.js";
import type { NodeRuntime } from "./node-runtimes.js";
import { serverRoot, startServer, type ServerSpec } from "./servers.js";
import { startBreakdown, type StartProfile } from "./start-breakdown.js";
import type { StartProd } from "./start-prod.js";

export const samplingUs = 100;

/** The ISO time of the server's "listening on …" log line, as epoch ms. */
export function listeningTime(log: string): number {
  for (const line of log.split("\n")) {
    if (!line.startsWith("{")) continue;
    const entry = JSON.parse(line) as { message?: string; time?: string };
    if (entry.message?.startsWith("listening on ") && entry.time !== undefined) return Date.parse(entry.time);
  }
  throw new Error("no 'listening on' line in the server's log");
}

export async function profileStart(options: {
  start: StartProd;
  node: NodeRuntime;
  workDir: string;
  cpus: string;
}): Promise<Breakdown> {
  const { start, node, workDir } = options;
  const copy = path.join(workDir, "unminified");
  const profiles = path.join(workDir, "cpu-profile");
  rmSync(copy, { recursive: true, force: true });
  execFileSync(process.execPath, ["scripts/bundle.mjs", "--no-minify", "--outdir", copy], {
    cwd: serverRoot, // esbuild's region comments are relative to it
    stdio: ["ignore", "ignore", "inherit"],
  });
  const entry = path.join(copy, path.basename(start.entry));
  const spec = (dir: string): ServerSpec => ({
    key: "ours-profiled",
    label: "ours (unminified copy, --cpu-prof)",
    command: node.path,
    args: ["--cpu-prof", `--cpu-prof-dir=${dir}`, `--cpu-prof-interval=${samplingUs}`, entry],
    env: { ...start.parsed.env },
    readiness: "calculate",
    cwd: serverRoot,
  });
  const logFile = path.join(workDir, "ours-profiled.log");
  // Untimed: writes the copy's compile cache (beside it, as dist/compile-cache is beside dist/start.mjs).
  await (await startServer(spec(path.join(workDir, "cpu-profile-warm-up")), { cpus: options.cpus, logFile })).stop();
  rmSync(profiles, { recursive: true, force: true });
  mkdirSync(profiles, { recursive: true });
  // performance.now() and V8's sample times read the same monotonic clock, in ms and µs from other origins.
  const monotonicUs = (performanceMs: number) =>
    performanceMs * 1000 + (Number(process.hrtime.bigint() / 1000n) - performance.now() * 1000);
  const wallToPerformanceMs = Date.now() - performance.now();
  const server = await startServer(spec(profiles), { cpus: options.cpus, logFile });
  await server.stop(); // node writes the profile as it exits
  const file = readdirSync(profiles).find((name) => name.endsWith(".cpuprofile"));
  if (file === undefined) throw new Error(`no .cpuprofile in ${profiles}`);
  const profile = JSON.parse(readFileSync(path.join(profiles, file), "utf8")) as StartProfile;
  const phases = startBreakdown({
    profile,
    entryUrl: pathToFileURL(entry).href,
    bundleUrl: pathToFileURL(path.join(copy, "server.mjs")).href,
    regions: bundleRegions(readFileSync(path.join(copy, "server.mjs"), "utf8")),
    spawnedAt: monotonicUs(server.spawnedAt),
    listeningAt: monotonicUs(listeningTime(readFileSync(logFile, "utf8")) - wallToPerformanceMs),
    firstAnswerAt: monotonicUs(server.spawnedAt + server.firstAnswerMs),
  });
  return { runtime: node.version, firstAnswerMs: server.firstAnswerMs, samplingUs, phases };
}
