// Clears the report sections before the run; merges, writes and prints reliability.json after it.
import { fileURLToPath } from "node:url";
import { clearSections, renderTable, writeReport } from "../src/report.js";

const root = fileURLToPath(new URL("..", import.meta.url));

export function setup(): void {
  clearSections(root);
}

export function teardown(): void {
  const report = writeReport(root);
  console.log(`\nReliability report (.results/reliability.json)\n${renderTable(report)}\n`);
}
