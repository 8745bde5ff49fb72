import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { resultsDir } from "./paths.js";

// Test files run in worker processes; each measurement is appended as one JSON line and the global
// teardown folds them into .results/report.json.
const metricsPath = join(resultsDir, "e2e-metrics.jsonl");
const reportPath = join(resultsDir, "report.json");

export type Metrics = Record<string, unknown>;

/** Records measurements (later values of a name win). */
export function recordMetrics(metrics: Metrics): void {
  mkdirSync(resultsDir, { recursive: true });
  appendFileSync(metricsPath, `${JSON.stringify(metrics)}\n`);
}

export function resetMetrics(): void {
  rmSync(metricsPath, { force: true });
  rmSync(reportPath, { force: true });
}

/** Folds the recorded metrics into report.json and prints them. */
export function writeReport(): Metrics {
  let lines: string[] = [];
  try {
    lines = readFileSync(metricsPath, "utf8").split("\n").filter(Boolean);
  } catch {
    // nothing recorded
  }
  const report: Metrics = Object.assign({}, ...lines.map((line) => JSON.parse(line) as Metrics)) as Metrics;
  writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  const rows = Object.entries(report)
    .filter(([name]) => name !== "imageFiles")
    .map(([name, value]) => `  ${name.padEnd(30)} ${Array.isArray(value) ? value.join(" ") : String(value)}`);
  console.log(`\ne2e report (${reportPath}):\n${rows.join("\n")}`);
  return report;
}

export const MiB = 1024 * 1024;
export const mib = (bytes: number): number => Math.round((bytes / MiB) * 100) / 100;
