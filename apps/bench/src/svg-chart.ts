// A small hand-written SVG bar chart of the targets: one bar per target, its length the measured ratio
// over the goal (inverted for "≤" goals), so every bar reaching the line at 1 meets its goal.
import type { BenchResults } from "./results.js";

const escape = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function renderChart(r: BenchResults): string {
  const rows = r.targets.filter((t) => Number.isFinite(t.score));
  const label = 420;
  const plot = 360;
  const rowHeight = 30;
  const top = 56;
  const maxScore = Math.max(2, ...rows.map((t) => Math.min(t.score, 4)));
  const x = (score: number): number => label + (Math.min(score, maxScore) / maxScore) * plot;
  const height = top + rows.length * rowHeight + 40;
  const width = label + plot + 150;
  const bars = rows.map((t, i) => {
    const y = top + i * rowHeight;
    const colour = t.met === undefined ? "#8a8f98" : t.met ? "#2e7d32" : "#c62828";
    return [
      `<text x="${label - 10}" y="${y + 15}" text-anchor="end">${escape(t.name)}</text>`,
      `<rect x="${label}" y="${y + 3}" width="${(x(t.score) - label).toFixed(1)}" height="18" fill="${colour}"/>`,
      `<text x="${(x(t.score) + 6).toFixed(1)}" y="${y + 15}">${escape(t.measured.split(" (")[0] ?? "")} (${t.goal === "reported" ? "reported" : `goal ${escape(t.goal)}`})</text>`,
    ].join("");
  });
  const line = x(1).toFixed(1);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">grpc-calculator bench: targets of issues 6, 12 and 18 (${escape(r.startedAt.slice(0, 10))}, ${r.machine.cores} cores, Node ${escape(r.machine.node)})</text>`,
    `<text x="12" y="40" fill="#555">bar = measured ÷ goal (goal ÷ measured for ≤ goals); reaching the line = goal met; grey = reported only</text>`,
    ...bars,
    `<line x1="${line}" y1="${top - 4}" x2="${line}" y2="${top + rows.length * rowHeight}" stroke="#000" stroke-dasharray="4 3"/>`,
    `<text x="${line}" y="${top + rows.length * rowHeight + 16}" text-anchor="middle">goal</text>`,
    `</svg>`,
    "",
  ].join("\n");
}
