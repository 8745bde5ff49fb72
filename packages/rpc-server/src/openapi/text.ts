/** Descriptions: the .proto comments and the generator's own notes, as CommonMark (OpenAPI's Markdown). */

/** Joins the non-empty parts of a description with blank lines (Markdown paragraphs). */
export const paragraphs = (...parts: readonly (string | undefined)[]): string | undefined =>
  parts.filter((part) => part !== undefined && part !== "").join("\n\n") || undefined;

/** An operation's summary: the first sentence of its comment, on one line. */
export function firstSentence(text: string): string {
  const oneLine = text.replace(/\s*\n\s*/g, " ");
  const end = oneLine.search(/\.(\s|$)/);
  return end === -1 ? oneLine : oneLine.slice(0, end + 1);
}
