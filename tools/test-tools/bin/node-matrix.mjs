#!/usr/bin/env node
// Runs one command once per Node major, each time with that Node first on PATH, so the command and
// everything it starts with `node` (vitest and its workers, npm, child processes using
// process.execPath) run on it:
//
//   node-matrix 22 24 26 -- vitest run --outputFile.json=.results/vitest-node{major}.json
//
// `{major}` in the arguments is replaced. Every major runs even when one fails; the exit code is
// the first failure's. The development toolchain itself stays on the Node that runs this script.
import { execFileSync, spawnSync } from "node:child_process";
import { delimiter, dirname } from "node:path";
import process from "node:process";
import { MissingToolError, nodeBinary } from "../src/index.mjs";

const separator = process.argv.indexOf("--");
const majors = process.argv.slice(2, separator < 0 ? undefined : separator).map(Number);
const [command, ...args] = separator < 0 ? [] : process.argv.slice(separator + 1);
if (command === undefined || majors.length === 0 || majors.some((major) => !Number.isInteger(major))) {
  process.stderr.write("usage: node-matrix <major>... -- <command> [args...]   ({major} in args is replaced)\n");
  process.exit(2);
}

let exitCode = 0;
for (const major of majors) {
  let node;
  try {
    node = nodeBinary(major);
  } catch (error) {
    if (!(error instanceof MissingToolError)) throw error;
    process.stderr.write(`node-matrix: ${error.message}\n`);
    exitCode ||= 1;
    continue;
  }
  const version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
  const line = [command, ...args].join(" ").replaceAll("{major}", String(major));
  process.stdout.write(`\nnode-matrix: Node ${version}: ${line}\n`);
  const run = spawnSync(
    command,
    args.map((arg) => arg.replaceAll("{major}", String(major))),
    {
      stdio: "inherit",
      env: {
        ...process.env,
        PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ""}`,
        NODE_MATRIX_MAJOR: String(major),
      },
    },
  );
  const code = run.status ?? 1;
  process.stdout.write(
    `node-matrix: Node ${version}: ${code === 0 ? "passed" : `failed (exit ${run.status ?? run.signal})`}\n`,
  );
  if (code !== 0) exitCode ||= code;
}
process.exit(exitCode);
