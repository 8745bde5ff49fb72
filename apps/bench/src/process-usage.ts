// What a server process uses, from /proc: resident memory (VmRSS now, and VmHWM, the kernel's own
// peak-RSS high-water mark, so no sample can miss the peak) and the CPU time it has consumed.
import { readdirSync, readFileSync } from "node:fs";

export interface Memory {
  rssMb: number;
  peakRssMb: number;
}

export function readMemory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rssMb: kb("VmRSS") / 1024, peakRssMb: kb("VmHWM") / 1024 };
}

/** User + system CPU time the process has used so far, in milliseconds (/proc/PID/stat, clock ticks of 10 ms). */
export function readCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may contain spaces), 1-based: utime is 14, stime is 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond;
}

/** USER_HZ: 100 on every Linux architecture Node runs on. */
const clockTicksPerSecond = 100;

/**
 * CPU time of the process's live threads so far, in milliseconds at nanosecond resolution (the first
 * field of /proc/PID/task/TID/schedstat): for short spans such as a start, where 10 ms ticks are too coarse.
 * Unlike wall time it hardly moves when other processes compete for the core.
 */
export function readPreciseCpuMs(pid: number): number {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return ns / 1e6;
}
