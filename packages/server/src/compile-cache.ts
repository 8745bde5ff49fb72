/**
 * Where the production entry (src/start.ts) keeps Node's compile cache, and the flag that makes it write
 * the cache and exit (the image build's step, src/write-compile-cache.ts, runs it so). Both files are
 * bundled beside server.mjs in dist/ (in /app in the image), so the directory is beside each of them.
 */
import { fileURLToPath } from "node:url";

export const compileCacheDirectory = fileURLToPath(new URL("compile-cache", import.meta.url));

export const WRITE_COMPILE_CACHE_FLAG = "--write-compile-cache";
