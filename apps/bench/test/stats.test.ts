import { expect, test } from "vitest";
import { median, percentile, ratio } from "../src/stats.js";

test("median of odd and even counts, ignoring NaN", () => {
  expect(median([3, 1, 2])).toBe(2);
  expect(median([4, 1, 3, 2])).toBe(2.5);
  expect(median([NaN, 5])).toBe(5);
  expect(median([])).toBeNaN();
});

test("nearest-rank percentiles", () => {
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
  expect(percentile(sorted, 0.5)).toBe(50);
  expect(percentile(sorted, 0.99)).toBe(99);
  expect(percentile(sorted, 1)).toBe(100);
  expect(percentile([7], 0.99)).toBe(7);
});

test("a ratio with a missing side is NaN, never a number", () => {
  expect(ratio(6, 3)).toBe(2);
  expect(ratio(undefined, 3)).toBeNaN();
  expect(ratio(3, 0)).toBeNaN();
});
