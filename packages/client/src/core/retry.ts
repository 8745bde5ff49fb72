import { CalculatorError, isCalculatorError } from "./calculator-error.js";
import type { CallKind } from "./method.js";
import { statusCode, type StatusName } from "./status.js";

/**
 * The retry rule of the service's unary methods, the one definition both runtimes use. Every method of the
 * contract is idempotent (calculator.proto says so), so a unary call that fails with UNAVAILABLE (the server restarting, Cloud Run scaling or draining an instance, a connection
 * that could not be made) is retried with exponential backoff: up to 5 attempts (grpc-js's maximum), waiting
 * about 0.15 s, 0.3 s, 0.6 s, 1.2 s between them (± 20 % jitter), so about 2.25 s in all: long enough to ride
 * out a server restart, since grpc-js only reconnects after its reconnect backoff (1 s ± 20 % after a refused
 * connection), short enough that a server that is really down is reported within a few seconds. Every
 * attempt stays inside the call's own deadline. Streams are not retried: a stream has usually delivered
 * results before it fails. Which methods it covers is a rule on their kind ({@link isRetried}), not a list.
 *
 * Node: grpc-js runs it, from the service config this rule is written into for every method it covers
 * (node/channel-options.ts), with its own transparent retries and commit rules. Web: {@link withRetries}
 * runs it around each fetch.
 */
export const retryPolicy = {
  maxAttempts: 5,
  initialBackoffMs: 150,
  maxBackoffMs: 2_000,
  backoffMultiplier: 2,
  retryableStatus: ["UNAVAILABLE"] as readonly StatusName[],
} as const;

/** Whether calls of a method of this kind are retried under {@link retryPolicy}: unary calls, not streams. */
export const isRetried = (kind: CallKind): boolean => kind === "unary";

/**
 * Runs `attempt` under {@link retryPolicy}, as grpc-js's RetryingCall schedules retries: the n-th wait is
 * the current backoff × a random factor in [0.8, 1.2), the backoff then grows by the multiplier up to the
 * maximum. A wait that would pass the deadline ends the call at the deadline with DEADLINE_EXCEEDED (the
 * last failure as `cause`), as the call's deadline timer does in grpc-js. An abort ends the wait at once.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  deadline: number | undefined,
  signal: AbortSignal | undefined,
): Promise<T> {
  let backoffMs: number = retryPolicy.initialBackoffMs;
  for (let attempts = 1; ; attempts += 1) {
    try {
      return await attempt();
    } catch (error) {
      const retryable = isCalculatorError(error) && retryPolicy.retryableStatus.includes(error.codeName);
      if (!retryable || attempts >= retryPolicy.maxAttempts || signal?.aborted) throw error;
      const waitMs = backoffMs * (0.8 + Math.random() * 0.4);
      backoffMs = Math.min(backoffMs * retryPolicy.backoffMultiplier, retryPolicy.maxBackoffMs);
      const untilDeadline = deadline === undefined ? Infinity : deadline - Date.now();
      await sleep(Math.min(waitMs, untilDeadline), signal);
      if (untilDeadline <= waitMs) {
        throw new CalculatorError(statusCode("DEADLINE_EXCEEDED"), "deadline exceeded while waiting to retry", {
          cause: error,
        });
      }
    }
  }
}

/** Resolves after `ms` (at once when ≤ 0); rejects with the signal's reason when it aborts first. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
