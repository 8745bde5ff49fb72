// Bundles src/main.ts and everything it imports into dist/server.mjs: one file that runs with
// `node dist/server.mjs` and no node_modules (the container holds only this file).
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
await build({
  entryPoints: [join(root, "src/main.ts")],
  outfile: join(root, "dist/server.mjs"),
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  minify: true,
  keepNames: true,
  sourcemap: "linked",
  legalComments: "linked",
  // grpc-js and pino are CommonJS and call require() for Node built-ins: give the ESM bundle one.
  banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
  logLevel: "warning",
});
