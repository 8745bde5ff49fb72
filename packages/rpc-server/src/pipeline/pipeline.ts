/**
 * The pipeline every call passes through, whatever protocol carried it: for each method of each
 * service, its handler inside the middleware, composed once at start and found by the call's path.
 * Transports look a call up here and run it with runUnary (unary-call.ts) or startStream
 * (stream-call.ts); none of them knows a method.
 */
import type { CallContext } from "../call-context.js";
import { CallError, wireErrors } from "../call-error.js";
import { eachRequestOfHandler, type EachRequest } from "../each-request.js";
import type {
  AnyHandler,
  BidiStreamingHandler,
  ClientStreamingHandler,
  MethodInfo,
  MethodKind,
  ServerStreamingHandler,
  ServiceRegistration,
  UnaryHandler,
} from "../service.js";
import type { TransportCallContext } from "../call-context.js";
import { applyUnary, isPromiseLike, type Middleware, type UnaryCall } from "./middleware.js";

/** Every call kind but unary, as the engine runs it: requests in, responses out. */
export type StreamingCall = (
  requests: AsyncIterable<unknown>,
  context: CallContext,
) => Iterable<unknown> | AsyncIterable<unknown>;

/** Whether the server is cancelling its calls at the end of a shutdown's grace period. */
export interface ServerClosing {
  forced: boolean;
}

/** Why a call whose client or connection went away ended: the client, or the server's shutdown. */
export function cancelled(pipeline: MethodPipeline): CallError {
  return pipeline.closing.forced ? wireErrors.shuttingDown : wireErrors.cancelled;
}

export interface UnaryPipeline {
  readonly method: MethodInfo;
  readonly closing: ServerClosing;
  readonly kind: "unary";
  readonly call: UnaryCall;
}

export interface StreamPipeline {
  readonly method: MethodInfo;
  readonly closing: ServerClosing;
  readonly kind: "stream";
  readonly call: StreamingCall;
  /** Set when the handler answers each request synchronously (`eachRequest`). */
  readonly each: EachRequest | undefined;
  /** The middleware that observe streaming calls. */
  readonly middleware: readonly Middleware[];
}

export type MethodPipeline = UnaryPipeline | StreamPipeline;

/** Every method of the served services, by path. */
export type Pipelines = ReadonlyMap<string, MethodPipeline>;

/** `promise`, or the reason the call was aborted if that comes first (the deadline, the client's cancel). */
function untilAborted<T>(promise: PromiseLike<T>, context: CallContext): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    (context as TransportCallContext).onAbort(reject);
    promise.then(resolve, reject);
  });
}

function unary(handler: UnaryHandler<unknown, unknown>): UnaryCall {
  return (request, context) => {
    // A request the transport could not read ends here, after the middleware has seen it.
    if (request instanceof CallError) throw request;
    const response = handler(request, context);
    return isPromiseLike(response) ? untilAborted(response, context) : response;
  };
}

/** The one request of a server-streaming call: exactly one message, as for a unary call. */
async function single(requests: AsyncIterable<unknown>): Promise<unknown> {
  const iterator = requests[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done === true) throw wireErrors.noRequest;
  const second = await iterator.next();
  if (second.done !== true) throw wireErrors.secondRequest;
  return first.value;
}

function serverStreaming(handler: ServerStreamingHandler<unknown, unknown>): StreamingCall {
  return async function* (requests, context) {
    yield* handler(await single(requests), context);
  };
}

function clientStreaming(handler: ClientStreamingHandler<unknown, unknown>): StreamingCall {
  return async function* (requests, context) {
    yield await handler(requests, context);
  };
}

/** Every streaming kind's handler as the engine runs them: requests in, responses out. */
function streaming(kind: Exclude<MethodKind, "unary">, handler: AnyHandler): StreamingCall {
  switch (kind) {
    case "server_streaming":
      return serverStreaming(handler as ServerStreamingHandler<unknown, unknown>);
    case "client_streaming":
      return clientStreaming(handler as ClientStreamingHandler<unknown, unknown>);
    case "bidi_streaming":
      return handler as BidiStreamingHandler<unknown, unknown>;
  }
}

export function createPipelines(
  services: readonly ServiceRegistration[],
  middleware: readonly Middleware[],
  closing: ServerClosing = { forced: false },
): Pipelines {
  const pipelines = new Map<string, MethodPipeline>();
  const observers = middleware.filter((layer) => layer.stream !== undefined);
  for (const service of services) {
    for (const { method, handler } of service.methods) {
      if (pipelines.has(method.path)) throw new Error(`two services serve ${method.path}`);
      const pipeline: MethodPipeline =
        method.kind === "unary"
          ? {
              method,
              closing,
              kind: "unary",
              call: applyUnary(unary(handler as UnaryHandler<unknown, unknown>), middleware),
            }
          : {
              method,
              closing,
              kind: "stream",
              call: streaming(method.kind, handler),
              each: method.kind === "bidi_streaming" ? eachRequestOfHandler(handler) : undefined,
              middleware: observers,
            };
      pipelines.set(method.path, pipeline);
    }
  }
  return pipelines;
}
