/**
 * google.api.http path templates (google/api/http.proto, "Path template syntax"):
 *
 *     Template = "/" Segments [ Verb ] ;
 *     Segments = Segment { "/" Segment } ;
 *     Segment  = "*" | "**" | LITERAL | Variable ;
 *     Variable = "{" FieldPath [ "=" Segments ] "}" ;
 *     FieldPath = IDENT { "." IDENT } ;
 *     Verb     = ":" LITERAL ;
 *
 * parsed once, at start, into segments to match a request path against. An invalid template is a
 * contract bug: it throws a PathTemplateError naming the template and what is wrong, so the server
 * refuses to start rather than serving a route that matches nothing or too much.
 */

/** One segment of a template: a literal, `*` (one segment) or `**` (zero or more, last only). */
export type TemplateSegment =
  | { readonly kind: "literal"; readonly value: string }
  | { readonly kind: "wildcard" }
  | { readonly kind: "multi-wildcard" };

/** A `{field.path=segments}` variable: which segments of the template it captures. */
export interface TemplateVariable {
  /** The request field it binds, by proto field names (`["book", "name"]` for `{book.name}`). */
  readonly fieldPath: readonly string[];
  /** Its first segment's index in PathTemplate.segments. */
  readonly start: number;
  /** One past its last segment's index. */
  readonly end: number;
  /**
   * Whether it can capture more than one path segment (`{name=shelves/*}`, `{name=**}`): its value
   * keeps the `/`s and `%2F` stays encoded; a single-segment one is percent-decoded whole.
   */
  readonly multiSegment: boolean;
}

export interface PathTemplate {
  /** The template as written in the contract. */
  readonly pattern: string;
  readonly segments: readonly TemplateSegment[];
  readonly variables: readonly TemplateVariable[];
  /** The custom verb (`cancel` for `…:cancel`), or undefined. */
  readonly verb: string | undefined;
}

export class PathTemplateError extends Error {
  constructor(pattern: string, reason: string) {
    super(`invalid google.api.http path template "${pattern}": ${reason}`);
    this.name = "PathTemplateError";
  }
}

/**
 * A literal segment or verb: RFC 3986's pchar (unreserved, percent-encoded, sub-delims, `@`) less `*`,
 * the wildcard, and `:`, which starts the verb.
 */
const LITERAL = /^(?:[A-Za-z0-9\-._~!$&'()+,;=@]|%[0-9A-Fa-f]{2})+$/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parsePathTemplate(pattern: string): PathTemplate {
  const fail = (reason: string): never => {
    throw new PathTemplateError(pattern, reason);
  };
  if (!pattern.startsWith("/")) fail('it must start with "/"');
  const segments: TemplateSegment[] = [];
  const variables: TemplateVariable[] = [];
  let verb: string | undefined;
  let i = 1;

  /** Reads text up to (not including) the first of `stops`, from `i`. */
  const readUntil = (stops: string): string => {
    const from = i;
    while (i < pattern.length && !stops.includes(pattern.charAt(i))) i++;
    return pattern.slice(from, i);
  };

  /** One non-variable segment ending at one of `stops`. */
  const plainSegment = (stops: string): TemplateSegment => {
    const text = readUntil(stops);
    if (text === "*") return { kind: "wildcard" };
    if (text === "**") return { kind: "multi-wildcard" };
    if (text === "") return fail(`an empty segment at offset ${i}`);
    if (!LITERAL.test(text)) return fail(`"${text}" is not a valid literal segment`);
    return { kind: "literal", value: text };
  };

  for (;;) {
    if (pattern.charAt(i) === "{") {
      i++;
      const fieldPath = readUntil("=}/{");
      const names = fieldPath.split(".");
      if (!names.every((name) => IDENT.test(name))) fail(`"${fieldPath}" is not a field path`);
      const start = segments.length;
      if (pattern.charAt(i) === "=") {
        i++;
        for (;;) {
          if (pattern.charAt(i) === "{") fail("a variable must not contain another variable");
          segments.push(plainSegment("/}{"));
          if (pattern.charAt(i) !== "/") break;
          i++;
        }
      } else {
        segments.push({ kind: "wildcard" });
      }
      if (pattern.charAt(i) !== "}") fail(`the variable {${fieldPath} is not closed`);
      i++;
      const captured = segments.slice(start);
      variables.push({
        fieldPath: names,
        start,
        end: segments.length,
        multiSegment: captured.length > 1 || captured.some((s) => s.kind === "multi-wildcard"),
      });
    } else {
      segments.push(plainSegment("/:{}"));
    }
    if (i === pattern.length) break;
    const next = pattern.charAt(i);
    i++;
    if (next === "/") continue;
    if (next !== ":") fail(`unexpected "${next}" at offset ${i - 1}`);
    verb = pattern.slice(i);
    if (!LITERAL.test(verb)) fail(`"${verb}" is not a valid verb`);
    break;
  }

  const deep = segments.findIndex((s) => s.kind === "multi-wildcard");
  if (deep !== -1 && deep !== segments.length - 1) fail('"**" must be the last segment');
  const seen = new Set<string>();
  for (const variable of variables) {
    const name = variable.fieldPath.join(".");
    if (seen.has(name)) fail(`the field ${name} is bound twice`);
    seen.add(name);
  }
  return { pattern, segments, variables, verb };
}
