import { expect, test } from "vitest";
import { readCpuMs, readMemory } from "../src/process-usage.js";

test("this process's memory and CPU time read from /proc are plausible and CPU time only grows", () => {
  const memory = readMemory(process.pid);
  expect(memory.rssMb).toBeGreaterThan(10);
  expect(memory.peakRssMb).toBeGreaterThanOrEqual(memory.rssMb);
  const before = readCpuMs(process.pid);
  const until = Date.now() + 60;
  while (Date.now() < until); // burn ~60 ms of CPU
  expect(readCpuMs(process.pid)).toBeGreaterThan(before);
});
