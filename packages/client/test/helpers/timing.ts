import { expect } from "vitest";

/**
 * How early a deadline may end a call, measured with performance.now() around it: the SDK takes its deadline
 * from Date.now() and Node's timers count whole milliseconds, each of which can round a fraction of one away.
 */
export const TIMER_SLACK_MS = 1;

/** Settles `call` (to its value or its error) and says how long that took, by performance.now(). */
export async function timed(call: () => Promise<unknown>): Promise<{ outcome: unknown; ms: number }> {
  const started = performance.now();
  const outcome = await call().catch((error: unknown) => error);
  return { outcome, ms: performance.now() - started };
}

/** A call with a `timeoutMs` deadline ended at that deadline: not before it, and well before `withinMs`. */
export function expectEndedAtDeadline(ms: number, timeoutMs: number, withinMs = 5_000): void {
  expect(ms, `ended after ${ms.toFixed(1)} ms, before its ${timeoutMs} ms deadline`).toBeGreaterThanOrEqual(
    timeoutMs - TIMER_SLACK_MS,
  );
  expect(ms, `ended after ${ms.toFixed(1)} ms`).toBeLessThan(withinMs);
}
