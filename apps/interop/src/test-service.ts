/**
 * grpc's interop TestService (`grpc.testing.TestService`) on the engine, the server features of grpc's
 * doc/interop-test-descriptions.md: EmptyCall, UnaryCall, StreamingOutputCall, StreamingInputCall,
 * FullDuplexCall and HalfDuplexCall, with Echo Status, Echo Metadata and ResponseParameters.interval_us.
 *
 * UnimplementedCall is left out of the definition the engine serves ("the test server will not implement
 * this method"), so it gets the engine's own answer for a method it does not have: UNIMPLEMENTED, like
 * `grpc.testing.UnimplementedService`, which is not served at all.
 */
import {
  CallError,
  Code,
  defineService,
  type CallContext,
  type ServiceRegistration,
} from "@grpc-calculator/rpc-server";
import { descriptorSet } from "./gen/descriptor-set.js";
import {
  PayloadType,
  type EchoStatus,
  type Payload,
  type ResponseParameters,
  type StreamingOutputCallRequest,
  type StreamingOutputCallResponse,
} from "./gen/grpc/testing/messages.js";
import { TestServiceService } from "./gen/grpc/testing/test.js";

/** The request metadata the server echoes in its initial metadata, and in its trailers (Echo Metadata). */
export const ECHO_INITIAL = "x-grpc-test-echo-initial";
export const ECHO_TRAILING = "x-grpc-test-echo-trailing-bin";

/** The methods served: every one of TestService but UnimplementedCall. */
const servedMethods = Object.fromEntries(
  Object.entries(TestServiceService).filter(([localName]) => localName !== "unimplementedCall"),
) as Omit<TestServiceService, "unimplementedCall">;

/** Echo Metadata: sent back as it came (binary values stay base64 on both sides of the engine). */
function echoMetadata(context: CallContext): void {
  const initial = context.header(ECHO_INITIAL);
  if (initial !== undefined) context.responseHeader.set(ECHO_INITIAL, initial);
  const trailing = context.header(ECHO_TRAILING);
  if (trailing !== undefined) context.responseTrailer.set(ECHO_TRAILING, trailing);
}

/** Echo Status: a requested non-OK status ends the call with that code and message. */
function echoStatus(status: EchoStatus | undefined): void {
  if (status !== undefined && status.code !== (Code.OK as number)) throw new CallError(status.code, status.message);
}

/** A payload of `size` zero bytes, of the one payload type there is. */
function payload(responseType: PayloadType, size: number): Payload {
  if (responseType !== PayloadType.COMPRESSABLE) {
    throw new CallError(Code.INVALID_ARGUMENT, `payload type ${responseType} is not supported`);
  }
  if (size < 0) throw new CallError(Code.INVALID_ARGUMENT, `a payload size cannot be negative (${size})`);
  return { type: PayloadType.COMPRESSABLE, body: Buffer.alloc(size) };
}

/** Waits `ms`, or rejects with the call's end (cancellation, deadline, shutdown) when that comes first. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** One response per ResponseParameters, each after its interval_us. */
async function* responsesFor(
  request: StreamingOutputCallRequest,
  context: CallContext,
): AsyncGenerator<StreamingOutputCallResponse> {
  echoStatus(request.responseStatus);
  for (const parameters of request.responseParameters) yield await respond(request.responseType, parameters, context);
}

async function respond(
  responseType: PayloadType,
  { size, intervalUs }: ResponseParameters,
  context: CallContext,
): Promise<StreamingOutputCallResponse> {
  if (intervalUs > 0) await sleep(intervalUs / 1000, context.signal);
  return { payload: payload(responseType, size) };
}

export const testService: ServiceRegistration = defineService(
  servedMethods,
  {
    emptyCall: () => ({}),

    unaryCall: (request, context) => {
      echoMetadata(context);
      echoStatus(request.responseStatus);
      return { payload: payload(request.responseType, request.responseSize) };
    },

    streamingOutputCall: (request, context) => {
      echoMetadata(context);
      return responsesFor(request, context);
    },

    streamingInputCall: async (requests, context) => {
      echoMetadata(context);
      let aggregatedPayloadSize = 0;
      for await (const request of requests) aggregatedPayloadSize += request.payload?.body.length ?? 0;
      return { aggregatedPayloadSize };
    },

    fullDuplexCall: async function* (requests, context) {
      echoMetadata(context);
      for await (const request of requests) yield* responsesFor(request, context);
    },

    halfDuplexCall: async function* (requests, context) {
      echoMetadata(context);
      const all: StreamingOutputCallRequest[] = [];
      for await (const request of requests) all.push(request);
      for (const request of all) yield* responsesFor(request, context);
    },
  },
  { descriptorSet },
);
