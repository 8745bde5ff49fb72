// One clear error for every external program a test suite needs (nginx, h2load, docker, openssl,
// chromium, ...): "nginx not found — run `bash .ci/setup.sh --tests`" instead of a spawn ENOENT or
// "nginx exited with -2" halfway through a suite.
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import process from "node:process";

/** The command that installs every tool the suites need (the README's test setup). */
export const SETUP_COMMAND = "bash .ci/setup.sh --tests";

export class MissingToolError extends Error {
  /** @param {string} tool @param {string} [hint] */
  constructor(tool, hint) {
    super(`${tool} not found — run \`${SETUP_COMMAND}\`${hint === undefined ? "" : ` (${hint})`}`);
    this.name = "MissingToolError";
    this.tool = tool;
  }
}

/** The absolute path of an executable on PATH (or the path itself when it contains a slash), else undefined. */
export function findExecutable(name, path = process.env.PATH ?? "") {
  const candidates = name.includes("/")
    ? [name]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Like findExecutable, but a missing program throws a MissingToolError naming the setup command. */
export function requireExecutable(name, hint) {
  const found = findExecutable(name);
  if (found === undefined) throw new MissingToolError(name, hint);
  return found;
}
