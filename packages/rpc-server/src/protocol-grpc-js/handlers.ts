/**
 * The engine's methods as grpc-js handlers, made by a loop over each service's method table: what
 * grpc-js serves itself (compressed calls, unusual headers, and every call when the protocol router
 * cannot engage) goes through the same pipeline as the direct path. grpc-js has decoded the requests
 * and will encode the answers; these adapt its call objects to the pipeline's shape.
 */
import {
  Metadata,
  status,
  type ServiceDefinition as GrpcJsServiceDefinition,
  type UntypedHandleCall,
  type sendUnaryData,
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { TransportCallContext, userHeaders } from "../call-context.js";
import type { CallError } from "../call-error.js";
import { cancelled, type MethodPipeline, type Pipelines, type StreamPipeline } from "../pipeline/pipeline.js";
import { startStream, type StreamCall, type StreamSink } from "../pipeline/stream-call.js";
import { runUnary } from "../pipeline/unary-call.js";
import { decodeMessage } from "../protocol/codec.js";
import { encodeStatus, STATUS_DETAILS_HEADER } from "../protocol/status-details.js";
import type { ServiceRegistration } from "../service.js";

type AnyCall =
  | ServerUnaryCall<unknown, unknown>
  | ServerReadableStream<unknown, unknown>
  | ServerWritableStream<unknown, unknown>
  | ServerDuplexStream<unknown, unknown>;

function contextOf(call: AnyCall, pipeline: MethodPipeline): TransportCallContext {
  const deadline = call.getDeadline();
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  const context = new TransportCallContext(
    pipeline.method,
    "grpc",
    "grpc-js",
    "2",
    (name) => {
      const value = call.metadata.get(name)[0];
      // Binary metadata (`-bin` keys, e.g. grpc-trace-bin) as it travels in HTTP/2 headers: base64.
      return typeof value === "string" ? value : value?.toString("base64");
    },
    () => call.getPeer(),
    // grpc-js ends the call itself at its deadline; the context's timer tells the handler.
    Number.isFinite(ms) ? Math.max(0, ms - Date.now()) : Number.POSITIVE_INFINITY,
  );
  (call as ServerUnaryCall<unknown, unknown>).once("cancelled", () => context.abort(cancelled(pipeline)));
  return context;
}

/** The handler's headers or trailers as grpc-js Metadata (`-bin` values decoded from base64). */
function metadataOf(headers: Headers | undefined): Metadata | undefined {
  if (headers === undefined) return undefined;
  const metadata = new Metadata();
  for (const [name, value] of userHeaders(headers)) {
    if (name.endsWith("-bin")) metadata.add(name, Buffer.from(value, "base64"));
    else metadata.add(name, value);
  }
  return metadata;
}

/**
 * grpc-js sends `{ code, details, metadata }` as the call's status, the metadata as trailers: the
 * handler's, and the error's details as `grpc-status-details-bin` when it has any.
 */
function grpcStatus(error: CallError, context: TransportCallContext) {
  let metadata = metadataOf(context.setResponseTrailer);
  if (error.details.length > 0) {
    metadata ??= new Metadata();
    metadata.set(STATUS_DETAILS_HEADER, Buffer.from(encodeStatus(error)));
  }
  return { code: error.code, details: error.message, ...(metadata === undefined ? {} : { metadata }) };
}

function sendHeaders(call: AnyCall, context: TransportCallContext): void {
  const metadata = metadataOf(context.setResponseHeader);
  if (metadata !== undefined) call.sendMetadata(metadata);
}

function unaryHandler(pipeline: MethodPipeline & { kind: "unary" }): UntypedHandleCall {
  return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
    const context = contextOf(call, pipeline);
    runUnary(pipeline, call.request, context, {
      respond(response) {
        sendHeaders(call, context);
        callback(null, response, metadataOf(context.setResponseTrailer));
      },
      fail(error) {
        if (error.code === status.CANCELLED && call.cancelled) return;
        sendHeaders(call, context);
        callback(grpcStatus(error, context));
      },
    });
  };
}

/** Feeds a grpc-js request stream into the call, with flow control. */
function readRequests(call: ServerReadableStream<unknown, unknown>, stream: StreamCall): void {
  call.on("data", (request: unknown) => stream.push(request));
  call.on("end", () => stream.end());
}

/** A sink that writes each response on a grpc-js server stream. */
function writingSink(
  call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>,
  context: TransportCallContext,
): StreamSink {
  let headersSent = false;
  return {
    send(response) {
      if (!headersSent) {
        headersSent = true;
        sendHeaders(call, context);
      }
      return call.write(response);
    },
    onDrain: (listener) => void call.once("drain", listener),
    end(error) {
      if (call.cancelled) return;
      if (!headersSent) sendHeaders(call, context);
      // grpc-js turns an 'error' on a server stream into the call's status, after the responses already written.
      if (error === undefined) call.end(metadataOf(context.setResponseTrailer));
      else call.emit("error", grpcStatus(error, context));
    },
  };
}

function streamHandler(pipeline: StreamPipeline): UntypedHandleCall {
  const { requestStream, responseStream } = pipeline.method;
  if (!requestStream) {
    return (call: ServerWritableStream<unknown, unknown>) => {
      const context = contextOf(call, pipeline);
      const stream = startStream(pipeline, context, writingSink(call, context), { pause() {}, resume() {} });
      stream.push(call.request);
      stream.end();
    };
  }
  if (responseStream) {
    return (call: ServerDuplexStream<unknown, unknown>) => {
      const context = contextOf(call, pipeline);
      const flow = { pause: () => call.pause(), resume: () => call.resume() };
      readRequests(call, startStream(pipeline, context, writingSink(call, context), flow));
    };
  }
  return (call: ServerReadableStream<unknown, unknown>, callback: sendUnaryData<unknown>) => {
    const context = contextOf(call, pipeline);
    let response: unknown;
    const sink: StreamSink = {
      send(message) {
        response = message;
        return true;
      },
      onDrain: (listener) => listener(),
      end(error) {
        if (call.cancelled) return;
        sendHeaders(call, context);
        if (error === undefined) callback(null, response, metadataOf(context.setResponseTrailer));
        else callback(grpcStatus(error, context));
      },
    };
    const flow = { pause: () => call.pause(), resume: () => call.resume() };
    readRequests(call, startStream(pipeline, context, sink, flow));
  };
}

/** grpc-js handlers for every method of `service`, by its local names. */
export function grpcJsHandlers(service: ServiceRegistration, pipelines: Pipelines): UntypedServiceImplementation {
  const handlers: UntypedServiceImplementation = {};
  for (const { method } of service.methods) {
    const pipeline = pipelines.get(method.path);
    if (pipeline === undefined) continue;
    handlers[method.localName] = pipeline.kind === "unary" ? unaryHandler(pipeline) : streamHandler(pipeline);
  }
  return handlers;
}

/**
 * `service`'s generated definition as grpc-js takes it, with request decoding that never throws:
 * bytes that do not parse become the engine's CallError (wireErrors.cannotParse), which the pipeline
 * answers as on every other path (and `eachRequest`'s requestError words), where grpc-js would end
 * the call itself with its own message ("Error deserializing request").
 */
export function grpcJsDefinition(service: ServiceRegistration): GrpcJsServiceDefinition {
  const definition: Record<string, unknown> = {};
  for (const { method } of service.methods) {
    const generated = service.definition[method.localName];
    definition[method.localName] = {
      ...generated,
      requestDeserialize: (bytes: Buffer) => decodeMessage(method, bytes),
    };
  }
  return definition as GrpcJsServiceDefinition;
}
