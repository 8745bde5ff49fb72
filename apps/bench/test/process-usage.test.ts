import { expect, test } from "vitest";
import { readCpuMs, readMemory, readPreciseCpuMs } from "../src/process-usage.js";

test("this process's memory and CPU time read from /proc are plausible and CPU time only grows", () => {
  const memory = readMemory(process.pid);
  expect(memory.rssMb).toBeGreaterThan(10);
  expect(memory.peakRssMb).toBeGreaterThanOrEqual(memory.rssMb);
  const before = readCpuMs(process.pid);
  const until = Date.now() + 60;
  while (Date.now() < until); // burn ~60 ms of CPU
  expect(readCpuMs(process.pid)).toBeGreaterThan(before);
});

test("precise CPU time (schedstat) grows like the tick-based one", () => {
  const [precise, ticks] = [readPreciseCpuMs(process.pid), readCpuMs(process.pid)];
  const deadline = Date.now() + 10_000;
  while (readPreciseCpuMs(process.pid) - precise < 60 && Date.now() < deadline); // burn 60 ms of CPU
  const burnt = readPreciseCpuMs(process.pid) - precise;
  expect(burnt).toBeGreaterThanOrEqual(60);
  expect(Math.abs(burnt - (readCpuMs(process.pid) - ticks))).toBeLessThan(25);
});
