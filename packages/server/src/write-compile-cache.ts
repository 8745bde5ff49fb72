/**
 * Image build step (`node /app/write-compile-cache.mjs --user 65532:65532`, as root; see the Dockerfile):
 * writes the compile cache that dist/start.mjs reads (src/start.ts), owned by root and read-only to the
 * server's user, like the code beside it.
 *
 * Node names a cache by the Node version, V8's flags and the uid that writes it (a cache written by
 * root sits in a directory the server's user would never look in), so the cache is written by a child
 * running start.mjs --write-compile-cache as that user, with this process's environment (the image's
 * NODE_OPTIONS); then its files are handed back to root.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { compileCacheDirectory as cache, WRITE_COMPILE_CACHE_FLAG } from "./compile-cache.js";

function fail(message: string): never {
  process.stderr.write(`write-compile-cache: ${message}\n`);
  process.exit(1);
}

const { values } = parseArgs({ options: { user: { type: "string" } } });
const user = /^(\d+):(\d+)$/.exec(values.user ?? "");
if (user === null) fail(`--user UID:GID is required (the image's USER), got ${JSON.stringify(values.user)}`);
const [uid, gid] = [Number(user[1]), Number(user[2])];

const start = fileURLToPath(new URL("start.mjs", import.meta.url));
mkdirSync(cache, { recursive: true });
chownSync(cache, uid, gid);

const child = spawnSync(process.execPath, [start, WRITE_COMPILE_CACHE_FLAG], {
  uid,
  gid,
  stdio: "inherit",
  timeout: 60_000,
});
if (child.status !== 0)
  fail(`start.mjs ${WRITE_COMPILE_CACHE_FLAG} ${child.error?.message ?? `exited ${child.status}`}`);

/** Root-owned; directories 0755, files 0644. */
function handBack(path: string): number {
  chownSync(path, 0, 0);
  if (!statSync(path).isDirectory()) {
    chmodSync(path, 0o644);
    return 1;
  }
  chmodSync(path, 0o755);
  return readdirSync(path).reduce((files, name) => files + handBack(join(path, name)), 0);
}
const files = handBack(cache);
if (files === 0) fail(`no cache was written to ${cache}`);
process.stdout.write(`write-compile-cache: ${files} file(s) in ${cache} for uid ${uid}\n`);
