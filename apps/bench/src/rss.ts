// Resident memory of a server process from /proc/PID/status: VmRSS now, and VmHWM (the kernel's own
// peak-RSS high-water mark, so no sample can miss the peak).
import { readFileSync } from "node:fs";

export interface Memory {
  rssMb: number;
  peakRssMb: number;
}

export function readMemory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rssMb: kb("VmRSS") / 1024, peakRssMb: kb("VmHWM") / 1024 };
}
