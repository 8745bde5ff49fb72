/**
 * The web protocols' library path: connect-es's router (the conformance-tested implementation of
 * Connect and gRPC-Web) for every web call the direct paths do not take — streaming of every kind,
 * compressed bodies, Connect GET, gRPC-Web with JSON — each method implemented, by a loop over the
 * services' descriptors, by the same pipeline as every other call. gRPC is not served here: on
 * HTTP/2 it goes to the direct path or grpc-js, and over HTTP/1.1 it cannot be spoken (415).
 */
import type {
  DescMethodBiDiStreaming,
  DescMethodClientStreaming,
  DescMethodServerStreaming,
  DescMethodUnary,
  DescMethod,
  DescService,
  Message,
} from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createConnectRouter,
  type ConnectRouter,
  createContextKey,
  createContextValues,
  type HandlerContext,
} from "@connectrpc/connect";
import { uResponseNotFound, type UniversalHandler } from "@connectrpc/connect/protocol";
import type { OutgoingHttpHeaders } from "node:http";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";
import { TransportCallContext, userHeaders } from "../call-context.js";
import { wireErrors, type CallError } from "../call-error.js";
import type { ServerLimits } from "../limits.js";
import {
  cancelled,
  type MethodPipeline,
  type Pipelines,
  type StreamPipeline,
  type UnaryPipeline,
} from "../pipeline/pipeline.js";
import type { StreamSink } from "../pipeline/stream-call.js";
import { startStream } from "../pipeline/stream-call.js";
import { runUnary } from "../pipeline/unary-call.js";
import { MAX_TIMER_MS } from "../protocol/timeouts.js";
import { cacheControl } from "./cache-policy.js";
import { fromConnectError, toConnectError } from "./connect-errors.js";
import { JSON_OPTIONS, type MethodCodec } from "./descriptors.js";
import type { HttpExchange } from "./http-exchange.js";

/** What connect-es does not know of a call: the HTTP version and the peer. */
const exchangeKey = createContextKey<HttpExchange | undefined>(undefined);

/** The reason connect-es aborted a call (its deadline, the client going away), as the engine words it. */
function abortReason(reason: unknown, pipeline: MethodPipeline): CallError {
  if (reason instanceof ConnectError && reason.code === Code.DeadlineExceeded) return wireErrors.deadlineExceeded;
  return cancelled(pipeline);
}

function contextOf(handlerContext: HandlerContext, pipeline: MethodPipeline): TransportCallContext {
  const exchange = handlerContext.values.get(exchangeKey);
  const context = new TransportCallContext(
    pipeline.method,
    handlerContext.protocolName === "grpc-web" ? "grpc-web" : "connect",
    "connect-es",
    exchange?.httpVersion ?? "2",
    (name) => handlerContext.requestHeader.get(name) ?? undefined,
    exchange?.peer,
    handlerContext.timeoutMs() ?? Number.POSITIVE_INFINITY,
  );
  const { signal } = handlerContext;
  if (signal.aborted) context.abort(abortReason(signal.reason, pipeline));
  else signal.addEventListener("abort", () => context.abort(abortReason(signal.reason, pipeline)), { once: true });
  return context;
}

/** The handler's headers and trailers, handed to connect-es. */
function copyMetadata(from: Headers | undefined, to: Headers): void {
  for (const [name, value] of userHeaders(from)) to.append(name, value);
}

function unary(pipeline: UnaryPipeline, codec: MethodCodec) {
  return (request: Message, handlerContext: HandlerContext): Promise<Message> => {
    const context = contextOf(handlerContext, pipeline);
    return new Promise<Message>((resolve, reject) => {
      const fail = (error: CallError) => {
        copyMetadata(context.setResponseHeader, handlerContext.responseHeader);
        copyMetadata(context.setResponseTrailer, handlerContext.responseTrailer);
        reject(toConnectError(error));
      };
      let decoded: unknown;
      try {
        decoded = codec.requestFromMessage(request);
      } catch (error) {
        decoded = wireErrors.cannotParse(error);
      }
      runUnary(pipeline, decoded, context, {
        respond(response) {
          let message: Message;
          try {
            message = codec.responseToMessage(response);
          } catch (error) {
            return fail(wireErrors.cannotEncode(error));
          }
          copyMetadata(context.setResponseHeader, handlerContext.responseHeader);
          copyMetadata(context.setResponseTrailer, handlerContext.responseTrailer);
          resolve(message);
        },
        fail,
      });
    });
  };
}

/** How many responses may wait for connect-es to take them before the handler is asked to wait. */
const RESPONSES_HIGH_WATER_MARK = 16;

/** A streaming call's responses, from the pipeline's sink to connect-es's async iterable. */
class ResponseChannel implements StreamSink {
  #buffer: Message[] = [];
  #ended = false;
  #error: CallError | undefined;
  #wake: (() => void) | undefined;
  #drained: (() => void)[] = [];
  #headersCopied = false;

  constructor(
    private readonly codec: MethodCodec,
    private readonly context: TransportCallContext,
    private readonly handlerContext: HandlerContext,
  ) {}

  #copyHeaders(): void {
    if (this.#headersCopied) return;
    this.#headersCopied = true;
    copyMetadata(this.context.setResponseHeader, this.handlerContext.responseHeader);
  }

  send(response: unknown): boolean {
    if (this.#ended) return true;
    let message: Message;
    try {
      message = this.codec.responseToMessage(response);
    } catch (error) {
      this.context.abort(wireErrors.cannotEncode(error));
      return true;
    }
    this.#copyHeaders();
    this.#buffer.push(message);
    this.#wake?.();
    return this.#buffer.length < RESPONSES_HIGH_WATER_MARK;
  }

  onDrain(listener: () => void): void {
    if (this.#buffer.length < RESPONSES_HIGH_WATER_MARK) listener();
    else this.#drained.push(listener);
  }

  end(error: CallError | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    this.#copyHeaders();
    copyMetadata(this.context.setResponseTrailer, this.handlerContext.responseTrailer);
    this.#wake?.();
  }

  async *responses(): AsyncGenerator<Message> {
    for (;;) {
      const message = this.#buffer.shift();
      if (message !== undefined) {
        if (this.#buffer.length < RESPONSES_HIGH_WATER_MARK && this.#drained.length > 0) {
          const drained = this.#drained;
          this.#drained = [];
          for (const listener of drained) listener();
        }
        yield message;
        continue;
      }
      if (this.#ended) {
        if (this.#error !== undefined) throw toConnectError(this.#error);
        return;
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
  }
}

/** Runs a streaming call of any kind over connect-es's request and response iterables. */
function stream(
  pipeline: StreamPipeline,
  codec: MethodCodec,
  requests: AsyncIterable<Message> | Iterable<Message>,
  handlerContext: HandlerContext,
): AsyncGenerator<Message> {
  const context = contextOf(handlerContext, pipeline);
  const channel = new ResponseChannel(codec, context, handlerContext);
  let paused: Promise<void> | undefined;
  let resume: (() => void) | undefined;
  const call = startStream(pipeline, context, channel, {
    pause: () => void (paused ??= new Promise((resolve) => (resume = resolve))),
    resume: () => {
      resume?.();
      paused = resume = undefined;
    },
  });
  void (async () => {
    try {
      for await (const request of requests) {
        call.push(codec.requestFromMessage(request));
        if (paused !== undefined) await paused;
      }
      call.end();
    } catch (error) {
      // A request that could not be read (bad JSON, too large, the stream cut off).
      call.push(fromConnectError(error));
    }
  })();
  return channel.responses();
}

async function lastOf(responses: AsyncIterable<Message>): Promise<Message> {
  let last: Message | undefined;
  for await (const response of responses) last = response;
  if (last === undefined) throw toConnectError(wireErrors.cannotEncode("the handler answered nothing"));
  return last;
}

/** Registers every method of `service` with connect-es, by kind, each through its pipeline. */
function register(
  router: ConnectRouter,
  service: DescService,
  pipelines: Pipelines,
  codecs: ReadonlyMap<string, MethodCodec>,
): void {
  // `methodKind` does not narrow protobuf-es's DescMethod: each branch names the kind it checked.
  for (const method of service.methods) {
    const path = `/${service.typeName}/${method.name}`;
    const pipeline = pipelines.get(path);
    const codec = codecs.get(path);
    if (pipeline === undefined || codec === undefined) continue;
    if (pipeline.kind === "unary") {
      if (method.methodKind === "unary") router.rpc(method as DescMethodUnary, unary(pipeline, codec));
      continue;
    }
    switch (method.methodKind) {
      case "server_streaming":
        router.rpc(method as DescMethodServerStreaming, (request, context) =>
          stream(pipeline, codec, [request], context),
        );
        break;
      case "client_streaming":
        router.rpc(method as DescMethodClientStreaming, (requests, context) =>
          lastOf(stream(pipeline, codec, requests, context)),
        );
        break;
      case "bidi_streaming":
        router.rpc(method as DescMethodBiDiStreaming, (requests, context) =>
          stream(pipeline, codec, requests, context),
        );
        break;
    }
  }
}

/** Serves an exchange; `extraHeaders` (CORS) are added to the response. */
export type UniversalDispatch = (
  exchange: HttpExchange,
  extraHeaders: OutgoingHttpHeaders | undefined,
) => Promise<void>;

/** Serves an exchange with connect-es: the handler for its path, or 404. */
export function connectEsDispatch(
  services: readonly DescService[],
  pipelines: Pipelines,
  codecs: ReadonlyMap<string, MethodCodec>,
  limits: ServerLimits,
): UniversalDispatch {
  const router = createConnectRouter({
    grpc: false,
    grpcWeb: true,
    connect: true,
    readMaxBytes: limits.maxReceiveMessageBytes,
    writeMaxBytes: limits.maxSendMessageBytes,
    acceptCompression: [compressionGzip, compressionBrotli],
    jsonOptions: JSON_OPTIONS,
    maxTimeoutMs: MAX_TIMER_MS,
  });
  for (const service of services) register(router, service, pipelines, codecs);
  const handlers = new Map<string, UniversalHandler>(router.handlers.map((handler) => [handler.requestPath, handler]));
  const methods = new Map<string, DescMethod>(
    services.flatMap((s) => s.methods.map((m) => [`/${s.typeName}/${m.name}`, m] as const)),
  );
  return async (exchange, extraHeaders) => {
    const handler = handlers.get(exchange.path);
    const request = { ...exchange.toUniversal(), contextValues: createContextValues().set(exchangeKey, exchange) };
    const response = handler === undefined ? uResponseNotFound : await handler(request);
    const method = methods.get(exchange.path);
    // Connect GET: a successful answer of a method without side effects may be cached (cache-policy.ts).
    const cache =
      response.status === 200 && method !== undefined
        ? cacheControl(method, exchange.method, exchange.header, response.header)
        : undefined;
    if (extraHeaders === undefined && cache === undefined) return exchange.sendUniversal(response);
    const header = new Headers(response.header);
    for (const [name, value] of Object.entries(extraHeaders ?? {})) header.set(name, String(value));
    if (cache !== undefined) header.set("cache-control", cache);
    await exchange.sendUniversal({ ...response, header });
  };
}
