// The server's production Node flags, read from their one definition: the `ENV NODE_OPTIONS=` line of
// the runtime stage in ../Dockerfile (the image on Cloud Run). `pnpm start` (`node $(node scripts/
// production-node-options.mjs) dist/server.mjs`) and the benchmark's "ours" run the bundle with
// these same flags, so what is measured and started locally is what the image runs.
import { readFileSync } from "node:fs";
import process from "node:process";
import { fileURLToPath, URL } from "node:url";

export const dockerfile = fileURLToPath(new URL("../Dockerfile", import.meta.url));

/** The flags of the Dockerfile's `ENV NODE_OPTIONS="..."`, e.g. ["--max-semi-space-size=4", ...]. */
export function productionNodeOptions() {
  const line = /^ENV NODE_OPTIONS="([^"]*)"$/m.exec(readFileSync(dockerfile, "utf8"));
  if (line === null) throw new Error(`${dockerfile} has no ENV NODE_OPTIONS="..." line`);
  return line[1].split(/\s+/).filter((flag) => flag !== "");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(`${productionNodeOptions().join(" ")}\n`);
