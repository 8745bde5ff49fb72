// Runs the external commands a deploy needs (docker, gcloud, git). Everything that touches the machine or
// the network goes through a CommandRunner, so tests substitute a fake and never leave the process.
import { spawn } from "node:child_process";

export interface RunResult {
  /** Exit code; 127 when the executable could not be started at all. */
  readonly code: number;
  /** Captured output; empty when the command's output went to the terminal. */
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd: string;
  /** true: collect stdout/stderr (probes, values we parse); false: stream them to the user's terminal. */
  readonly capture: boolean;
}

export interface CommandRunner {
  run(argv: readonly string[], options: RunOptions): Promise<RunResult>;
}

/** The real runner: spawns the command directly (no shell), so arguments are never re-parsed. */
export const spawnRunner: CommandRunner = {
  run(argv, { cwd, capture }) {
    const [file, ...args] = argv;
    if (file === undefined) return Promise.reject(new Error("empty command"));
    return new Promise((resolve) => {
      const child = spawn(file, args, { cwd, stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit" });
      let stdout = "";
      let stderr = "";
      child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
      child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      child.on("error", (error) => resolve({ code: 127, stdout, stderr: stderr + error.message }));
      child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
    });
  },
};
