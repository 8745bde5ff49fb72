// Test doubles: a command runner that answers from a script and records every call (no process, no
// network), and a PATH directory holding stand-in executables that are never run.
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CommandRunner, RunResult } from "../src/index.js";

export type Answer = Partial<RunResult>;

export interface FakeRunner extends CommandRunner {
  /** Every command run, as typed in a shell, in order. */
  readonly calls: string[];
}

/**
 * `answers` maps a command's leading words ("gcloud auth list") to its result; the longest matching prefix
 * wins. Commands without an answer succeed with no output.
 */
export function fakeRunner(answers: Record<string, Answer> = {}): FakeRunner {
  const calls: string[] = [];
  const prefixes = Object.keys(answers).sort((a, b) => b.length - a.length);
  return {
    calls,
    run(argv) {
      const line = argv.join(" ");
      calls.push(line);
      const prefix = prefixes.find((p) => line === p || line.startsWith(`${p} `));
      const answer = prefix === undefined ? {} : answers[prefix];
      return Promise.resolve({ code: 0, stdout: "", stderr: "", ...answer });
    },
  };
}

/** A directory with an executable stub for each name, to use as PATH. */
export function fakePath(names: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "deploy-path-"));
  for (const name of names) {
    const file = join(dir, name);
    writeFileSync(file, "#!/bin/sh\necho 'stub: never run by these tests' >&2\nexit 99\n");
    chmodSync(file, 0o755);
  }
  return dir;
}

/** A logged-in machine with a project, a region, Docker running and the repository created. */
export const HEALTHY_MACHINE: Record<string, Answer> = {
  "git rev-parse --short=12 HEAD": { stdout: "0123456789ab\n" },
  "git status --porcelain --untracked-files=no": { stdout: "" },
  "docker info": { stdout: "20.10.24\n" },
  "gcloud auth list": { stdout: "dev@example.com\n" },
  "gcloud config get-value project": { stdout: "my-project\n" },
  "gcloud config get-value run/region": { stdout: "europe-west1\n" },
  "gcloud artifacts repositories describe": {
    stdout: "projects/my-project/locations/europe-west1/repositories/grpc-calculator\n",
  },
  "gcloud run services describe": { stdout: "https://grpc-calculator-abc123-ew.a.run.app\n" },
};

export interface Captured {
  out: string;
  err: string;
}

export function capture(): Captured & { out_: (t: string) => void; err_: (t: string) => void } {
  const c = { out: "", err: "", out_: (t: string) => void (c.out += t), err_: (t: string) => void (c.err += t) };
  return c;
}

export function tempRepoRoot(): string {
  return mkdtempSync(join(tmpdir(), "deploy-root-"));
}
