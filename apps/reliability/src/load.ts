/**
 * Load drivers through the client SDK: a bounded-concurrency call loop (soak) and connect-call-disconnect
 * cycles (churn). Every answer is checked against the exact float32 result; errors are counted, not thrown.
 */
import { createCalculatorClient, isCalculatorError, type CalculatorClient } from "@grpc-calculator/client";
import { status } from "@grpc/grpc-js";
import type { Target } from "./raw-client.js";

export interface LoadTally {
  calls: number;
  ok: number;
  wrong: number;
  /** Status name (or error class) → count, failures only. */
  errors: Record<string, number>;
}

export const newTally = (): LoadTally => ({ calls: 0, ok: 0, wrong: 0, errors: {} });

export const errorCount = (tally: LoadTally): number => Object.values(tally.errors).reduce((a, b) => a + b, 0);

export function address(target: Target): string {
  return target.host.includes(":") ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
}

function errorName(error: unknown): string {
  return isCalculatorError(error)
    ? (status[error.code] ?? String(error.code))
    : error instanceof Error
      ? error.name
      : String(error);
}

/** One checked call: `i % 1000 + 3`, exact in float32. */
export async function checkedCall(client: CalculatorClient, i: number, tally: LoadTally): Promise<void> {
  tally.calls++;
  const a = i % 1000;
  try {
    const result = await client.add(a, 3);
    if (result === a + 3) tally.ok++;
    else tally.wrong++;
  } catch (error) {
    const name = errorName(error);
    tally.errors[name] = (tally.errors[name] ?? 0) + 1;
  }
}

/**
 * Runs calls `from`..`to` (exclusive) on `client`, `concurrency` in flight at a time; no new call starts
 * after `deadline` (epoch ms), so a slow machine ends the loop with fewer calls instead of hanging.
 */
export async function soak(
  client: CalculatorClient,
  from: number,
  to: number,
  concurrency: number,
  tally: LoadTally,
  deadline = Number.POSITIVE_INFINITY,
): Promise<void> {
  let next = from;
  const lane = async (): Promise<void> => {
    while (next < to && Date.now() < deadline) await checkedCall(client, next++, tally);
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

/**
 * `cycles` times: a new client (its own connection), one checked call, close; `concurrency` cycles at a
 * time, none started after `deadline` (epoch ms).
 */
export async function churn(
  target: Target,
  cycles: number,
  concurrency: number,
  tally: LoadTally,
  deadline = Number.POSITIVE_INFINITY,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < cycles && Date.now() < deadline) {
      const i = next++;
      // A local subchannel pool: each client makes and closes its own connection instead of sharing one.
      const client = createCalculatorClient(address(target), {
        channelOptions: { "grpc.use_local_subchannel_pool": 1 },
      });
      try {
        await checkedCall(client, i, tally);
      } finally {
        client.close();
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}
