// What the cold-start run (src/cold-start.ts) produces, written as .results/cold-start.json: one row per
// way of starting a server, the ratios issue 20 asks for, where ours' start goes, and the tables printed.
import type { Machine } from "./machine.js";
import type { Phase } from "./start-breakdown.js";
import { median, ratio } from "./stats.js";
import { table } from "./markdown-table.js";

export interface ColdStartRow {
  key: string;
  label: string;
  /** The Node it ran on ("24.22.3"), or what else ("Python 3.11", "the image's"). */
  runtime: string;
  /** What counted as its first answer. */
  ready: string;
  /** Wall ms to the first answer, one per round in round order (NaN: that round's start failed). */
  runs: number[];
  /** CPU ms the server had used by then (NaN where not measurable, e.g. in a container). */
  cpuRuns: number[];
  /** Containers: ms from docker's State.StartedAt to the first answer, per round. */
  fromStartedRuns?: number[];
}

export interface RowSummary {
  medianMs: number;
  minMs: number;
  maxMs: number;
  medianCpuMs: number;
  failures: number;
}

export function summarizeRow(row: ColdStartRow): RowSummary {
  const ok = row.runs.filter((v) => Number.isFinite(v));
  return {
    medianMs: median(ok),
    minMs: ok.length ? Math.min(...ok) : NaN,
    maxMs: ok.length ? Math.max(...ok) : NaN,
    medianCpuMs: median(row.cpuRuns.filter((v) => Number.isFinite(v))),
    failures: row.runs.length - ok.length,
  };
}

export interface RatioResult {
  name: string;
  numerator: string;
  denominator: string;
  /** median ÷ median. */
  ratio: number;
  /** The same ratio within each round (both starts of a round ran minutes apart at most). */
  perRound: { median: number; min: number; max: number };
  numeratorMs: number;
  denominatorMs: number;
}

/** The ratios issue 20 asks for, over the rows the run has (a ratio whose rows are missing is left out). */
export const ratioSpecs: readonly { name: string; numerator: string; denominator: string }[] = [
  { name: "ours (gRPC, image Node) ÷ Python tutorial", numerator: "ours-image-grpc", denominator: "python" },
  {
    name: "ours ÷ ours without the compile cache (gRPC, image Node)",
    numerator: "ours-image-grpc",
    denominator: "ours-image-nocache",
  },
  {
    name: "ours ÷ the bundle before (--against; gRPC, image Node)",
    numerator: "ours-image-grpc",
    denominator: "against-image-grpc",
  },
  { name: "ours ÷ grpc-js (gRPC, image Node)", numerator: "ours-image-grpc", denominator: "grpcjs-image" },
  { name: "ours ÷ grpc-js (gRPC, host Node)", numerator: "ours-host-grpc", denominator: "grpcjs-host" },
  {
    name: "health SERVING ÷ gRPC Calculate (ours, image Node)",
    numerator: "ours-image-health",
    denominator: "ours-image-grpc",
  },
  {
    name: "Connect JSON ÷ gRPC Calculate (ours, image Node)",
    numerator: "ours-image-connect",
    denominator: "ours-image-grpc",
  },
  { name: "image Node ÷ host Node (ours, gRPC)", numerator: "ours-image-grpc", denominator: "ours-host-grpc" },
  {
    name: "container ÷ process (gRPC: docker run vs spawn on the image Node)",
    numerator: "container-grpc",
    denominator: "ours-image-grpc",
  },
  { name: "container: health SERVING ÷ gRPC Calculate", numerator: "container-health", denominator: "container-grpc" },
];

export function computeRatios(rows: readonly ColdStartRow[]): RatioResult[] {
  const byKey = new Map(rows.map((row) => [row.key, row]));
  const results: RatioResult[] = [];
  for (const spec of ratioSpecs) {
    const a = byKey.get(spec.numerator);
    const b = byKey.get(spec.denominator);
    if (!a || !b) continue;
    const perRound = a.runs.map((value, i) => ratio(value, b.runs[i])).filter((v) => Number.isFinite(v));
    const [numeratorMs, denominatorMs] = [summarizeRow(a).medianMs, summarizeRow(b).medianMs];
    results.push({
      ...spec,
      ratio: ratio(numeratorMs, denominatorMs),
      perRound: {
        median: median(perRound),
        min: perRound.length ? Math.min(...perRound) : NaN,
        max: perRound.length ? Math.max(...perRound) : NaN,
      },
      numeratorMs,
      denominatorMs,
    });
  }
  return results;
}

export interface Breakdown {
  runtime: string;
  /** Wall ms to the first answer of the profiled start (slower than an unprofiled one). */
  firstAnswerMs: number;
  samplingUs: number;
  phases: Phase[];
}

export interface ColdStartResults {
  command: string;
  startedAt: string;
  durationS: number;
  machine: Machine;
  pinning: string;
  rounds: number;
  /** packages/server's start:prod, as run. */
  startProd: string;
  rows: ColdStartRow[];
  ratios: RatioResult[];
  breakdown?: Breakdown;
  /** 1-minute load average at the start, its highest reading (once per round) and at the end. */
  loadAverage: { start: number; max: number; end: number };
  notes: string[];
}

const n = (value: number, digits = 0): string =>
  Number.isFinite(value)
    ? value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : "n/a";

/** The run as Markdown: printed on stdout, pasted into apps/bench/README.md's "Measured: issue 20". */
export function formatColdStart(r: ColdStartResults): string {
  const rows = table(
    ["server, started as", "runtime", "first answer", "median", "min–max", "CPU to it (median)"],
    r.rows.map((row) => {
      const s = summarizeRow(row);
      const fromStarted = row.fromStartedRuns?.filter((v) => Number.isFinite(v)) ?? [];
      const median2 = fromStarted.length ? `; ${n(median(fromStarted))} ms from StartedAt` : "";
      return [
        row.label,
        row.runtime,
        row.ready,
        `**${n(s.medianMs)} ms**${median2}`,
        `${n(s.minMs)}–${n(s.maxMs)} ms${s.failures ? ` (${s.failures} failed)` : ""}`,
        Number.isFinite(s.medianCpuMs) ? `${n(s.medianCpuMs)} ms` : "—",
      ];
    }),
  );
  const ratios = table(
    ["ratio", "of the medians", "per round: median (min–max)"],
    r.ratios.map((q) => [
      q.name,
      `**${n(q.ratio, 2)}×** (${n(q.numeratorMs)} vs ${n(q.denominatorMs)} ms)`,
      `${n(q.perRound.median, 2)}× (${n(q.perRound.min, 2)}–${n(q.perRound.max, 2)}×)`,
    ]),
  );
  const out = [rows, "", ratios];
  if (r.breakdown) {
    const b = r.breakdown;
    out.push(
      "",
      `Where ours' start goes: one start:prod start on Node ${b.runtime} under \`--cpu-prof\` (a sample every ` +
        `${b.samplingUs} µs) of an unminified copy of the bundle, compile cache warm; first answer at ` +
        `${n(b.firstAnswerMs)} ms (the profiler slows it). "Where": the phase's samples by the package of the ` +
        'innermost bundle frame; Node\'s JavaScript under a bundle frame is "node built-ins via" the package that called it.',
      "",
      table(
        ["phase", "from spawn", "took", "where (ms of samples)"],
        b.phases.map((phase) => [
          phase.name,
          `${n(phase.fromMs)}–${n(phase.toMs)} ms`,
          `${n(phase.toMs - phase.fromMs)} ms`,
          phase.where
            .filter((w) => w.ms >= 0.5)
            .slice(0, 7)
            .map((w) => `${w.name} ${n(w.ms, 1)}`)
            .join(", ") || "—",
        ]),
      ),
    );
  }
  out.push("");
  for (const note of r.notes) out.push(`- note: ${note}`);
  const m = r.machine;
  out.push(
    `- load average (1 min): ${n(r.loadAverage.start, 2)} at the start, up to ${n(r.loadAverage.max, 2)}, ${n(r.loadAverage.end, 2)} at the end`,
    "",
    `Machine: ${m.cores} cores, ${m.cpuModel}, bench on Node ${m.node}, Linux ${m.kernel}; ${r.pinning}. ` +
      `${r.rounds} interleaved rounds (the order rotating and reversing round by round), ${r.startedAt}, took ${n(r.durationS)} s. ` +
      `start:prod: \`${r.startProd}\`. Command: \`${r.command}\``,
  );
  return out.join("\n");
}
