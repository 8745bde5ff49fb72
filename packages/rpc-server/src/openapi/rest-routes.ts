/**
 * The REST routes a contract maps with `google.api.http` (google/api/http.proto), as the engine
 * transcodes them (protocol-rest/http-rule.ts reads the rules for both): path variables as path
 * parameters, the body (`*` or one field), the remaining fields as query parameters, and the
 * response (whole, or `response_body`'s field).
 */
import type { DescField, DescMethod, DescService } from "@bufbuild/protobuf";
import {
  bindingFields,
  httpBindings,
  type BindingFields,
  type HttpBinding,
  type PathField,
  type QueryParameter,
} from "../protocol-rest/http-rule.js";
import type { PathTemplate, TemplateSegment } from "../protocol-rest/path-template.js";
import { GRPC_TIMEOUT } from "../protocol/timeouts.js";
import { cacheHeaders } from "./cache-header.js";
import { comment } from "./comments.js";
import { fieldNotes } from "./json-schema.js";
import type { ErrorResponses } from "./errors.js";
import type { RouteContext } from "./route-context.js";
import { firstSentence, paragraphs } from "./text.js";
import type { HttpMethod, JsonSchema, Operation, Parameter, PathItem, RequestBody } from "./types.js";

/** The HTTP methods an OpenAPI 3.1 path item can hold; a rule's custom kinds (`SEARCH`) are beyond it. */
const OPENAPI_METHODS: ReadonlySet<string> = new Set<HttpMethod>(["get", "put", "post", "delete", "patch"]);
const isOpenApiMethod = (verb: string): verb is HttpMethod => OPENAPI_METHODS.has(verb);

/** A REST operation's error responses, by whether it reads a body and query parameters. */
export type RestErrors = (reads: { readonly body: boolean; readonly query: boolean }) => ErrorResponses;

/** A route OpenAPI 3.1 cannot describe, for the document to name. */
export interface UndescribedRoute {
  readonly method: DescMethod;
  readonly route: string;
}

/**
 * Adds the service's REST routes to `paths`, each binding one operation; returns the routes it could
 * not describe (custom HTTP methods).
 */
export function restRoutes(
  service: DescService,
  context: RouteContext,
  errors: RestErrors,
  paths: Record<string, PathItem>,
): UndescribedRoute[] {
  const undescribed: UndescribedRoute[] = [];
  for (const method of service.methods) {
    httpBindings(method, context.registry).forEach((binding, index) => {
      const verb = binding.httpMethod.toLowerCase();
      if (!isOpenApiMethod(verb)) {
        undescribed.push({ method, route: `${binding.httpMethod} ${binding.template.pattern}` });
        return;
      }
      const fields = bindingFields(binding);
      const path = openApiPath(binding.template, fields.path, paths);
      const item = (paths[path.key] ??= {});
      if (item[verb] !== undefined) {
        throw new Error(`two google.api.http bindings are both ${binding.httpMethod} ${binding.template.pattern}`);
      }
      item[verb] = restOperation(binding, index, path.parameters, fields, context, errors);
    });
  }
  return undescribed;
}

/**
 * The OpenAPI path of a template: its variables as `{name}` parameters. A path of the same shape as
 * one already in the document (`/v1/{name}` and `/v1/{book.name}`) takes that path's parameter names,
 * since OpenAPI allows one path per shape; each parameter still says which field it sets.
 */
function openApiPath(
  template: PathTemplate,
  bound: readonly PathField[],
  paths: Readonly<Record<string, PathItem>>,
): { key: string; parameters: { name: string; field: PathField }[] } {
  const render = (names: readonly string[]): string => {
    let path = "";
    for (let i = 0; i < template.segments.length; i++) {
      const variable = bound.findIndex((p) => p.variable.start === i);
      const field = bound[variable];
      if (field !== undefined) {
        path += `/{${names[variable] ?? ""}}`;
        i = field.variable.end - 1;
      } else {
        path += `/${segmentText(template.segments[i])}`;
      }
    }
    return template.verb === undefined ? path : `${path}:${template.verb}`;
  };
  const own = bound.map((p) => p.variable.fieldPath.join("."));
  const shape = (path: string): string => path.replace(/\{[^}]*\}/g, "{}");
  const same = Object.keys(paths).find((key) => shape(key) === shape(render(own)));
  const names = same === undefined ? own : [...same.matchAll(/\{([^}]*)\}/g)].map((m) => m[1] ?? "");
  return { key: same ?? render(own), parameters: bound.map((field, i) => ({ name: names[i] ?? "", field })) };
}

function segmentText(segment: TemplateSegment | undefined): string {
  switch (segment?.kind) {
    case "literal":
      return segment.value;
    case "wildcard":
      return "*";
    default:
      return "**";
  }
}

/** A multi-segment variable's segments as a regular expression its value matches. */
function variablePattern(template: PathTemplate, field: PathField): string | undefined {
  if (!field.variable.multiSegment) return undefined;
  const parts = template.segments.slice(field.variable.start, field.variable.end).map((segment) => {
    switch (segment.kind) {
      case "literal":
        return segment.value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      case "wildcard":
        return "[^/]+";
      case "multi-wildcard":
        return ".*";
    }
  });
  return `^${parts.join("/")}$`;
}

/** The call's deadline, as grpc-gateway reads it over REST. */
const GRPC_TIMEOUT_HEADER: Parameter = {
  name: "grpc-timeout",
  in: "header",
  description:
    "The call's time limit as gRPC writes it, digits and a unit (`H`, `M`, `S`, `m` ms, `u` µs, `n` ns): " +
    "`2S`, `500m`. Past it the call ends with `DEADLINE_EXCEEDED`.",
  schema: { type: "string", pattern: GRPC_TIMEOUT.source },
};

/** A field's name and, when it is not the same, its .proto name, which the engine reads too. */
const alsoProtoName = (jsonName: string, name: string): string | undefined =>
  jsonName === name ? undefined : `Also read as \`${name}\`.`;

function restOperation(
  binding: HttpBinding,
  index: number,
  pathParameters: readonly { name: string; field: PathField }[],
  fields: BindingFields,
  context: RouteContext,
  errors: RestErrors,
): Operation {
  const { method } = binding;
  const about = comment(method);
  const { schemas } = context;
  const valueSchema = (field: DescField): JsonSchema => ({
    ...schemas.fieldType(field).schema,
    description: undefined,
  });

  const parameters: Parameter[] = [
    ...pathParameters.map(({ name, field }): Parameter => {
      const leaf = field.fields[field.fields.length - 1] as DescField;
      const fieldPath = field.variable.fieldPath.join(".");
      const pattern = variablePattern(binding.template, field);
      return {
        name,
        in: "path",
        required: true,
        description: paragraphs(
          name === fieldPath ? undefined : `Sets the request's \`${fieldPath}\`.`,
          fieldNotes(leaf),
          schemas.fieldType(leaf).schema.description,
          pattern === undefined
            ? undefined
            : "Several path segments: send its `/`s as they are (not percent-encoded as `%2F`).",
        ),
        schema: { ...valueSchema(leaf), ...(pattern === undefined ? {} : { pattern }) },
      };
    }),
    ...fields.query.map((parameter) => queryParameter(parameter, context)),
    GRPC_TIMEOUT_HEADER,
  ];

  const requestBody = restRequestBody(binding, fields, context);
  const response = fields.responseBody;
  return {
    operationId: `${method.parent.typeName}_${method.name}_rest${index === 0 ? "" : String(index + 1)}`,
    summary: about === undefined ? method.name : firstSentence(about),
    description: paragraphs(
      about,
      `\`${method.parent.typeName}.${method.name}\` over REST (\`${binding.httpMethod} ${binding.template.pattern}\`).`,
    ),
    tags: [method.parent.typeName],
    ...(method.deprecated ? { deprecated: true } : {}),
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(requestBody === undefined ? {} : { requestBody }),
    responses: {
      "200": {
        description:
          response === undefined
            ? `${method.output.typeName} as proto3 JSON.`
            : `The \`${response.jsonName}\` field of ${method.output.typeName}, as proto3 JSON.`,
        ...(binding.httpMethod === "GET" ? { headers: cacheHeaders(method) } : {}),
        content: {
          "application/json": { schema: response === undefined ? schemas.ref(method.output) : valueSchema(response) },
        },
      },
      ...errors({ body: requestBody !== undefined, query: fields.query.length > 0 }).refs,
    },
  };
}

function queryParameter(parameter: QueryParameter, context: RouteContext): Parameter {
  const type = context.schemas.fieldType(parameter.field);
  const nested = parameter.fields.length > 1;
  return {
    name: parameter.jsonName,
    in: "query",
    description: paragraphs(
      fieldNotes(parameter.field),
      type.schema.description,
      nested ? `Sets the request's \`${parameter.jsonName}\`.` : undefined,
      alsoProtoName(parameter.jsonName, parameter.name),
      parameter.repeated ? "Repeat the parameter for each value." : undefined,
    ),
    schema: { ...type.schema, description: undefined, ...(type.zero === undefined ? {} : { default: type.zero }) },
    ...(parameter.repeated ? { style: "form", explode: true } : {}),
  };
}

function restRequestBody(binding: HttpBinding, fields: BindingFields, context: RouteContext): RequestBody | undefined {
  const { body } = fields;
  const input = binding.method.input;
  if (body.kind === "none") return undefined;
  const fromPath = fields.path.map((p) => `\`${p.variable.fieldPath.join(".")}\``);
  const schema = body.kind === "all" ? context.schemas.ref(input) : context.schemas.fieldType(body.field).schema;
  return {
    description: paragraphs(
      body.kind === "all"
        ? `${input.typeName} as proto3 JSON.`
        : `The request's \`${body.field.jsonName}\` field as proto3 JSON.`,
      fromPath.length === 0 ? undefined : `The path sets ${fromPath.join(", ")}, over any value the body gives.`,
      "An empty body leaves it at its defaults.",
      context.requestLimit,
    ),
    required: false,
    content: { "application/json": { schema } },
  };
}
