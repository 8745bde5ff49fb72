#!/usr/bin/env node
// Prints the path of the test runtime's node binary for a major: `node-runtime 24`.
// (packages/server/docker/build-base-images.sh builds the local runtime image from it.)
import process from "node:process";
import { MissingToolError, nodeBinary } from "../src/index.mjs";

try {
  process.stdout.write(`${nodeBinary(Number(process.argv[2]))}\n`);
} catch (error) {
  process.stderr.write(`node-runtime: ${error instanceof MissingToolError ? error.message : String(error)}\n`);
  process.exit(1);
}
