// The fixture contract (test/fixture/fixture.proto) served on the engine, for its tests: an
// EchoService with one method of each call kind, whose requests say what the handler does (answer
// `repeat` times, fail with a status, wait first).
import { setTimeout as delay } from "node:timers/promises";
import {
  CallError,
  defineService,
  startRpcServer,
  type CallContext,
  type RpcServer,
  type RpcServerOptions,
  type ServiceImplementation,
} from "../src/index.js";
import { fixtureDescriptorSet } from "./gen/descriptor-set.js";
import {
  EchoServiceService,
  FailureDetail,
  protobufPackage,
  type EchoRequest,
  type EchoResponse,
} from "./gen/fixture.js";

export type EchoImplementation = ServiceImplementation<typeof EchoServiceService>;

/** Waits `ms`, or rejects with the call's abort reason as soon as it is aborted. */
export function wait(ms: number, context: CallContext): Promise<void> {
  return delay(ms, undefined, { signal: context.signal }).catch(() => {
    throw context.signal.reason;
  });
}

/** A FailureDetail as a CallError's detail. */
export function failureDetail(reason: string) {
  return { type: `${protobufPackage}.FailureDetail`, value: FailureDetail.encode({ reason }).finish() };
}

/** The failure a request asks for, if any. */
function failureOf(request: EchoRequest): CallError | undefined {
  if (request.failWithCode === 0) return undefined;
  return new CallError(request.failWithCode, request.text, request.failDetails.map(failureDetail));
}

/**
 * A request's answers, numbered from `firstIndex`: `repeat` of them (one when `repeat` is 0), or,
 * when it asks to fail, `repeat` of them (none when 0) and then its failure.
 */
function* answersTo(request: EchoRequest, firstIndex: number): Generator<EchoResponse> {
  const failure = failureOf(request);
  const count = failure === undefined ? Math.max(1, request.repeat) : request.repeat;
  for (let index = firstIndex; index < firstIndex + count; index++) yield { text: request.text, index };
  if (failure !== undefined) throw failure;
}

function answerOne(request: EchoRequest): EchoResponse {
  const failure = failureOf(request);
  if (failure !== undefined) throw failure;
  return { text: request.text, index: 0 };
}

export const echoImplementation: EchoImplementation = {
  // Synchronous unless the request asks to wait: the engine's promise-free path stays covered.
  unary(request, context) {
    if (request.delayMs > 0) return wait(request.delayMs, context).then(() => answerOne(request));
    return answerOne(request);
  },
  async *serverStream(request, context) {
    if (request.delayMs > 0) await wait(request.delayMs, context);
    yield* answersTo(request, 0);
  },
  async clientStream(requests, context) {
    const texts: string[] = [];
    for await (const request of requests) {
      if (request.delayMs > 0) await wait(request.delayMs, context);
      const failure = failureOf(request);
      if (failure !== undefined) throw failure;
      texts.push(request.text);
    }
    return { text: texts.join(" "), index: texts.length };
  },
  async *bidi(requests, context) {
    let index = 0;
    for await (const request of requests) {
      if (request.delayMs > 0) await wait(request.delayMs, context);
      for (const answer of answersTo(request, index)) {
        yield answer;
        index += 1;
      }
    }
  },
};

/** A request with the fields a test does not name at their defaults. */
export function echoRequest(fields: Partial<EchoRequest>): EchoRequest {
  return { text: "", repeat: 0, failWithCode: 0, delayMs: 0, failDetails: [], ...fields };
}

export interface EchoServerOptions extends Omit<Partial<RpcServerOptions>, "services"> {
  /** Handlers replacing the fixture's own. */
  readonly handlers?: Partial<EchoImplementation>;
}

/** The EchoService on the engine, on 127.0.0.1 and a free port. */
export function startEchoServer(options: EchoServerOptions = {}): Promise<RpcServer> {
  const { handlers, ...serverOptions } = options;
  const service = defineService(
    EchoServiceService,
    { ...echoImplementation, ...handlers },
    { descriptorSet: fixtureDescriptorSet },
  );
  return startRpcServer({ host: "127.0.0.1", port: 0, ...serverOptions, services: [service] });
}
