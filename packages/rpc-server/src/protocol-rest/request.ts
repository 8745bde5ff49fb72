/**
 * A REST request as the method's request message (http.proto's "Rules for HTTP mapping"): the body
 * (the whole message for `body: "*"`, one field for `body: "field"`), then the path variables, then
 * the query parameters, each read by protobuf-es as proto3 JSON with the engine's JSON options
 * (descriptors.ts: an unknown field is an error). Every failure is INVALID_ARGUMENT naming what is
 * wrong, or 415 for a body that is not JSON.
 */
import {
  create,
  fromJson,
  fromJsonString,
  mergeFromJson,
  type DescField,
  type DescMessage,
  type JsonObject,
  type JsonValue,
  type Message,
  type Registry,
} from "@bufbuild/protobuf";
import { isReflectMessage, reflect } from "@bufbuild/protobuf/reflect";
import { Code, CallError } from "../call-error.js";
import type { HeaderLookup } from "../call-context.js";
import { JSON_OPTIONS } from "../web/descriptors.js";
import { HttpStatusError } from "../web/http-exchange.js";
import type { BindingFields, HttpBinding, QueryParameter } from "./http-rule.js";
import { parseQuery, queryValues, textToJson } from "./query.js";

/** What a route knows to read its requests with. */
export interface RequestReader {
  readonly binding: HttpBinding;
  readonly fields: BindingFields;
  /** The binding's query parameters by proto name and by JSON name. */
  readonly parameters: ReadonlyMap<string, QueryParameter>;
  readonly registry: Registry;
}

/** What one request brings. */
export interface RestRequest {
  /** The path variables' values, in the template's order. */
  readonly pathValues: readonly string[];
  readonly query: string;
  readonly header: HeaderLookup;
  readonly body: Buffer;
}

const invalid = (message: string) => new CallError(Code.INVALID_ARGUMENT, message);

/** The request message, or the CallError that stands in for it. */
export function readRequest(reader: RequestReader, request: RestRequest): Message | CallError {
  const input = reader.binding.method.input;
  const options = { ...JSON_OPTIONS, registry: reader.registry };
  const attempt = <T>(prefix: string, read: () => T): T | CallError => {
    try {
      return read();
    } catch (error) {
      return invalid(`${prefix}${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const query = parseQuery(request.query);
  if ("reason" in query) return invalid(query.reason);
  const given = queryValues(query.pairs, reader.parameters);
  if ("reason" in given) return invalid(given.reason);

  // The path's values typed, each on its own: a wrong one names its variable.
  const pathJson: JsonObject = {};
  for (const [index, path] of reader.fields.path.entries()) {
    const leaf = path.fields[path.fields.length - 1] as DescField;
    const value = textToJson(leaf, request.pathValues[index] ?? "");
    const one: JsonObject = {};
    setAt(one, path.fields, value);
    const failed = attempt(`path variable {${path.variable.fieldPath.join(".")}}: `, () =>
      fromJson(input, one, options),
    );
    if (failed instanceof CallError) return failed;
    setAt(pathJson, path.fields, value);
  }
  const pathMessage = fromJson(input, pathJson, options);

  const message = readBody(reader, request, options);
  if (message instanceof CallError) return message;
  for (const path of reader.fields.path) {
    const conflict = bodyConflict(input, message, pathMessage, path.fields);
    if (conflict !== undefined) return invalid(conflict);
  }

  // Each query parameter typed on its own (a wrong one is named), then added to the path's values and
  // merged in one read, so that protobuf-es refuses two members of one oneof as it would in a body.
  for (const [parameter, texts] of given.values) {
    const value = parameter.repeated
      ? texts.map((text) => textToJson(parameter.field, text))
      : textToJson(parameter.field, texts[0] ?? "");
    const one: JsonObject = {};
    setAt(one, parameter.fields, value);
    const failed = attempt(`query parameter ${parameter.name}: `, () => fromJson(input, one, options));
    if (failed instanceof CallError) return failed;
    setAt(pathJson, parameter.fields, value);
  }
  // A failed merge leaves `message` half-written; it is dropped with the error.
  const merged = attempt("", () => mergeFromJson(input, message, pathJson, options));
  return merged instanceof CallError ? merged : message;
}

/** Sets `value` at the chain of fields, by JSON names, creating the objects on the way. */
function setAt(root: JsonObject, fields: readonly DescField[], value: JsonValue): void {
  let object = root;
  for (const [index, field] of fields.entries()) {
    if (index === fields.length - 1) {
      object[field.jsonName] = value;
      return;
    }
    const next = object[field.jsonName];
    const child: JsonObject = typeof next === "object" && next !== null && !Array.isArray(next) ? next : {};
    object[field.jsonName] = child;
    object = child;
  }
}

/** Whether a body was sent as JSON: `application/json`, any parameters, UTF-8 if a charset is named. */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [type = "", ...parameters] = contentType.split(";").map((part) => part.trim().toLowerCase());
  if (type !== "application/json") return false;
  const charset = parameters.find((p) => p.startsWith("charset="))?.slice("charset=".length);
  return charset === undefined || charset === "utf-8" || charset === '"utf-8"';
}

type Options = Parameters<typeof fromJsonString>[2];

/** The message the body gives (empty when the binding takes no body, or none was sent). */
function readBody(reader: RequestReader, request: RestRequest, options: Options): Message | CallError {
  const { binding, fields } = reader;
  const input = binding.method.input;
  const { body } = request;
  if (body.length === 0) return create(input);
  if (fields.body.kind === "none") {
    return invalid(`${binding.httpMethod} ${binding.template.pattern} takes no request body`);
  }
  const contentType = request.header("content-type");
  if (!isJson(contentType)) {
    return new HttpStatusError(
      415,
      Code.INVALID_ARGUMENT,
      `the request body must be JSON (content-type: application/json), not ${contentType ?? "untyped"}`,
    );
  }
  const encoding = request.header("content-encoding");
  if (encoding !== undefined && encoding !== "identity") {
    return new HttpStatusError(415, Code.INVALID_ARGUMENT, `content-encoding ${encoding} is not supported`);
  }
  const text = body.toString("utf8");
  try {
    if (fields.body.kind === "all") return fromJsonString(input, text, options);
    const field = fields.body.field;
    const message = create(input);
    if (field.fieldKind === "message") {
      // The field's own message, read as protobuf-es reads a whole body (duplicate keys refused).
      reflect(input, message).set(field, reflect(field.message, fromJsonString(field.message, text, options)));
      return message;
    }
    return fromJson(input, { [field.jsonName]: JSON.parse(text) as JsonValue }, options);
  } catch (error) {
    return invalid(error instanceof Error ? error.message : String(error));
  }
}

/**
 * Why the body and the path disagree on a field both give, or undefined: a field the path binds
 * may also come in the body (a resource's name in the resource), but only with the same value.
 */
function bodyConflict(
  input: DescMessage,
  body: Message,
  path: Message,
  fields: readonly DescField[],
): string | undefined {
  let inBody = reflect(input, body);
  let inPath = reflect(input, path);
  for (const [index, field] of fields.entries()) {
    if (!inBody.isSet(field)) return undefined;
    const bodyValue: unknown = inBody.get(field);
    const pathValue: unknown = inPath.get(field);
    if (index === fields.length - 1) {
      if (bodyValue === pathValue) return undefined;
      const name = fields.map((f) => f.name).join(".");
      return `${name} is ${JSON.stringify(String(pathValue))} in the path and ${JSON.stringify(String(bodyValue))} in the body`;
    }
    if (!isReflectMessage(bodyValue) || !isReflectMessage(pathValue)) return undefined;
    inBody = bodyValue;
    inPath = pathValue;
  }
  return undefined;
}
