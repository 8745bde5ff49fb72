#!/usr/bin/env node
// The `calculator` command (package.json "bin"). See `calculator --help` and the README.
import { runCli } from "./node/cli-program.js";

process.exitCode = await runCli(process.argv);
