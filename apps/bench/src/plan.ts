// How long and how often each measurement runs: the full run, the short `--quick` guard run,
// `--protocols` (the protocol comparison of the full run alone) and `--handlers` (the sync/async handler pair).

export interface Plan {
  name: "full" | "quick" | "protocols" | "handlers";
  repetitions: number;
  /** Wait after the first answer before reading idle RSS. */
  settleMs: number;
  warmupS: number;
  durationS: number;
  latencyDurationS: number;
  /** Throughput load: connections × concurrent streams per connection. */
  connections: number;
  streams: number;
  /** Operations per CalculateStream call in the raw (h2load) streaming load. */
  operationsPerStream: number;
  /** The tutorial's Python server as a third server. */
  python: boolean;
  /** h2load on CalculateStream and the unbundled build's start time. */
  streamAndUnbundled: boolean;
  /** The Node load generator runs (SDK vs raw client, streaming path). */
  nodeLoads: boolean;
  /** WORKERS=2 vs 1. */
  workers: boolean;
  /** The bundle without the old-generation cap of its production NODE_OPTIONS, as an extra server. */
  withoutOldSpaceCap: boolean;
  /**
   * The @connectrpc/connect-node baseline as a server, Connect JSON and gRPC-Web loads on it and on ours,
   * and each one's first Connect call after start.
   */
  connectNode: boolean;
  /** With `--against FILE`: spawn → first answer of ours and FILE, this many start-only pairs per repetition. */
  startPairs: number;
  /**
   * Issue 18's handler pair (src/handler-pair.ts): the engine alone with a sync and an async `calculate`,
   * loaded in turn this many rounds per repetition (0: not measured).
   */
  handlerRounds: number;
  /**
   * The real server (servers/direct-path.mjs) with its direct gRPC path on and off, both running, loaded in
   * turn this many rounds per repetition (0: not measured): what the CI guard judges the path by.
   */
  directPathRounds: number;
}

export const fullPlan: Plan = {
  name: "full",
  repetitions: 3,
  settleMs: 1_000,
  warmupS: 1,
  durationS: 3,
  latencyDurationS: 3,
  connections: 16,
  streams: 16,
  operationsPerStream: 100,
  python: true,
  streamAndUnbundled: true,
  nodeLoads: true,
  workers: true,
  withoutOldSpaceCap: true,
  connectNode: true,
  startPairs: 5,
  handlerRounds: 3,
  directPathRounds: 2,
};

/**
 * Ours and the grpc-js baseline, and the direct path on and off, three short interleaved repetitions: ~55 s,
 * for the CI guard.
 */
export const quickPlan: Plan = {
  ...fullPlan,
  name: "quick",
  settleMs: 300,
  warmupS: 0.5,
  durationS: 1.5,
  latencyDurationS: 1,
  python: false,
  streamAndUnbundled: false,
  nodeLoads: false,
  workers: false,
  withoutOldSpaceCap: false,
  connectNode: false,
  handlerRounds: 0,
};

/** Ours, the grpc-js baseline and the connect-node baseline in the three unary protocols: ~2 min. */
export const protocolsPlan: Plan = {
  ...fullPlan,
  name: "protocols",
  python: false,
  streamAndUnbundled: false,
  nodeLoads: false,
  workers: false,
  withoutOldSpaceCap: false,
  handlerRounds: 0,
  directPathRounds: 0,
};

/** Ours and the grpc-js baseline as in the full run, and the sync/async handler pair: ~2 min. */
export const handlersPlan: Plan = {
  ...protocolsPlan,
  name: "handlers",
  connectNode: false,
  handlerRounds: 3,
};
