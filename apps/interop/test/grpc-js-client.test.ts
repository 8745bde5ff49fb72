/**
 * The interop cases with a grpc-js client, each as grpc's doc/interop-test-descriptions.md defines it:
 * its procedure step by step and the client's assertions.
 */
import { credentials, Metadata, status, type ServiceError, type StatusObject } from "@grpc/grpc-js";
import type { RpcServer } from "@grpc-calculator/rpc-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  PayloadType,
  type SimpleResponse,
  type StreamingOutputCallResponse,
} from "../src/gen/grpc/testing/messages.js";
import { TestServiceClient, UnimplementedServiceClient } from "../src/gen/grpc/testing/test.js";
import {
  CASES,
  CLIENT_STREAMING_SIZES,
  CLIENT_STREAMING_TOTAL,
  ECHO_INITIAL_KEY,
  ECHO_INITIAL_VALUE,
  ECHO_TRAILING_KEY,
  ECHO_TRAILING_VALUE,
  LARGE_REQUEST_SIZE,
  LARGE_RESPONSE_SIZE,
  SERVER_STREAMING_SIZES,
  SPECIAL_STATUS_MESSAGE,
  STATUS_CODE,
  STATUS_MESSAGE,
  expectZeros,
  sizes,
  startTestServer,
  zeros,
  type CaseName,
} from "./cases.js";

let server: RpcServer;
let client: TestServiceClient;
let unimplementedService: UnimplementedServiceClient;

beforeAll(async () => {
  server = await startTestServer();
  client = new TestServiceClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
  unimplementedService = new UnimplementedServiceClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
});

afterAll(async () => {
  client.close();
  unimplementedService.close();
  await server.shutdown(1_000);
});

/** What a streaming call ended with: its responses, initial metadata, and status (with trailers). */
interface Ended {
  readonly responses: StreamingOutputCallResponse[];
  readonly metadata: Metadata | undefined;
  readonly status: StatusObject;
}

type Readable = NodeJS.EventEmitter & {
  on(event: "data", listener: (response: StreamingOutputCallResponse) => void): Readable;
};

/** Collects a response stream until its status (a failed call's status too, without its 'error'). */
function ended(call: Readable): Promise<Ended> {
  const responses: StreamingOutputCallResponse[] = [];
  let metadata: Metadata | undefined;
  return new Promise((resolve) => {
    call.on("data", (response) => responses.push(response));
    call.on("metadata", (received: Metadata) => (metadata = received));
    call.on("error", () => {});
    call.on("status", (received: StatusObject) => resolve({ responses, metadata, status: received }));
  });
}

/** The next response of a stream. */
function nextResponse(call: Readable): Promise<StreamingOutputCallResponse> {
  return new Promise((resolve) => call.once("data", resolve));
}

/** The error a call that must fail failed with. */
async function failure(call: Promise<unknown>): Promise<ServiceError> {
  try {
    await call;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error("the call succeeded");
}

const cases: Record<CaseName, () => Promise<void>> = {
  async empty_unary() {
    const response = await new Promise((resolve, reject) =>
      client.emptyCall({}, (error, value) => (error ? reject(error) : resolve(value))),
    );
    expect(response).toEqual({});
  },

  async large_unary() {
    const response = await new Promise<SimpleResponse>((resolve, reject) =>
      client.unaryCall(
        {
          responseType: 0,
          responseSize: LARGE_RESPONSE_SIZE,
          payload: zeros(LARGE_REQUEST_SIZE),
          responseStatus: undefined,
        },
        (error, value) => (error ? reject(error) : resolve(value)),
      ),
    );
    // The response against the golden one: a payload of 314159 zeros.
    expectZeros([response], [LARGE_RESPONSE_SIZE]);
  },

  async client_streaming() {
    const response = await new Promise((resolve, reject) => {
      const call = client.streamingInputCall((error, value) => (error ? reject(error) : resolve(value)));
      for (const size of CLIENT_STREAMING_SIZES) call.write({ payload: zeros(size) });
      call.end();
    });
    expect(response).toEqual({ aggregatedPayloadSize: CLIENT_STREAMING_TOTAL });
  },

  async server_streaming() {
    const call = client.streamingOutputCall({
      responseType: 0,
      responseParameters: SERVER_STREAMING_SIZES.map((size) => ({ size, intervalUs: 0 })),
      payload: undefined,
      responseStatus: undefined,
    });
    const { responses, status: end } = await ended(call);
    expect(end.code).toBe(status.OK);
    expectZeros(responses, SERVER_STREAMING_SIZES);
  },

  async ping_pong() {
    const call = client.fullDuplexCall();
    const result = ended(call);
    const received: StreamingOutputCallResponse[] = [];
    for (const [index, size] of SERVER_STREAMING_SIZES.entries()) {
      const reply = nextResponse(call);
      call.write({
        responseType: 0,
        responseParameters: [{ size, intervalUs: 0 }],
        payload: zeros(CLIENT_STREAMING_SIZES[index] ?? 0),
        responseStatus: undefined,
      });
      received.push(await reply); // "after getting a reply"
    }
    call.end();
    const { responses, status: end } = await result;
    expect(end.code).toBe(status.OK);
    expect(responses).toHaveLength(4);
    expectZeros(received, SERVER_STREAMING_SIZES);
  },

  async empty_stream() {
    const call = client.fullDuplexCall();
    call.end();
    const { responses, status: end } = await ended(call);
    expect(end.code).toBe(status.OK);
    expect(responses).toEqual([]);
  },

  async cancel_after_begin() {
    const error = await failure(
      new Promise((resolve, reject) => {
        const call = client.streamingInputCall((failed, value) => (failed ? reject(failed) : resolve(value)));
        call.cancel();
      }),
    );
    expect(error.code).toBe(status.CANCELLED);
  },

  async cancel_after_first_response() {
    const call = client.fullDuplexCall();
    const result = ended(call);
    const first = nextResponse(call);
    call.write({
      responseType: 0,
      responseParameters: [{ size: 31415, intervalUs: 0 }],
      payload: zeros(27182),
      responseStatus: undefined,
    });
    expect(sizes([await first])).toEqual([31415]);
    call.cancel();
    const { status: end } = await result;
    expect(end.code).toBe(status.CANCELLED);
  },

  async timeout_on_sleeping_server() {
    const call = client.fullDuplexCall({ deadline: Date.now() + 1 });
    const result = ended(call);
    call.write({ responseType: 0, responseParameters: [], payload: zeros(27182), responseStatus: undefined });
    const { status: end } = await result;
    expect(end.code).toBe(status.DEADLINE_EXCEEDED);
  },

  async custom_metadata() {
    const metadata = (): Metadata => {
      const sent = new Metadata();
      sent.set(ECHO_INITIAL_KEY, ECHO_INITIAL_VALUE);
      sent.set(ECHO_TRAILING_KEY, ECHO_TRAILING_VALUE);
      return sent;
    };
    // 1. UnaryCall.
    let initial: Metadata | undefined;
    let trailers: Metadata | undefined;
    const response = await new Promise<SimpleResponse>((resolve, reject) => {
      const call = client.unaryCall(
        {
          responseType: 0,
          responseSize: LARGE_RESPONSE_SIZE,
          payload: zeros(LARGE_REQUEST_SIZE),
          responseStatus: undefined,
        },
        metadata(),
        (error, value) => (error ? reject(error) : resolve(value)),
      );
      call.on("metadata", (received: Metadata) => (initial = received));
      call.on("status", (received: StatusObject) => (trailers = received.metadata));
    });
    expectZeros([response], [LARGE_RESPONSE_SIZE]);
    expect(initial?.get(ECHO_INITIAL_KEY)).toEqual([ECHO_INITIAL_VALUE]);
    expect(trailers?.get(ECHO_TRAILING_KEY)).toEqual([ECHO_TRAILING_VALUE]);

    // 2. FullDuplexCall, then half-close.
    const call = client.fullDuplexCall(metadata());
    const result = ended(call);
    call.write({
      responseType: 0,
      responseParameters: [{ size: LARGE_RESPONSE_SIZE, intervalUs: 0 }],
      payload: zeros(LARGE_REQUEST_SIZE),
      responseStatus: undefined,
    });
    call.end();
    const { responses, metadata: streamInitial, status: end } = await result;
    expect(end.code).toBe(status.OK);
    expectZeros(responses, [LARGE_RESPONSE_SIZE]);
    expect(streamInitial?.get(ECHO_INITIAL_KEY)).toEqual([ECHO_INITIAL_VALUE]);
    expect(end.metadata.get(ECHO_TRAILING_KEY)).toEqual([ECHO_TRAILING_VALUE]);
  },

  async status_code_and_message() {
    const responseStatus = { code: STATUS_CODE, message: STATUS_MESSAGE };
    // 1. UnaryCall.
    const error = await failure(
      new Promise((resolve, reject) =>
        client.unaryCall({ responseType: 0, responseSize: 0, payload: undefined, responseStatus }, (failed, value) =>
          failed ? reject(failed) : resolve(value),
        ),
      ),
    );
    expect(error.code).toBe(STATUS_CODE);
    expect(error.details).toBe(STATUS_MESSAGE);

    // 2. FullDuplexCall, then half-close.
    const call = client.fullDuplexCall();
    const result = ended(call);
    call.write({ responseType: 0, responseParameters: [], payload: undefined, responseStatus });
    call.end();
    const { status: end } = await result;
    expect(end.code).toBe(STATUS_CODE);
    expect(end.details).toBe(STATUS_MESSAGE);
  },

  async special_status_message() {
    const error = await failure(
      new Promise((resolve, reject) =>
        client.unaryCall(
          {
            responseType: 0,
            responseSize: 0,
            payload: undefined,
            responseStatus: { code: STATUS_CODE, message: SPECIAL_STATUS_MESSAGE },
          },
          (failed, value) => (failed ? reject(failed) : resolve(value)),
        ),
      ),
    );
    expect(error.code).toBe(STATUS_CODE);
    expect(error.details).toBe(SPECIAL_STATUS_MESSAGE);
  },

  async unimplemented_service() {
    const error = await failure(
      new Promise((resolve, reject) =>
        unimplementedService.unimplementedCall({}, (failed, value) => (failed ? reject(failed) : resolve(value))),
      ),
    );
    expect(error.code).toBe(status.UNIMPLEMENTED);
  },

  async unimplemented_method() {
    const error = await failure(
      new Promise((resolve, reject) =>
        client.unimplementedCall({}, (failed, value) => (failed ? reject(failed) : resolve(value))),
      ),
    );
    expect(error.code).toBe(status.UNIMPLEMENTED);
  },
};

describe("the interop cases, grpc-js client", () => {
  it.each(CASES)("%s", (name) => cases[name]());
});

describe("beyond the 14 cases", () => {
  it("StreamingOutputCall waits each response's interval_us before sending it", async () => {
    const started = performance.now();
    const call = client.streamingOutputCall({
      responseType: 0,
      responseParameters: [
        { size: 1, intervalUs: 100_000 },
        { size: 2, intervalUs: 100_000 },
      ],
      payload: undefined,
      responseStatus: undefined,
    });
    const { responses, status: end } = await ended(call);
    expect(end.code).toBe(status.OK);
    expect(sizes(responses)).toEqual([1, 2]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("HalfDuplexCall answers once the client half-closes, in order", async () => {
    const call = client.halfDuplexCall();
    const result = ended(call);
    let early = 0;
    call.on("data", () => early++);
    call.write({
      responseType: 0,
      responseParameters: [{ size: 3, intervalUs: 0 }],
      payload: undefined,
      responseStatus: undefined,
    });
    call.write({
      responseType: 0,
      responseParameters: [{ size: 5, intervalUs: 0 }],
      payload: undefined,
      responseStatus: undefined,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(early).toBe(0);
    call.end();
    const { responses, status: end } = await result;
    expect(end.code).toBe(status.OK);
    expect(sizes(responses)).toEqual([3, 5]);
  });

  it("an unsupported payload type is INVALID_ARGUMENT", async () => {
    const error = await failure(
      new Promise((resolve, reject) =>
        client.unaryCall(
          { responseType: 7 as PayloadType, responseSize: 1, payload: undefined, responseStatus: undefined },
          (failed, value) => (failed ? reject(failed) : resolve(value)),
        ),
      ),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
  });
});
