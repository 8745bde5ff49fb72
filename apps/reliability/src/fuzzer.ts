/**
 * A seeded wire fuzzer: mutates valid request frames (bit flips, truncation, splicing, length fields,
 * inserted and overwritten bytes), sends each as one unary call through the raw client with bounded
 * concurrency, and checks every answer. Input `i` of seed `s` is the same on every run and at any
 * concurrency, so a failure is replayed from its seed (and index).
 */
import http2 from "node:http2";
import { status } from "@grpc/grpc-js";
import { BinaryOperation, CalculationResult, Operation } from "@grpc-calculator/proto";
import { decodeFrames, requestFrame } from "./grpc-frame.js";
import { knownOperations } from "./operations.js";
import { connect, rawCall, type RawOutcome, type Target } from "./raw-client.js";
import { mulberry32 } from "./private/prng.js";
import { expectedOutcome } from "./private/reference.js";

export const mutations = [
  "bit-flip",
  "truncate",
  "splice",
  "length-prefix",
  "varint-length",
  "insert",
  "overwrite",
] as const;
export type Mutation = (typeof mutations)[number];

export interface FuzzInput {
  readonly index: number;
  readonly mutation: Mutation;
  readonly bytes: Buffer;
}

function validFrame(next: () => number): Buffer {
  const operand = (): number => {
    const pick = next() % 4;
    if (pick === 0) return next() % 100;
    if (pick === 1) return Math.fround((next() / 0xffffffff - 0.5) * 1e6);
    const bits = new Uint32Array([next()]);
    return new Float32Array(bits.buffer)[0] ?? 0; // any float32, NaN and ±Infinity included
  };
  return requestFrame(operand(), operand(), knownOperations[next() % knownOperations.length] ?? Operation.ADD);
}

/** Input `index` of `seed`: a valid frame mutated by one seeded mutation. */
export function fuzzInput(seed: number, index: number): FuzzInput {
  const next = mulberry32((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const base = validFrame(next);
  const mutation = mutations[next() % mutations.length] ?? "bit-flip";
  const bytes = Buffer.from(base);
  const at = (length: number): number => next() % Math.max(1, length);
  switch (mutation) {
    case "bit-flip": {
      for (let flips = 1 + (next() % 4); flips > 0; flips--) {
        const i = at(bytes.length);
        bytes[i] = (bytes[i] ?? 0) ^ (1 << (next() % 8));
      }
      return { index, mutation, bytes };
    }
    case "truncate":
      return { index, mutation, bytes: bytes.subarray(0, at(bytes.length)) };
    case "splice": {
      const other = validFrame(next);
      return {
        index,
        mutation,
        bytes: Buffer.concat([bytes.subarray(0, at(bytes.length)), other.subarray(at(other.length))]),
      };
    }
    case "length-prefix": {
      const choices = [
        0,
        1,
        bytes.length - 6,
        bytes.length - 4,
        0x7fffffff,
        0xffffffff,
        next(),
        bytes.length - 5 + (next() % 16),
      ];
      bytes.writeUInt32BE((choices[next() % choices.length] ?? 0) >>> 0, 1);
      return { index, mutation, bytes };
    }
    case "varint-length": {
      // A length-delimited field (of an unknown number) whose length varint claims anything from 0 to 2^35.
      const claimed = [0, 1, 100, 4096, 2 ** 31, 2 ** 35 - 1][next() % 6] ?? 0;
      const varint: number[] = [];
      for (let rest = claimed; ; rest = Math.floor(rest / 128)) {
        varint.push(rest >= 128 ? (rest % 128) | 0x80 : rest);
        if (rest < 128) break;
      }
      const body = Buffer.concat([
        bytes.subarray(5),
        Buffer.from([(4 + (next() % 28)) * 8 + 2, ...varint]),
        Buffer.alloc(next() % 8, 0x61),
      ]);
      const framed = Buffer.alloc(5 + body.length);
      framed.writeUInt32BE(body.length, 1);
      body.copy(framed, 5);
      return { index, mutation, bytes: framed };
    }
    case "insert": {
      const junk = Buffer.from(Array.from({ length: 1 + (next() % 8) }, next));
      const i = at(bytes.length + 1);
      return { index, mutation, bytes: Buffer.concat([bytes.subarray(0, i), junk, bytes.subarray(i)]) };
    }
    case "overwrite": {
      for (let n = 1 + (next() % 3); n > 0; n--) bytes[at(bytes.length)] = next() & 0xff;
      return { index, mutation, bytes };
    }
  }
}

/** What the server must answer for `bytes`, when that is determined: only for exactly one complete, uncompressed message that decodes. */
export function determinedOutcome(bytes: Buffer): ReturnType<typeof expectedOutcome> | undefined {
  const { messages, rest } = decodeFrames(bytes);
  const [message] = messages;
  if (messages.length !== 1 || rest.length !== 0 || message === undefined || bytes[0] !== 0 || message.length > 4096)
    return undefined;
  try {
    const request = BinaryOperation.decode(message);
    return expectedOutcome(request.firstOperand, request.secondOperand, request.operation);
  } catch {
    return { ok: false, code: status.INTERNAL };
  }
}

export interface FuzzFailure {
  readonly seed: number;
  readonly index: number;
  readonly mutation: Mutation;
  readonly hex: string;
  readonly observed: string;
}

export interface FuzzReport {
  readonly seed: number;
  readonly sent: number;
  readonly byMutation: Record<string, number>;
  /** gRPC status name → count. */
  readonly statuses: Record<string, number>;
  readonly streamResets: number;
  readonly connectionErrors: number;
  readonly hangs: number;
  /** Answers that contradict the documented rule (a wrong result or wrong status). */
  readonly wrongAnswers: number;
  readonly failures: readonly FuzzFailure[];
}

function judge(input: FuzzInput, outcome: RawOutcome): string | undefined {
  if (outcome.kind === "timeout") return "hang: no answer within the timeout";
  if (outcome.kind !== "response") return undefined; // a reset or closed stream is a legitimate refusal
  if (outcome.grpcStatus === undefined) return `HTTP ${outcome.httpStatus} without grpc-status`;
  const expected = determinedOutcome(input.bytes);
  const ok = outcome.grpcStatus === Number(status.OK);
  if (ok && outcome.messages.length !== 1) return `OK with ${outcome.messages.length} messages`;
  if (expected === undefined) return undefined;
  if (!expected.ok)
    return outcome.grpcStatus === Number(expected.code)
      ? undefined
      : `status ${outcome.grpcStatus}, expected ${expected.code}`;
  if (!ok) return `status ${outcome.grpcStatus}, expected OK ${expected.result}`;
  const [message] = outcome.messages;
  const got = message === undefined ? undefined : CalculationResult.decode(message).result;
  // `===`, not Object.is: proto3 elides a default (zero) float, and ts-proto's encoder treats -0 as the
  // default, so a -0 result arrives as +0 (the same number; only the sign of zero is lost on the wire).
  return got === expected.result ? undefined : `result ${got}, expected ${expected.result}`;
}

export interface FuzzOptions {
  readonly seed: number;
  readonly count: number;
  /** Calls in flight at once (spread over `connections`). */
  readonly concurrency?: number;
  readonly connections?: number;
  readonly timeoutMs?: number;
}

/** Sends `count` mutated frames and judges every answer. */
export async function runFuzz(target: Target, options: FuzzOptions): Promise<FuzzReport> {
  const concurrency = options.concurrency ?? 16;
  const sessions: http2.ClientHttp2Session[] = [];
  for (let i = 0; i < (options.connections ?? 4); i++) sessions.push(await connect(target));
  const byMutation: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  const failures: FuzzFailure[] = [];
  let sent = 0;
  let streamResets = 0;
  let connectionErrors = 0;
  let hangs = 0;
  let wrongAnswers = 0;
  let nextIndex = 0;
  const worker = async (w: number): Promise<void> => {
    while (nextIndex < options.count) {
      const input = fuzzInput(options.seed, nextIndex++);
      let session = sessions[w % sessions.length];
      if (session === undefined || session.destroyed || session.closed) {
        session = await connect(target);
        sessions[w % sessions.length] = session;
      }
      const outcome = await rawCall(session, { body: input.bytes, timeoutMs: options.timeoutMs ?? 5000 });
      sent++;
      byMutation[input.mutation] = (byMutation[input.mutation] ?? 0) + 1;
      if (outcome.kind === "response" && outcome.grpcStatus !== undefined) {
        const name = status[outcome.grpcStatus] ?? String(outcome.grpcStatus);
        statuses[name] = (statuses[name] ?? 0) + 1;
      }
      if (outcome.kind === "stream-reset") streamResets++;
      if (outcome.kind === "connection-error") connectionErrors++;
      const problem = judge(input, outcome);
      if (problem !== undefined) {
        if (outcome.kind === "timeout") hangs++;
        else wrongAnswers++;
        failures.push({
          seed: options.seed,
          index: input.index,
          mutation: input.mutation,
          hex: input.bytes.toString("hex"),
          observed: problem,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  for (const s of sessions) s.destroy();
  return {
    seed: options.seed,
    sent,
    byMutation,
    statuses,
    streamResets,
    connectionErrors,
    hangs,
    wrongAnswers,
    failures,
  };
}
