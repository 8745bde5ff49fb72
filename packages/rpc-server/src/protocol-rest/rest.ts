/**
 * REST: the routes of every unary method annotated with `google.api.http`, transcoded to and from
 * JSON by the engine (gRPC transcoding as grpc-gateway and Envoy do it), on HTTP/1.1 and HTTP/2.
 * Each call is served by the web protocols' unary exchange (web/unary-exchange.ts) through the same
 * pipeline as every other protocol — middleware, telemetry (protocol `rest`), deadline, cancellation —
 * with a wire format made for the request: its path variables and query, read into the request
 * message with its body (request.ts); the response as JSON (lowerCamel names, zero values written,
 * as Connect writes them), or its `response_body` field; an error as google.rpc.Status (status.ts).
 *
 * The deadline is the `grpc-timeout` header, as grpc-gateway reads it (`grpc-timeout: 2S`), so one
 * header means the same on gRPC and REST; a malformed one is INVALID_ARGUMENT. A handler's headers go
 * out as HTTP headers and its trailers as `trailer-`-prefixed headers, as Connect's unary protocol
 * sends them. A successful GET of a method without side effects may be cached (web/cache-policy.ts).
 *
 * A path that is a method's RPC path (`/pkg.Service/Method`) is never REST: Connect and gRPC-Web keep
 * it whatever a template matches. A path no template matches is left to them too (their 404); one
 * that matches only other methods' templates is 405 with `Allow`.
 */
import type { OutgoingHttpHeaders } from "node:http";
import { toJson, type JsonValue } from "@bufbuild/protobuf";
import { TransportCallContext } from "../call-context.js";
import { CallError, Code, wireErrors } from "../call-error.js";
import { MAX_QUERY_BYTES, type ServerLimits } from "../limits.js";
import type { Pipelines, UnaryPipeline } from "../pipeline/pipeline.js";
import { withTrailerHeaders } from "../protocol-connect/unary.js";
import { parseGrpcTimeoutMs } from "../protocol/timeouts.js";
import { cacheControl } from "../web/cache-policy.js";
import { JSON_OPTIONS, type MethodCodec, type ServiceDescriptor } from "../web/descriptors.js";
import { HttpStatusError, type HttpExchange } from "../web/http-exchange.js";
import { serveUnary, type UnaryWireFormat, type WireResponse } from "../web/unary-exchange.js";
import { bindingFields, httpBindings, type QueryParameter } from "./http-rule.js";
import { quote } from "./query.js";
import { readRequest, type RequestReader } from "./request.js";
import { createRouteTable } from "./routes.js";
import { httpStatusOf, statusJson } from "./status.js";

interface RestRoute extends RequestReader {
  readonly pipeline: UnaryPipeline;
  readonly codec: MethodCodec;
}

export interface Rest {
  /** Serves `exchange` if it is a REST request, and says whether it was. */
  readonly serve: (exchange: HttpExchange, extraHeaders: OutgoingHttpHeaders | undefined) => boolean;
  /** The HTTP methods of the routes, for CORS preflights. */
  readonly methods: readonly string[];
}

const JSON_HEADERS = Object.freeze({ "content-type": "application/json" });

/**
 * The REST routes of the served methods, or undefined when no method has one. Throws (HttpRuleError)
 * for a rule the engine cannot serve.
 */
export function createRest(
  descriptors: ReadonlyMap<string, ServiceDescriptor>,
  pipelines: Pipelines,
  codecs: ReadonlyMap<string, MethodCodec>,
  limits: ServerLimits,
): Rest | undefined {
  const routes: RestRoute[] = [];
  for (const { service, registry } of descriptors.values()) {
    for (const method of service.methods) {
      const bindings = httpBindings(method, registry);
      const path = `/${service.typeName}/${method.name}`;
      const pipeline = pipelines.get(path);
      const codec = codecs.get(path);
      if (bindings.length === 0 || pipeline?.kind !== "unary" || codec === undefined) continue;
      for (const binding of bindings) {
        const fields = bindingFields(binding);
        const parameters = new Map<string, QueryParameter>();
        for (const parameter of fields.query) {
          parameters.set(parameter.name, parameter);
          parameters.set(parameter.jsonName, parameter);
        }
        routes.push({ binding, fields, parameters, registry, pipeline, codec });
      }
    }
  }
  if (routes.length === 0) return undefined;
  const table = createRouteTable(routes);

  function refuseMethod(
    exchange: HttpExchange,
    allow: readonly string[],
    extraHeaders: OutgoingHttpHeaders | undefined,
  ) {
    const error = new CallError(
      Code.UNIMPLEMENTED,
      `${exchange.method} is not allowed on ${quote(exchange.path)}: it takes ${allow.join(", ")}`,
    );
    exchange.respond(405, { ...JSON_HEADERS, allow: allow.join(", "), ...extraHeaders }, statusJson(error, undefined));
  }

  function serve(exchange: HttpExchange, extraHeaders: OutgoingHttpHeaders | undefined): boolean {
    if (pipelines.has(exchange.path)) return false;
    const match = table.match(exchange.method, exchange.path);
    if (match.kind === "none") return false;
    if (match.kind === "wrong-method") {
      refuseMethod(exchange, match.allow, extraHeaders);
      return true;
    }
    const { route } = match;
    const timeoutMs = parseGrpcTimeoutMs(exchange.header("grpc-timeout"));
    const context = new TransportCallContext(
      route.pipeline.method,
      "rest",
      "direct",
      exchange.httpVersion,
      exchange.header,
      exchange.peer,
      timeoutMs ?? Number.POSITIVE_INFINITY,
    );
    // What is wrong with the request before its body is read; the call still runs through the
    // pipeline with it, so middleware log and count it once, like any failed call.
    let refusal: CallError | undefined;
    if (timeoutMs === undefined) {
      refusal = new CallError(
        Code.INVALID_ARGUMENT,
        `invalid grpc-timeout: ${quote(exchange.header("grpc-timeout") ?? "")}`,
      );
    } else if (exchange.query.length > MAX_QUERY_BYTES) {
      refusal = new HttpStatusError(
        414,
        Code.RESOURCE_EXHAUSTED,
        `the query string is ${exchange.query.length} bytes, more than the limit of ${MAX_QUERY_BYTES}`,
      );
    } else if (match.kind === "bad-path") {
      refusal = new CallError(Code.INVALID_ARGUMENT, match.reason);
    }
    const pathValues = match.kind === "found" ? match.values : [];
    const { codec, registry } = route;
    const responseField = route.fields.responseBody;
    const format: UnaryWireFormat = {
      maxBodyBytes: limits.maxReceiveMessageBytes,
      decode(body) {
        if (refusal !== undefined) return refusal;
        const message = readRequest(route, { pathValues, query: exchange.query, header: exchange.header, body });
        if (message instanceof CallError) return message;
        try {
          return codec.requestFromMessage(message);
        } catch (error) {
          return wireErrors.cannotParse(error);
        }
      },
      answer(response, trailers): WireResponse {
        const json = toJson(codec.descriptor.output, codec.responseToMessage(response), { ...JSON_OPTIONS, registry });
        const body: JsonValue =
          responseField === undefined || typeof json !== "object" || json === null || Array.isArray(json)
            ? json
            : (json[responseField.jsonName] ?? null);
        const cache = cacheControl(codec.descriptor, exchange.method, exchange.header, context.setResponseHeader);
        const headers = withTrailerHeaders(JSON_HEADERS, trailers);
        return {
          status: 200,
          headers: cache === undefined ? headers : { ...headers, "cache-control": cache },
          body: Buffer.from(JSON.stringify(body)),
        };
      },
      fail: (error, trailers) => ({
        status: httpStatusOf(error),
        headers: withTrailerHeaders(JSON_HEADERS, trailers),
        body: statusJson(error, registry),
      }),
    };
    serveUnary(route.pipeline, exchange, context, format, extraHeaders);
    return true;
  }

  return { serve, methods: table.methods };
}
