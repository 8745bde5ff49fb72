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
  /** The Node load generator runs (SDK vs raw client, streaming path). */
  nodeLoads: boolean;
  /** WORKERS=2 vs 1. */
  workers: boolean;
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
  nodeLoads: true,
  workers: true,
};

export const quickPlan: Plan = {
  ...fullPlan,
  name: "quick",
  repetitions: 1,
  settleMs: 300,
  warmupS: 1,
  durationS: 2,
  latencyDurationS: 1,
  nodeLoads: false,
  workers: false,
};
