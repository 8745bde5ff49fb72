/**
 * The reliability report: each suite records its section (`.results/parts/<section>.json`, so sections
 * survive vitest's separate workers); `writeReport` merges them into `.results/reliability.json` and
 * renders the summary table printed at the end of `pnpm test:reliability` and shown in the README.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface ResourceFigures {
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
  readonly fdBefore: number;
  readonly fdAfter: number;
}

export type ReportSection = Record<string, unknown> & {
  /** Server process exits not asked for, or calls that ended in a hang. */
  readonly crashes?: number;
  /** Calls accepted by the server that never completed correctly. */
  readonly callsLost?: number;
  /** gRPC status name → count. */
  readonly statuses?: Record<string, number>;
  readonly resources?: ResourceFigures;
};

export function resultsDir(root: string): string {
  return path.join(root, ".results");
}

const partsDir = (root: string): string => path.join(resultsDir(root), "parts");

export function clearSections(root: string): void {
  rmSync(partsDir(root), { recursive: true, force: true });
}

export function recordSection(root: string, name: string, section: ReportSection): void {
  mkdirSync(partsDir(root), { recursive: true });
  writeFileSync(path.join(partsDir(root), `${name}.json`), `${JSON.stringify(section, null, 2)}\n`);
}

export interface ReliabilityReport {
  readonly generatedAt: string;
  readonly crashes: number;
  readonly callsLost: number;
  readonly statusesSeen: Record<string, number>;
  readonly sections: Record<string, ReportSection>;
}

export function mergeSections(sections: Record<string, ReportSection>): ReliabilityReport {
  const statusesSeen: Record<string, number> = {};
  let crashes = 0;
  let callsLost = 0;
  for (const section of Object.values(sections)) {
    crashes += section.crashes ?? 0;
    callsLost += section.callsLost ?? 0;
    for (const [name, count] of Object.entries(section.statuses ?? {}))
      statusesSeen[name] = (statusesSeen[name] ?? 0) + count;
  }
  return { generatedAt: new Date().toISOString(), crashes, callsLost, statusesSeen, sections };
}

const mb = (bytes: number): string => (bytes / (1024 * 1024)).toFixed(1);

/** The Markdown table of the report's headline figures. */
export function renderTable(report: ReliabilityReport): string {
  const rows: [string, string][] = [];
  for (const [name, s] of Object.entries(report.sections)) {
    const figures = Object.entries(s)
      .filter(
        ([k, v]) =>
          !["statuses", "resources", "cases", "crashes", "callsLost"].includes(k) &&
          (typeof v === "number" || typeof v === "string"),
      )
      .map(([k, v]) => `${k} ${String(v)}`);
    if (s.resources !== undefined) {
      const r = s.resources;
      figures.push(`RSS ${mb(r.rssBeforeBytes)} → ${mb(r.rssAfterBytes)} MB`, `fds ${r.fdBefore} → ${r.fdAfter}`);
    }
    rows.push([name, figures.join("; ")]);
  }
  rows.push([
    "statuses seen",
    Object.entries(report.statusesSeen)
      .map(([k, v]) => `${k} ${v}`)
      .join(", "),
  ]);
  rows.push(["crashes", String(report.crashes)], ["calls lost", String(report.callsLost)]);
  return ["| suite | figures |", "| --- | --- |", ...rows.map(([a, b]) => `| ${a} | ${b} |`)].join("\n");
}

/** Merges the recorded sections into `.results/reliability.json`; returns the report. */
export function writeReport(root: string): ReliabilityReport {
  let names: string[] = [];
  try {
    names = readdirSync(partsDir(root))
      .filter((f) => f.endsWith(".json"))
      .sort();
  } catch {
    names = [];
  }
  const sections = Object.fromEntries(
    names.map((f) => [
      path.basename(f, ".json"),
      JSON.parse(readFileSync(path.join(partsDir(root), f), "utf8")) as ReportSection,
    ]),
  );
  const report = mergeSections(sections);
  mkdirSync(resultsDir(root), { recursive: true });
  writeFileSync(path.join(resultsDir(root), "reliability.json"), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}
