/**
 * A REST request's query string, read against the query parameters its binding accepts
 * (http-rule.ts): each by its proto name (`first_operand`, `filter.author`) or its JSON name
 * (`firstOperand`), a repeated field by repeating it (`ids=1&ids=2`), as the proto3 JSON value
 * protobuf-es reads (`fromJson`). A malformed query, a parameter the binding does not have, or a
 * singular one given twice is refused with the reason, never dropped or silently overwritten.
 *
 * Hand-written rather than URLSearchParams: URLSearchParams keeps a malformed escape (`%zz`) or
 * invalid UTF-8 (`%C0%AE`) as text or U+FFFD, where a clear 400 is wanted.
 */
import { ScalarType, type DescField, type JsonValue } from "@bufbuild/protobuf";
import type { QueryParameter } from "./http-rule.js";

/** The query's parameters, in order, or the reason it is malformed. */
export function parseQuery(raw: string): { readonly pairs: readonly [string, string][] } | { readonly reason: string } {
  const pairs: [string, string][] = [];
  for (const part of raw.split("&")) {
    if (part === "") continue;
    const equals = part.indexOf("=");
    const name = decodeFormText(equals === -1 ? part : part.slice(0, equals));
    const value = decodeFormText(equals === -1 ? "" : part.slice(equals + 1));
    if (name === undefined || value === undefined) {
      return { reason: `malformed query string: ${quote(part)} is not valid percent-encoded UTF-8` };
    }
    if (name === "") return { reason: `malformed query string: ${quote(part)} has no parameter name` };
    pairs.push([name, value]);
  }
  return { pairs };
}

/** application/x-www-form-urlencoded text (`+` is a space), or undefined when malformed. */
function decodeFormText(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replaceAll("+", " "));
  } catch {
    return undefined;
  }
}

/** A user-given name or value in an error message: quoted, and cut short. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}

/**
 * Each given parameter with its values, or the reason the query cannot be taken: parameters the
 * binding does not have (all named), or a singular one given twice (under either of its names).
 */
export function queryValues(
  pairs: readonly [string, string][],
  parameters: ReadonlyMap<string, QueryParameter>,
): { readonly values: ReadonlyMap<QueryParameter, string[]> } | { readonly reason: string } {
  const values = new Map<QueryParameter, string[]>();
  const unknown = new Set<string>();
  for (const [name, value] of pairs) {
    const parameter = parameters.get(name);
    if (parameter === undefined) {
      unknown.add(name);
      continue;
    }
    const given = values.get(parameter);
    if (given === undefined) values.set(parameter, [value]);
    else if (parameter.repeated) given.push(value);
    else return { reason: `query parameter ${quote(parameter.name)} is given more than once (it is not repeated)` };
  }
  if (unknown.size > 0) {
    const names = [...unknown].slice(0, 10).map(quote).join(", ");
    const more = unknown.size > 10 ? ` and ${unknown.size - 10} more` : "";
    const accepted = [...new Set(parameters.values())].map((p) => p.name);
    return {
      reason:
        `unknown query parameter${unknown.size > 1 ? "s" : ""} ${names}${more}: ` +
        (accepted.length === 0 ? "this route takes none" : `this route takes ${accepted.join(", ")}`),
    };
  }
  return { values };
}

/**
 * A field's value as URL text (a query parameter or a path variable), as proto3 JSON: numbers and
 * strings stay strings (protobuf-es reads `"2.5"` as a number and checks it), booleans become
 * booleans, an enum given by number a number (by name it stays a name).
 */
export function textToJson(field: DescField, text: string): JsonValue {
  switch (field.fieldKind) {
    case "scalar":
      return scalarText(field.scalar, text);
    case "enum":
      return enumText(text);
    case "list":
      if (field.listKind === "scalar") return scalarText(field.scalar, text);
      return field.listKind === "enum" ? enumText(text) : text;
    case "message":
      // A well-known type with a JSON form of its own: BoolValue is a boolean, the rest read strings.
      return field.message.typeName === "google.protobuf.BoolValue" ? scalarText(ScalarType.BOOL, text) : text;
    case "map":
      return text;
  }
}

function scalarText(type: ScalarType, text: string): JsonValue {
  if (type !== ScalarType.BOOL) return text;
  return text === "true" ? true : text === "false" ? false : text;
}

function enumText(text: string): JsonValue {
  return /^-?\d+$/.test(text) ? Number(text) : text;
}
