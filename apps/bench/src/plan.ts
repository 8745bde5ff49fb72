// How long and how often each measurement runs: the full run, and the short `--quick` guard run.

export interface Plan {
  name: "full" | "quick";
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
};

/** Ours and the grpc-js baseline only, three short interleaved repetitions: ~30 s, for the CI guard. */
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
};
