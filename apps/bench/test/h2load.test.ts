import { describe, expect, test } from "vitest";
import { parseLog, parseSummary } from "../src/h2load.js";

const summary = `finished in 3.00s, 3927.50 req/s, 168.79KB/s
requests: 7855 total, 7855 started, 7855 done, 7855 succeeded, 0 failed, 0 errored, 0 timeout
status codes: 7854 2xx, 0 3xx, 0 4xx, 0 5xx
`;

describe("h2load output", () => {
  test("the summary gives req/s of the measured window and the success count", () => {
    expect(parseSummary(summary)).toEqual({ reqPerSec: 3927.5, succeeded: 7855, failed: 0 });
  });

  test("failures, errors, timeouts and 4xx/5xx answers all count as failed", () => {
    const bad = summary
      .replace("0 failed, 0 errored, 0 timeout", "2 failed, 1 errored, 1 timeout")
      .replace("0 4xx, 0 5xx", "3 4xx, 4 5xx");
    expect(parseSummary(bad).failed).toBe(11);
  });

  test("output without a summary is an error, not a zero", () => {
    expect(() => parseSummary("connect error: Connection refused")).toThrow(/unexpected h2load output/);
  });

  test("the per-request log keeps the elapsed µs of answered requests only", () => {
    expect(parseLog("1795655191105783\t0\t446\n1795655191106276\t200\t381\n1795655191106668\t200\t314\n")).toEqual([
      381, 314,
    ]);
  });
});
