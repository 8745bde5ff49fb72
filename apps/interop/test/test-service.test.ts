/**
 * The service's handlers called directly: what a client cannot see, that a handler waiting on
 * interval_us stops waiting when its call ends.
 */
import { CallError, Code, type CallContext } from "@grpc-calculator/rpc-server";
import { describe, expect, it } from "vitest";
import type { StreamingOutputCallRequest } from "../src/gen/grpc/testing/messages.js";
import { testService } from "../src/test-service.js";
import { zeros } from "./cases.js";

type ServerStreaming = (request: StreamingOutputCallRequest, context: CallContext) => AsyncIterable<unknown>;

function handler(name: string): ServerStreaming {
  const entry = testService.methods.find(({ method }) => method.name === name);
  if (entry === undefined) throw new Error(`no handler for ${name}`);
  return entry.handler as ServerStreaming;
}

/** What the handler reads of its context: request headers, response metadata and the signal. */
function contextWith(signal: AbortSignal): CallContext {
  const context: Partial<CallContext> = {
    signal,
    deadline: Number.POSITIVE_INFINITY,
    header: () => undefined,
    responseHeader: new Headers(),
    responseTrailer: new Headers(),
  };
  return context as CallContext;
}

describe("TestService's handlers", () => {
  it("a StreamingOutputCall waiting on interval_us ends when its call is cancelled, with the call's error", async () => {
    const abort = new AbortController();
    const responses = handler("StreamingOutputCall")(
      {
        responseType: 0,
        responseParameters: [{ size: 1, intervalUs: 60_000_000 }],
        payload: zeros(0),
        responseStatus: undefined,
      },
      contextWith(abort.signal),
    )[Symbol.asyncIterator]();
    const next = responses.next();
    const cancelled = new CallError(Code.CANCELLED, "the client cancelled the call");
    const started = performance.now();
    abort.abort(cancelled);
    await expect(next).rejects.toBe(cancelled);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("UnimplementedCall has no handler: the engine answers it as a method it does not have", () => {
    expect(testService.methods.map(({ method }) => method.name)).not.toContain("UnimplementedCall");
    expect(testService.methods.map(({ method }) => method.name)).toEqual([
      "EmptyCall",
      "UnaryCall",
      "StreamingOutputCall",
      "StreamingInputCall",
      "FullDuplexCall",
      "HalfDuplexCall",
    ]);
  });
});
