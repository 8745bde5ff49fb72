// The machine a run measured: what the README states next to the numbers.
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { execFileSync } from "node:child_process";

export interface Machine {
  cpuModel: string;
  cores: number;
  node: string;
  h2load: string;
  kernel: string;
}

export function describeMachine(): Machine {
  let cpuModel = cpus()[0]?.model ?? "unknown";
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpuModel;
  } catch {
    // not Linux: keep os.cpus()'s model
  }
  let h2load = "unknown";
  try {
    h2load = execFileSync("h2load", ["--version"], { encoding: "utf8" }).trim();
  } catch {
    // reported as unknown; the run itself fails on a missing h2load
  }
  let kernel = "unknown";
  try {
    kernel = readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
  } catch {
    // not Linux
  }
  return { cpuModel, cores: cpus().length, node: process.version, h2load, kernel };
}
