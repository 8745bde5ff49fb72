// Bundles src/main.ts and everything it imports into dist/server.mjs, the OpenTelemetry SDK
// (src/telemetry/sdk.ts, with google-auth-library) into dist/telemetry.mjs, and the production entry
// src/start.ts (Node's compile cache, then server.mjs) into dist/start.mjs, and the image build's step
// that writes the cache into dist/write-compile-cache.mjs: `node dist/start.mjs` runs with no
// node_modules, with the dist/*.mjs files side by side (the container holds only them).
//
// Why two files: inlined in server.mjs, the SDK is not evaluated unless telemetry is on, but it is
// still read and parsed at every start. Measured here (spawn → first answer, interleaved, 15 runs):
// the SDK inlined took the bundle from 615 KB to 1.23 MB and the median start from 431 to 534 ms.
// esbuild's own code splitting would also cut the web protocols and everything they share with the
// start-up code into a dozen chunks; one entry point per concern keeps the start-up file as it was.
//
// `node scripts/bundle.mjs --no-minify --outdir DIR` writes the same three files unminified into DIR
// (dist/ always holds the production build): esbuild's `// path` comment above each module's code says
// which package each line comes from, for attributing a CPU profile of a start (apps/bench's cold-start run).
import { build } from "esbuild";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: flags } = parseArgs({
  options: { "no-minify": { type: "boolean", default: false }, outdir: { type: "string" } },
});
if (flags["no-minify"] && flags.outdir === undefined) {
  process.stderr.write("bundle.mjs: --no-minify writes elsewhere: give --outdir DIR\n");
  process.exit(2);
}
const outdir = flags.outdir === undefined ? join(root, "dist") : resolve(flags.outdir);

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
// Node's ESM facade for a built-in module reads every one of its exports: `import … from "node:http"`
// calls node:http's lazy getters, and one of them loads undici (fetch, its dispatchers, its proxy agents),
// which this server never uses: ~15 ms of every start on Node 24 (a --cpu-prof of the bundle). A built-in
// taken through require() is the module object itself, its getters left alone. Except node:util: reading
// the property descriptors of its exports object, as esbuild's CommonJS interop does for a module imported
// from ESM, loads what it defines lazily (perf_hooks, parseArgs, worker_threads, …: 4.3 ms measured on
// Node 24), so its shim exports by name what the bundle imports (a name missing below fails the build).
const builtinNamedExports = { "node:util": ["format", "promisify"] };
const builtinsThroughRequire = {
  name: "builtins-through-require",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^node:/ }, (args) =>
      args.kind === "import-statement" ? { path: args.path, namespace: "builtin" } : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: "builtin" }, (args) => {
      const names = builtinNamedExports[args.path];
      const module = `require(${JSON.stringify(args.path)})`;
      return {
        contents: names ? `export const { ${names.join(", ")} } = ${module};` : `module.exports = ${module};`,
        loader: "js",
      };
    });
  },
};
// Written to temporary files and renamed into place: whoever runs dist/server.mjs meanwhile (tests,
// the bench, the reliability suite) sees the old bundle or the new one, never a half-written file.
// The start-up code reaches the SDK through telemetry.ts's `import("./sdk.js")`: in the bundle, the file
// beside it.
const telemetryBesideServer = {
  name: "telemetry-beside-server",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\/sdk\.js$/ }, (args) =>
      args.importer.endsWith(join("src", "telemetry", "telemetry.ts"))
        ? { path: "./telemetry.mjs", external: true }
        : undefined,
    );
  },
};
const options = {
  bundle: true,
  platform: "node",
  target: "node24", // what the image runs (engines: >=24)
  format: "esm",
  minify: !flags["no-minify"],
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
  logLevel: "warning",
  write: false,
};
const server = await build({
  ...options,
  entryPoints: [join(root, "src/main.ts")],
  outfile: join(outdir, "server.mjs"),
  plugins: [builtinsThroughRequire, withoutProtoLoader, pinoWithoutCallerLookup, telemetryBesideServer],
});
const telemetry = await build({
  ...options,
  entryPoints: [join(root, "src/telemetry/sdk.ts")],
  outfile: join(outdir, "telemetry.mjs"),
  plugins: [withoutProtoLoader, pinoWithoutCallerLookup],
});
// The two small files beside them, with nothing to bundle but themselves: the production entry
// (src/start.ts: Node's compile cache, then server.mjs) and the image build's step that writes that
// cache for the server's user (src/write-compile-cache.ts).
const small = (name) =>
  build({
    ...options,
    entryPoints: [join(root, `src/${name}.ts`)],
    outfile: join(outdir, `${name}.mjs`),
    sourcemap: false,
    legalComments: "none",
    banner: {},
  });
const [start, writeCompileCache] = await Promise.all([small("start"), small("write-compile-cache")]);
// telemetry.mjs first, start.mjs last: no file is in place before the file it loads.
const outputs = [telemetry, server, writeCompileCache, start].flatMap((result) => result.outputFiles);
for (const file of outputs) {
  await mkdir(dirname(file.path), { recursive: true });
  const temporary = `${file.path}.${process.pid}.tmp`;
  await writeFile(temporary, file.contents);
  await rename(temporary, file.path);
}
