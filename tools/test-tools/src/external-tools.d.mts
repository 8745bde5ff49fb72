/** The command that installs every tool the suites need (the README's test setup). */
export declare const SETUP_COMMAND: string;
/** "<tool> not found — run `bash .ci/setup.sh --tests`" (and a hint, when given). */
export declare class MissingToolError extends Error {
  constructor(tool: string, hint?: string);
  readonly tool: string;
}
/** The absolute path of an executable on PATH (or the path itself when it contains a slash), else undefined. */
export declare function findExecutable(name: string, path?: string): string | undefined;
/** Like findExecutable, but a missing program throws a MissingToolError naming the setup command. */
export declare function requireExecutable(name: string, hint?: string): string;
