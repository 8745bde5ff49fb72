// Bundles src/main.ts and everything it imports into dist/server.mjs: one file that runs with
// `node dist/server.mjs` and no node_modules (the container holds only this file).
import { build } from "esbuild";
import { dirname, join } from "node:path";
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
  plugins: [withoutProtoLoader],
  logLevel: "warning",
});
