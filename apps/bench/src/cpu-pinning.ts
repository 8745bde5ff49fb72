// Pinning processes to cores with taskset (util-linux) where it exists: the server on one core, the load
// on the other, so they do not fight for the same CPU on a 2-core machine.
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";

const hasTaskset = spawnSync("taskset", ["-V"]).status === 0;

/** The CPU lists the bench uses, or undefined (no pinning) when taskset is missing or there is one core. */
export const cores = hasTaskset && availableParallelism() >= 2 ? { server: "0", load: "1", all: "0,1" } : undefined;

/** The command line that runs `command args` on `cpus` (unchanged when pinning is unavailable). */
export function pinned(cpus: string | undefined, command: string, args: string[]): [string, string[]] {
  return cpus && cores ? ["taskset", ["-c", cpus, command, ...args]] : [command, args];
}

/** Pins this process (all its threads) to `cpus`, so the bench's own work stays off the server core. */
export function pinSelf(cpus: string | undefined): void {
  if (cpus && cores) spawnSync("taskset", ["-a", "-p", "-c", cpus, String(process.pid)], { stdio: "ignore" });
}
