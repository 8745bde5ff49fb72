/**
 * The OpenAPI 3.1 document of the services a server built on this engine serves over HTTP with JSON:
 * each unary method as a Connect call. Generated from the contract's descriptor set (never written by
 * hand), at build time.
 */
import { createFileRegistry, fromBinary, type DescMessage, type DescService } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { DEFAULT_LIMITS, HTTP1_HEADERS_TIMEOUT_MS, MAX_QUERY_BYTES, type ServerLimits } from "../limits.js";
import { Code } from "../call-error.js";
import { comment, fileHeader } from "./comments.js";
import { connectRoutes } from "./connect-routes.js";
import { connectErrors, errorResponses, restErrors, type ErrorProtocol, type ErrorResponses } from "./errors.js";
import { ComponentSchemas } from "./json-schema.js";
import { restRoutes, type RestErrors, type UndescribedRoute } from "./rest-routes.js";
import type { RouteContext } from "./route-context.js";
import { paragraphs } from "./text.js";
import type { Info, JsonSchema, OpenApiDocument, PathItem, Response, Server, Tag } from "./types.js";
import { httpBindings } from "../protocol-rest/http-rule.js";

export interface OpenApiOptions {
  /**
   * The services' FileDescriptorSet, as `buf build` writes it. With source info (buf's default), the
   * .proto comments become the document's descriptions.
   */
  readonly descriptorSet: Uint8Array;
  /** The services to describe, by full name ("fixture.v1.EchoService"). */
  readonly services: readonly string[];
  /**
   * The document's title, version, …; without a description, the header comment of the first
   * service's .proto file is the description. Either way the document adds how to call the services
   * and the server's limits.
   */
  readonly info: Info;
  /** Where the services are served. */
  readonly servers: readonly Server[];
  /** The limits the server is started with (`RpcServerOptions.limits`); the engine's defaults otherwise. */
  readonly limits?: Partial<ServerLimits>;
  /**
   * The messages errors carry as details, by full name: each is described where details are. By
   * default every message of googleapis' google/rpc/error_details.proto in the set.
   */
  readonly errorDetails?: readonly string[];
}

const ERROR_DETAILS_FILE = "google/rpc/error_details.proto";

const seconds = (ms: number): string => `${ms / 1000} s`;

export function openApiDocument(options: OpenApiOptions): OpenApiDocument {
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, options.descriptorSet));
  const services = options.services.map((name): DescService => {
    const service = registry.getService(name);
    if (service === undefined) throw new Error(`the descriptor set does not hold the service ${name}`);
    return service;
  });
  const detailTypes =
    options.errorDetails?.map((name): DescMessage => {
      const message = registry.getMessage(name);
      if (message === undefined) throw new Error(`the descriptor set does not hold the error detail ${name}`);
      return message;
    }) ?? [...registry.files].filter((file) => file.proto.name === ERROR_DETAILS_FILE).flatMap((file) => file.messages);
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...options.limits };

  const schemas = new ComponentSchemas(detailTypes);
  const context: RouteContext = {
    registry,
    schemas,
    requestLimit: `At most ${limits.maxReceiveMessageBytes} bytes: a larger request is \`RESOURCE_EXHAUSTED\`.`,
  };
  const tooLarge = `A request body over ${limits.maxReceiveMessageBytes} bytes is refused before it is read.`;
  const errorSchemas: Record<string, JsonSchema> = {};
  const errorComponents: Record<string, Response> = {};
  /** A protocol's error responses, with its schemas and responses added to the document's components. */
  const errorsOf = (
    errors: { protocol: ErrorProtocol; schemas: Record<string, JsonSchema> },
    explained: ReadonlyMap<number, string>,
  ): ErrorResponses => {
    Object.assign(errorSchemas, errors.schemas);
    const responses = errorResponses(errors.protocol, explained);
    Object.assign(errorComponents, responses.components);
    return responses;
  };

  const paths: Record<string, PathItem> = {};
  const undescribed: UndescribedRoute[] = [];
  const connect = connectErrors(schemas);
  const connectResponses = errorsOf(
    connect,
    new Map([
      [
        connect.protocol.httpStatus(Code.INVALID_ARGUMENT),
        "The request is not one the method accepts: a body that is not proto3 JSON of the request message " +
          "(a field or enum value the message does not have, a wrong type) is `invalid_argument` too.",
      ],
      [connect.protocol.httpStatus(Code.RESOURCE_EXHAUSTED), tooLarge],
    ]),
  );
  const hasRest = services.some((service) => service.methods.some((m) => httpBindings(m, registry).length > 0));
  if (hasRest) {
    const rest = restErrors(schemas, registry);
    const { codeLabel } = rest.protocol;
    const invalid: [number, string] = [
      rest.protocol.httpStatus(Code.INVALID_ARGUMENT),
      "The request is not one the method accepts: a malformed path value or query, a query parameter the " +
        "route does not have (or a single one given twice), a body that is not proto3 JSON of the request, or " +
        `a malformed \`grpc-timeout\` is ${codeLabel(Code.INVALID_ARGUMENT)} too.`,
    ];
    const body: [number, string][] = [
      [
        413,
        `${codeLabel(Code.RESOURCE_EXHAUSTED)}: a body over ${limits.maxReceiveMessageBytes} bytes, refused before ` +
          "it is read.",
      ],
      [
        415,
        `${codeLabel(Code.INVALID_ARGUMENT)}: the body is not JSON (\`Content-Type: application/json\`), or is ` +
          "compressed (`Content-Encoding`).",
      ],
    ];
    const query: [number, string] = [
      414,
      `${codeLabel(Code.RESOURCE_EXHAUSTED)}: a query string over ${MAX_QUERY_BYTES} bytes.`,
    ];
    const errors: RestErrors = (reads) =>
      errorsOf(rest, new Map([invalid, ...(reads.body ? body : []), ...(reads.query ? [query] : [])]));
    for (const service of services) undescribed.push(...restRoutes(service, context, errors, paths));
  }
  for (const service of services) Object.assign(paths, connectRoutes(service, context, connectResponses));
  const tags = services.map((service): Tag => ({
    name: service.typeName,
    description: comment(service) ?? service.typeName,
  }));
  const [first] = services;

  return {
    openapi: "3.1.1",
    info: {
      ...options.info,
      description: paragraphs(
        options.info.description ?? (first === undefined ? undefined : fileHeader(first.file)),
        calling(services, hasRest, undescribed),
        [
          "## Limits",
          "",
          `- A request message: at most ${limits.maxReceiveMessageBytes} bytes (the JSON body, or the binary message); ` +
            "a larger one is refused with `RESOURCE_EXHAUSTED` before it is read (HTTP 429 over Connect, 413 over REST).",
          ...(hasRest ? [`- A REST request's query string: at most ${MAX_QUERY_BYTES} bytes (HTTP 414 past it).`] : []),
          `- Over HTTP/1.1, a request's headers must arrive within ${seconds(HTTP1_HEADERS_TIMEOUT_MS)} and the whole ` +
            `request within ${seconds(limits.http1RequestTimeoutMs)} (HTTP 408 past it).`,
          `- A call's own time limit (\`Connect-Timeout-Ms\`${hasRest ? ", or `grpc-timeout` over REST" : ""}): past ` +
            "it, `DEADLINE_EXCEEDED` (HTTP 504).",
        ].join("\n"),
      ),
    },
    servers: options.servers,
    // No operation takes credentials: the services are public (or put behind the platform's own access control).
    security: [],
    tags,
    paths,
    components: {
      schemas: sorted({ ...schemas.schemas, ...errorSchemas }),
      responses: usedResponses(paths, errorComponents),
    },
  };
}

/** An object with its keys in order, so that the document is the same from one build to the next. */
const sorted = <T>(record: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** The responses of `all` that some operation refers to (an unused component is noise, and linters say so). */
function usedResponses(
  paths: Readonly<Record<string, PathItem>>,
  all: Readonly<Record<string, Response>>,
): Record<string, Response> {
  const used = new Set<string>();
  for (const item of Object.values(paths)) {
    for (const operation of Object.values(item)) {
      for (const response of Object.values(operation.responses)) {
        if ("$ref" in response) used.add(response.$ref.slice("#/components/responses/".length));
      }
    }
  }
  return Object.fromEntries(Object.entries(all).filter(([name]) => used.has(name)));
}

/** How the document's operations relate to the services' methods. */
function calling(services: readonly DescService[], hasRest: boolean, undescribed: readonly UndescribedRoute[]): string {
  const streaming = services.flatMap((service) =>
    service.methods.filter((method) => method.methodKind !== "unary").map((m) => `\`${service.typeName}.${m.name}\``),
  );
  return [
    "## Calling it",
    "",
    "Each unary method is a Connect call: `POST /{service}/{method}` with the request message as its JSON body " +
      "(https://connectrpc.com/docs/protocol/); a method without side effects may also be called with `GET`. " +
      "gRPC and gRPC-Web clients call the same methods on the same port.",
    ...(hasRest
      ? [
          "",
          "Methods the contract maps with `google.api.http` are REST routes too: path variables and query " +
            "parameters set request fields, the body is the request (or one of its fields) as JSON, and an error " +
            "answers google.rpc.Status as JSON (`{code, message, details}`) with the HTTP status of its code.",
        ]
      : []),
    ...(undescribed.length === 0
      ? []
      : [
          "",
          `Routes on HTTP methods OpenAPI 3.1 cannot describe: ${undescribed
            .map((r) => `\`${r.route}\` (\`${r.method.parent.typeName}.${r.method.name}\`)`)
            .join(", ")}.`,
        ]),
    "",
    "JSON is proto3 JSON (https://protobuf.dev/programming-guides/json/): field names in lowerCamelCase (the " +
      ".proto's own names are read too), 64-bit integers as strings, enums by name. A field or enum value the " +
      "message does not have is refused with `INVALID_ARGUMENT`, never dropped. Every field is optional: one " +
      "left out reads as its default value (the `default` of its schema), and answers write default values too.",
    ...(streaming.length === 0
      ? []
      : [
          "",
          `Streaming methods (${streaming.join(", ")}) are served over gRPC, gRPC-Web and Connect's streaming ` +
            "protocol, whose enveloped bodies OpenAPI does not describe.",
        ]),
  ].join("\n");
}
