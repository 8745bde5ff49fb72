/**
 * The production entry (`node dist/start.mjs`, the image's CMD and `pnpm start:prod`): turns on Node's
 * compile cache in `compile-cache/` beside it, then loads the server (`server.mjs`, src/main.ts).
 *
 * The cache holds V8's compiled code for server.mjs, so a start skips compiling the 640 KB bundle
 * (0.94× the start without it on Node 24, 199 vs 212 ms: apps/bench's cold-start run).
 * The image writes it at build time with its own Node (`--write-compile-cache`, see the Dockerfile): the
 * cache is keyed by Node's version, V8's flags and the file's path and contents, and Node checks each
 * entry before using it. Whatever is wrong with it, the server starts the slow way and never crashes:
 * a cache that does not match (another Node, another bundle) or is corrupt is recompiled by Node; one that
 * cannot be opened at all (missing on a read-only filesystem) is reported in one log line.
 * `NODE_DISABLE_COMPILE_CACHE=1` (Node's own switch) turns it off.
 *
 * Nothing else is loaded here: this file runs before every start.
 */
import module from "node:module";
import { compileCacheDirectory as cacheDirectory, WRITE_COMPILE_CACHE_FLAG } from "./compile-cache.js";

/** One line in the server's log format (src/logger.ts: Cloud Logging's JSON fields), before pino is loaded. */
function warn(message: string, fields: Record<string, unknown>): void {
  const line = { severity: "WARNING", time: new Date().toISOString(), ...fields, message };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const writing = process.argv.includes(WRITE_COMPILE_CACHE_FLAG);
if (writing) {
  // Build time: serve on a free loopback port just long enough to have compiled the bundle.
  process.env.PORT = "0";
  process.env.HOST = "127.0.0.1";
  process.env.LOG_LEVEL = "warn";
}

// (Node < 22.1 has no compile cache: `pnpm start` runs on whatever Node is installed.)
const cache =
  typeof module.enableCompileCache === "function"
    ? module.enableCompileCache(cacheDirectory)
    : { status: undefined, message: `Node ${process.version} has none` };
if (cache.status === undefined || cache.status === module.constants.compileCacheStatus.FAILED) {
  warn(`compile cache unavailable (${cache.message ?? "unknown reason"}): starting without it`, {
    compileCache: cacheDirectory,
  });
}

// Not a literal: the bundle beside this file, not a module of src/.
await import(new URL("server.mjs", import.meta.url).href);

if (writing) {
  if (cache.status !== module.constants.compileCacheStatus.ENABLED) {
    process.stderr.write(`cannot write the compile cache to ${cacheDirectory}: ${cache.message ?? cache.status}\n`);
    process.exit(1);
  }
  module.flushCompileCache();
  process.exit(0);
}
