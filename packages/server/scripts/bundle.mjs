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
// pino calls lib/caller.js on every pino() for one purpose: resolving relative paths of `transport`
// targets, which this server never configures. It asks util.getCallSites(), and with the image's
// --enable-source-maps that makes Node read and decode the bundle's whole source map at start: 70 ms
// of a 260 ms start to "listening" on Node 24 (a --cpu-prof of the bundle). No callers, no lookup.
const pinoWithoutCallerLookup = {
  name: "pino-without-caller-lookup",
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /[\\/]pino[\\/]lib[\\/]caller\.js$/ }, () => ({
      contents: "module.exports = function getCallers() { return []; };",
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
  target: "node24", // what the image runs (engines: >=24)
  format: "esm",
  minify: true,
  // No keepNames: it wraps every function, including the closures grpc-js creates per call, in a
  // name-setting helper (measured by the bench: about 1.5× the CPU per request). Nothing here reads
  // function or class names (ConfigError sets its name itself); the source map names stack frames.
  keepNames: false,
  // The image ships the map and runs node with --enable-source-maps (see the Dockerfile), so stack traces
  // name src/*.ts lines. Mappings only: a stack trace needs no source text, and the map stays small.
  sourcemap: "linked",
  sourcesContent: false,
  legalComments: "linked",
  // grpc-js and pino are CommonJS and call require() for Node built-ins: give the ESM bundle one.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
  },
  plugins: [withoutProtoLoader, pinoWithoutCallerLookup],
  logLevel: "warning",
  write: false,
});
for (const file of outputFiles) {
  await mkdir(dirname(file.path), { recursive: true });
  const temporary = `${file.path}.${process.pid}.tmp`;
  await writeFile(temporary, file.contents);
  await rename(temporary, file.path);
}
