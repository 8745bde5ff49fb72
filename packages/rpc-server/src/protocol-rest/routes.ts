/**
 * The REST route table: which binding a request's method and path select, and the raw text of each
 * path variable, decoded as google/api/http.proto says (a single-segment variable percent-decoded
 * whole; a multi-segment one keeping its `/`s, with `%2F` left encoded).
 *
 * A path that matches no template is not REST (the caller leaves it to the other protocols, whose
 * 404 it keeps); one that matches only another method's template is 405 with `Allow`. Among the
 * templates that match, the most specific wins (literal segments before `*`, `*` before `**`), then
 * the first declared. A variable's value that is not a plain value — a malformed or invalid UTF-8
 * percent-encoding, a `.` or `..` segment (path traversal, however encoded), control characters —
 * is refused with the reason, never passed on as a field.
 */
import type { HttpBinding } from "./http-rule.js";
import type { PathTemplate, TemplateSegment } from "./path-template.js";

export type RouteMatch<R> =
  /** No template matches the path. */
  | { readonly kind: "none" }
  /** Templates match the path, none for this method: these methods would be. */
  | { readonly kind: "wrong-method"; readonly allow: readonly string[] }
  /** The route, with each of its template's variables' values, in the template's order. */
  | { readonly kind: "found"; readonly route: R; readonly values: readonly string[] }
  /** The route, whose path variable holds what no field may be given. */
  | { readonly kind: "bad-path"; readonly route: R; readonly reason: string };

export interface RouteTable<R> {
  match(httpMethod: string, path: string): RouteMatch<R>;
  /** Every HTTP method some route takes (for CORS preflights). */
  readonly methods: readonly string[];
}

const RANK: Readonly<Record<TemplateSegment["kind"], number>> = { literal: 0, wildcard: 1, "multi-wildcard": 2 };

/** Negative when `a` is the more specific template. */
function bySpecificity(a: PathTemplate, b: PathTemplate): number {
  for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i++) {
    const difference = RANK[(a.segments[i] as TemplateSegment).kind] - RANK[(b.segments[i] as TemplateSegment).kind];
    if (difference !== 0) return difference;
  }
  if (a.segments.length !== b.segments.length) return b.segments.length - a.segments.length;
  return Number(a.verb === undefined) - Number(b.verb === undefined);
}

/** `decodeURIComponent`, or undefined for a malformed escape or invalid UTF-8. */
function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A variable's decoded value, or the reason it cannot be one. */
function variableValue(raw: string, multiSegment: boolean): { value: string } | { reason: string } {
  // A multi-segment value keeps an encoded slash encoded: `a%2Fb/c` is two segments, not three.
  const parts = multiSegment ? raw.split(/%2F/i).map(decode) : [decode(raw)];
  if (parts.some((part) => part === undefined)) return { reason: "malformed percent-encoding in the path" };
  const value = parts.join("%2F");
  if (CONTROL.test(value)) return { reason: "control characters in the path" };
  if (value.split(/\/|%2F/i).some((segment) => segment === "." || segment === "..")) {
    return { reason: 'a "." or ".." segment in the path' };
  }
  return { value };
}

interface Compiled<R> {
  readonly route: R;
  readonly binding: HttpBinding;
  /** Each literal segment decoded, to compare with decoded request segments. */
  readonly literals: readonly (string | undefined)[];
}

/**
 * The request segments each template segment takes, as [start, end) indexes into `segments`, or
 * undefined when the template does not match.
 */
function matchSegments(compiled: Compiled<unknown>, segments: readonly string[]): [number, number][] | undefined {
  const spans: [number, number][] = [];
  let at = 0;
  const template = compiled.binding.template.segments;
  for (let i = 0; i < template.length; i++) {
    const segment = template[i] as TemplateSegment;
    const text = segments[at];
    if (segment.kind === "multi-wildcard") {
      // Zero or more segments, each non-empty: the rest of the path.
      if (segments.slice(at).some((s) => s === "")) return undefined;
      spans.push([at, segments.length]);
      at = segments.length;
      continue;
    }
    if (text === undefined || text === "") return undefined;
    if (segment.kind === "literal" && decode(text) !== compiled.literals[i]) return undefined;
    spans.push([at, at + 1]);
    at += 1;
  }
  return at === segments.length ? spans : undefined;
}

export function createRouteTable<R extends { readonly binding: HttpBinding }>(routes: readonly R[]): RouteTable<R> {
  const compiled: Compiled<R>[] = routes
    .map((route) => ({
      route,
      binding: route.binding,
      literals: route.binding.template.segments.map((s) =>
        s.kind === "literal" ? (decode(s.value) ?? s.value) : undefined,
      ),
    }))
    .sort((a, b) => bySpecificity(a.binding.template, b.binding.template));
  const methods = [...new Set(routes.map((r) => r.binding.httpMethod))];

  function match(httpMethod: string, path: string): RouteMatch<R> {
    if (!path.startsWith("/")) return { kind: "none" };
    const allow = new Set<string>();
    for (const candidate of compiled) {
      const { template } = candidate.binding;
      let rest = path;
      if (template.verb !== undefined) {
        if (!path.endsWith(`:${template.verb}`)) continue;
        rest = path.slice(0, path.length - template.verb.length - 1);
      }
      const segments = rest.slice(1).split("/");
      const spans = matchSegments(candidate, segments);
      if (spans === undefined) continue;
      if (candidate.binding.httpMethod !== httpMethod && candidate.binding.httpMethod !== "*") {
        allow.add(candidate.binding.httpMethod);
        continue;
      }
      const values: string[] = [];
      for (const variable of template.variables) {
        const from = (spans[variable.start] as [number, number])[0];
        const to = (spans[variable.end - 1] as [number, number])[1];
        const value = variableValue(segments.slice(from, to).join("/"), variable.multiSegment);
        if ("reason" in value) return { kind: "bad-path", route: candidate.route, reason: value.reason };
        values.push(value.value);
      }
      return { kind: "found", route: candidate.route, values };
    }
    return allow.size === 0 ? { kind: "none" } : { kind: "wrong-method", allow: [...allow] };
  }

  return { match, methods };
}
