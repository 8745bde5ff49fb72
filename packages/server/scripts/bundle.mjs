// Bundles src/main.ts and everything it imports into dist/server.mjs: one file that runs with
// `node dist/server.mjs` and no node_modules (the container holds only this file).
import { build } from "esbuild";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

// grpc-js requires @grpc/proto-loader (and with it protobufjs, ~125 KB of the bundle) only inside
// the functions that serve its channelz and ORCA services, which this server never registers. Leave
// it out: the bundle parses less at start, and a call that did reach it fails with this message.
const withoutProtoLoader = {
  name: "without-proto-loader",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^@grpc\/proto-loader$/ }, () => ({ path: "proto-loader", namespace: "omitted" }));
    pluginBuild.onLoad({ filter: /.*/, namespace: "omitted" }, () => ({
      contents: 'throw new Error("@grpc/proto-loader is not bundled: grpc-js channelz/ORCA services are not served");',
      loader: "js",
    }));
  },
};
// Written to temporary files and renamed into place: whoever runs dist/server.mjs meanwhile (tests,
// the bench, the reliability suite) sees the old bundle or the new one, never a half-written file.
const { outputFiles } = await build({
  entryPoints: [join(root, "src/main.ts")],
  outfile: join(root, "dist/server.mjs"),
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  minify: true,
  // No keepNames: it wraps every function, including the closures grpc-js creates per call, in a
  // name-setting helper (measured by the bench: about 1.5× the CPU per request). Nothing here reads
  // function or class names (ConfigError sets its name itself); the source map names stack frames.
  keepNames: false,
  sourcemap: "linked",
  legalComments: "linked",
  // grpc-js and pino are CommonJS and call require() for Node built-ins: give the ESM bundle one.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
  },
  plugins: [withoutProtoLoader],
  logLevel: "warning",
  write: false,
});
for (const file of outputFiles) {
  await mkdir(dirname(file.path), { recursive: true });
  const temporary = `${file.path}.${process.pid}.tmp`;
  await writeFile(temporary, file.contents);
  await rename(temporary, file.path);
}
