// The bench's reports print Markdown tables: pasted into the READMEs as they are.

/** A Markdown table: the header row, its `---` rule, then the rows. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, header.map(() => "---"), ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}
