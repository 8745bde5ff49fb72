// After the two tsc runs: mark dist/cjs as CommonJS (the package itself is ESM) and make the CLI
// entry executable, as npm does on install (so `node_modules/.bin/calculator` works from a checkout too).
import { chmodSync, writeFileSync } from "node:fs";

writeFileSync("dist/cjs/package.json", `${JSON.stringify({ type: "commonjs" })}\n`);
chmodSync("dist/esm/cli.js", 0o755);
