// Issue 18's async handler scenario: what an async `calculate` (one `await` of a resolved promise) costs the
// engine per call against the synchronous one. Both are servers/engine-calculator.ts — the Calculator on
// @grpc-calculator/rpc-server alone — bundled once per run with esbuild as packages/server/scripts/bundle.mjs
// builds the server (one minified ESM file for node24, a linked source map, the createRequire banner) and run
// with the production NODE_OPTIONS; CALCULATE_HANDLER picks the handler at start. Per repetition both run at
// once on the server core and are loaded in turn (h2load 16×16, the order alternating round by round), so
// drift on a shared machine hits both alike; each load's server CPU per answered request is what is judged.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { ratio } from "./stats.js";

const entry = fileURLToPath(new URL("../servers/engine-calculator.ts", import.meta.url));

export type Handler = "sync" | "async";
export const handlers: readonly [Handler, Handler] = ["sync", "async"];

/** Bundles servers/engine-calculator.ts into `dir` (engine-calculator.mjs and its map); returns the file. */
export async function bundleEngineCalculator(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const outfile = path.join(dir, "engine-calculator.mjs");
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    target: "node24",
    format: "esm",
    minify: true,
    sourcemap: "linked",
    sourcesContent: false,
    banner: {
      js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
    },
    logLevel: "warning",
  });
  return outfile;
}

/** The order two servers loaded in turn take, round `round` (0-based): the pair's first first in even rounds. */
export function roundOrder<T>(pair: readonly [T, T], round: number): readonly T[] {
  return round % 2 === 0 ? pair : [pair[1], pair[0]];
}

/** Each round's async ÷ sync CPU per call, from the two servers' samples taken round by round. */
export function roundRatios(syncCpuUs: readonly number[], asyncCpuUs: readonly number[]): number[] {
  return asyncCpuUs.map((value, round) => ratio(value, syncCpuUs[round]));
}
