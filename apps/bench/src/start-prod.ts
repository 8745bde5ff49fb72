// Ours as `pnpm start:prod` starts it: packages/server/package.json's `start:prod` script, read from the
// file and parsed: one simple command (`NAME=value … node FILE`, anything more is refused), which is run as
// sh runs it, the command with the script's variables, in packages/server, with the chosen Node — and
// without pnpm's own start or a shell in between (the server is the process started, timed and stopped).
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Readiness } from "./first-answer.js";
import type { NodeRuntime } from "./node-runtimes.js";
import { serverRoot, type ServerSpec } from "./servers.js";

/** A one-command script: `NAME=value … command arg …`, as sh reads it. */
export interface ParsedScript {
  env: Record<string, string>;
  command: string;
  args: string[];
}

/**
 * Splits `script` into its leading variable assignments, command and arguments, with sh's single and
 * double quotes. Throws on anything that makes it more than one simple command (`&&`, `;`, `|`, `$`, …).
 */
export function parseScript(script: string): ParsedScript {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < script.length; i++) {
    const c = script[i]!;
    if (c === " " || c === "\t") {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'" || c === '"') {
      const end = script.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unterminated ${c} in ${JSON.stringify(script)}`);
      const quoted = script.slice(i + 1, end);
      if (c === '"' && /[$`\\]/.test(quoted)) throw new Error(`not a plain script: ${JSON.stringify(script)}`);
      word = (word ?? "") + quoted;
      i = end;
    } else if (/[;&|<>()$`\\*?~#\n]/.test(c)) {
      throw new Error(`not one simple command: ${JSON.stringify(script)}`);
    } else {
      word = (word ?? "") + c;
    }
  }
  if (word !== undefined) words.push(word);
  const env: Record<string, string> = {};
  let i = 0;
  for (; i < words.length; i++) {
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(words[i]!);
    if (!assignment) break;
    env[assignment[1]!] = assignment[2]!;
  }
  const [command, ...args] = words.slice(i);
  if (command === undefined) throw new Error(`no command in ${JSON.stringify(script)}`);
  return { env, command, args };
}

/** The `start:prod` script of a package.json's text. */
export function startProdScript(packageJson: string): string {
  const script = (JSON.parse(packageJson) as { scripts?: Record<string, string> }).scripts?.["start:prod"];
  if (typeof script !== "string") throw new Error("package.json has no scripts.start:prod");
  return script;
}

export interface StartProd {
  /** The script as package.json has it. */
  script: string;
  parsed: ParsedScript;
  /** Its entry file, absolute (dist/start.mjs). */
  entry: string;
}

/** packages/server's `start:prod`, checked to be `… node FILE`. */
export function readStartProd(root = serverRoot): StartProd {
  const script = startProdScript(readFileSync(path.join(root, "package.json"), "utf8"));
  const parsed = parseScript(script);
  const file = parsed.args.at(-1);
  if (parsed.command !== "node" || file === undefined || file.startsWith("-"))
    throw new Error(`start:prod is not "… node FILE": ${script}`);
  return { script, parsed, entry: path.resolve(root, file) };
}

export interface OursOptions {
  node: NodeRuntime;
  readiness: Readiness;
  /** Variables besides the script's own (which the script's assignments override, as in sh). */
  env?: Record<string, string>;
  key: string;
  label: string;
}

/** Ours as start:prod runs it in packages/server: `options.node`, the script's arguments and variables. */
export function oursStartProd(start: StartProd, options: OursOptions): ServerSpec {
  return {
    key: options.key,
    label: options.label,
    command: options.node.path,
    args: start.parsed.args,
    env: { ...options.env, ...start.parsed.env },
    readiness: options.readiness,
    cwd: serverRoot,
    entry: start.entry,
  };
}
