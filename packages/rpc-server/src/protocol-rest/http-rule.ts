/**
 * A method's REST bindings, read from its `google.api.http` option (google/api/http.proto) in the
 * descriptors the engine builds from a service's descriptor set: no generated code for google.api,
 * the option is read through the registry's extension descriptor and protobuf-es reflection. A
 * descriptor set without google/api/annotations.proto has no rules: its methods are not routed.
 *
 * Each rule and its `additional_bindings` become one HttpBinding each; `bindingFields` says which
 * request fields a binding takes from the path, the body and the query. What the contract gets wrong
 * (a template, a field that does not exist or cannot be bound, a body on GET) throws an
 * HttpRuleError naming the method at start. The REST router and the OpenAPI generator read both.
 */
import {
  getOption,
  hasOption,
  isMessage,
  type DescField,
  type DescMessage,
  type DescMethod,
  type Registry,
} from "@bufbuild/protobuf";
import { isReflectMessage, reflect, type ReflectMessage } from "@bufbuild/protobuf/reflect";
import { parsePathTemplate, type PathTemplate, type TemplateVariable } from "./path-template.js";

/** One HTTP route of a method. */
export interface HttpBinding {
  readonly method: DescMethod;
  /** `GET`, `PUT`, `POST`, `DELETE`, `PATCH`, or a custom pattern's kind as written (`HEAD`, `*`). */
  readonly httpMethod: string;
  readonly template: PathTemplate;
  /** `""` (no body), `"*"` (every field the path does not bind), or a top-level request field's name. */
  readonly body: string;
  /** `""` (the whole response) or a top-level response field's name. */
  readonly responseBody: string;
}

export class HttpRuleError extends Error {
  constructor(method: DescMethod, reason: string) {
    super(`invalid google.api.http rule on ${method.parent.typeName}.${method.name}: ${reason}`);
    this.name = "HttpRuleError";
  }
}

/** The option's full name: google/api/annotations.proto's extension of MethodOptions. */
const HTTP_OPTION = "google.api.http";
const PATTERNS = ["get", "put", "post", "delete", "patch"] as const;

/**
 * The method's bindings, its rule's first, then its `additional_bindings`; none without the option.
 * Throws an HttpRuleError for a rule the engine cannot serve as written.
 */
export function httpBindings(method: DescMethod, registry: Registry): HttpBinding[] {
  const extension = registry.getExtension(HTTP_OPTION);
  if (extension === undefined || extension.fieldKind !== "message" || !hasOption(method, extension)) return [];
  const rule: unknown = getOption(method, extension);
  if (!isMessage(rule, extension.message)) throw new HttpRuleError(method, "the option is not a google.api.HttpRule");
  const top = reflect(extension.message, rule);
  const additional = listOfMessages(top, "additional_bindings");
  const bindings = [binding(method, top), ...additional.map((r) => binding(method, r))];
  if (additional.some((r) => listOfMessages(r, "additional_bindings").length > 0)) {
    throw new HttpRuleError(method, "additional_bindings must not have additional_bindings of their own");
  }
  if (method.methodKind !== "unary") {
    throw new HttpRuleError(method, `a ${method.methodKind} method cannot be transcoded: only unary methods can`);
  }
  return bindings;
}

function binding(method: DescMethod, rule: ReflectMessage): HttpBinding {
  const fail = (reason: string): never => {
    throw new HttpRuleError(method, reason);
  };
  const oneof = rule.oneofs.find((o) => o.name === "pattern");
  const chosen = oneof === undefined ? undefined : rule.oneofCase(oneof);
  if (chosen === undefined) return fail("no pattern (get, put, post, delete, patch or custom) is set");
  let httpMethod: string;
  let pattern: string;
  if ((PATTERNS as readonly string[]).includes(chosen.name)) {
    httpMethod = chosen.name.toUpperCase();
    pattern = stringField(rule, chosen.name);
  } else {
    const custom = rule.get(chosen);
    if (!isReflectMessage(custom)) return fail("custom is not a CustomHttpPattern");
    httpMethod = stringField(custom, "kind");
    pattern = stringField(custom, "path");
    if (httpMethod === "") fail("a custom pattern needs a kind");
  }
  let template: PathTemplate;
  try {
    template = parsePathTemplate(pattern);
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
  const body = stringField(rule, "body");
  const responseBody = stringField(rule, "response_body");
  if (body !== "" && (httpMethod === "GET" || httpMethod === "DELETE")) {
    fail(`${httpMethod} ${pattern} has a body ("${body}"): ${httpMethod} requests carry none`);
  }
  const result: HttpBinding = { method, httpMethod, template, body, responseBody };
  bindingFields(result); // validates the field names against the messages
  return result;
}

/** A request field bound by a path variable, as the chain of fields from the request message. */
export interface PathField {
  readonly variable: TemplateVariable;
  readonly fields: readonly DescField[];
}

/** A query parameter: a leaf field of the request (or a repeated one) that neither path nor body binds. */
export interface QueryParameter {
  /** The chain of fields from the request message to the leaf. */
  readonly fields: readonly DescField[];
  /** Its name by proto field names (`sub.subfield`), and by JSON names (`sub.subField`). */
  readonly name: string;
  readonly jsonName: string;
  /** The leaf field: a scalar, an enum, or a message with a JSON form of its own (Timestamp, wrappers, …). */
  readonly field: DescField;
  readonly repeated: boolean;
}

export interface BindingFields {
  readonly path: readonly PathField[];
  /** `none`: no body; `all`: body `*`; `field`: the top-level field the body is. */
  readonly body:
    { readonly kind: "none" } | { readonly kind: "all" } | { readonly kind: "field"; readonly field: DescField };
  /** Every query parameter the binding accepts (none with body `*`). */
  readonly query: readonly QueryParameter[];
  /** The response field the response body is, or undefined for the whole response. */
  readonly responseBody: DescField | undefined;
}

/**
 * Which request fields a binding takes from the path, the body and the query (http.proto's "Rules
 * for HTTP mapping"). Path variables must name singular scalar or enum fields through singular
 * messages; body and response_body a top-level field; query parameters are every other leaf, through
 * singular messages (a recursive message's fields are offered once), repeated scalars included.
 */
export function bindingFields(binding: HttpBinding): BindingFields {
  const { method, template } = binding;
  const fail = (reason: string): never => {
    throw new HttpRuleError(method, `${binding.httpMethod} ${template.pattern}: ${reason}`);
  };
  const path = template.variables.map((variable): PathField => {
    const fields = resolveFieldPath(method.input, variable.fieldPath, fail);
    const leaf = fields[fields.length - 1] as DescField;
    if (leaf.fieldKind !== "scalar" && leaf.fieldKind !== "enum") {
      fail(`the path variable {${variable.fieldPath.join(".")}} must name a singular scalar or enum field`);
    }
    return { variable, fields };
  });
  let body: BindingFields["body"];
  if (binding.body === "") body = { kind: "none" };
  else if (binding.body === "*") body = { kind: "all" };
  else body = { kind: "field", field: topLevelField(method.input, binding.body, "body", fail) };
  const responseBody =
    binding.responseBody === "" ? undefined : topLevelField(method.output, binding.responseBody, "response_body", fail);

  const query: QueryParameter[] = [];
  if (body.kind !== "all") {
    const bound = new Set(path.map((p) => p.fields));
    const collect = (message: DescMessage, prefix: readonly DescField[], visiting: ReadonlySet<string>): void => {
      for (const field of message.fields) {
        const fields = [...prefix, field];
        if (prefix.length === 0 && body.kind === "field" && body.field === field) continue;
        if ([...bound].some((p) => sameChain(p, fields))) continue;
        const leaf = queryLeaf(field);
        if (leaf !== undefined) {
          query.push({
            fields,
            name: fields.map((f) => f.name).join("."),
            jsonName: fields.map((f) => f.jsonName).join("."),
            field,
            repeated: leaf === "repeated",
          });
        } else if (field.fieldKind === "message" && !visiting.has(field.message.typeName)) {
          collect(field.message, fields, new Set([...visiting, field.message.typeName]));
        }
      }
    };
    collect(method.input, [], new Set([method.input.typeName]));
  }
  return { path, body, query, responseBody };
}

/** Whether a field is a query parameter of its own (`single` or `repeated`), or undefined. */
function queryLeaf(field: DescField): "single" | "repeated" | undefined {
  switch (field.fieldKind) {
    case "scalar":
    case "enum":
      return "single";
    case "list":
      return field.listKind === "message" ? undefined : "repeated";
    case "message":
      // A well-known type written in JSON as one string or number: a timestamp, a duration, a wrapper.
      return JSON_SCALAR_MESSAGES.has(field.message.typeName) ? "single" : undefined;
    case "map":
      return undefined;
  }
}

/** Messages whose proto3 JSON form is a single string, number or boolean. */
const JSON_SCALAR_MESSAGES = new Set(
  [
    "Timestamp",
    "Duration",
    "FieldMask",
    "DoubleValue",
    "FloatValue",
    "Int64Value",
    "UInt64Value",
    "Int32Value",
    "UInt32Value",
    "BoolValue",
    "StringValue",
    "BytesValue",
  ].map((name) => `google.protobuf.${name}`),
);

function sameChain(a: readonly DescField[], b: readonly DescField[]): boolean {
  return a.length === b.length && a.every((field, i) => field === b[i]);
}

/** The fields a dotted path names, through singular message fields. */
function resolveFieldPath(
  message: DescMessage,
  names: readonly string[],
  fail: (reason: string) => never,
): DescField[] {
  const fields: DescField[] = [];
  let current: DescMessage | undefined = message;
  for (const name of names) {
    if (current === undefined) return fail(`${names.join(".")} must go through singular message fields`);
    const field: DescField | undefined = current.fields.find((f) => f.name === name);
    if (field === undefined) return fail(`${message.typeName} has no field ${names.join(".")}`);
    fields.push(field);
    current = field.fieldKind === "message" ? field.message : undefined;
  }
  return fields;
}

function topLevelField(message: DescMessage, name: string, what: string, fail: (reason: string) => never): DescField {
  const field = message.fields.find((f) => f.name === name);
  return field ?? fail(`${what} "${name}" is not a top-level field of ${message.typeName}`);
}

function stringField(message: ReflectMessage, name: string): string {
  const field = message.fields.find((f) => f.name === name);
  const value = field === undefined ? undefined : message.get(field);
  return typeof value === "string" ? value : "";
}

function listOfMessages(message: ReflectMessage, name: string): ReflectMessage[] {
  const field = message.fields.find((f) => f.name === name);
  if (field === undefined || field.fieldKind !== "list") return [];
  return [...message.get(field)].filter((item) => isReflectMessage(item));
}
