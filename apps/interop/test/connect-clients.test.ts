/**
 * The interop cases over the other protocols, with connect-es's clients: gRPC and Connect (proto and
 * JSON) from connect-node over HTTP/2, every call kind; Connect from connect-node over HTTP/1.1 and
 * gRPC-Web from connect-web (Node's fetch, HTTP/1.1), the cases whose calls they can carry (unary and
 * server streaming). The clients' descriptors are built at run time from the contract's descriptor set.
 * Requests are made with the contract's ts-proto codecs and responses read with them, so each case
 * states the descriptions' values once, as in the grpc-js suite.
 */
import { createFileRegistry, fromBinary, toBinary, type DescMethod, type DescService } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, decodeBinaryHeader, encodeBinaryHeader, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { createWritableIterable } from "@connectrpc/connect/protocol";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import type { RpcServer } from "@grpc-calculator/rpc-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { descriptorSet } from "../src/gen/descriptor-set.js";
import { Empty } from "../src/gen/grpc/testing/empty.js";
import {
  PayloadType,
  SimpleRequest,
  SimpleResponse,
  StreamingInputCallRequest,
  StreamingInputCallResponse,
  StreamingOutputCallRequest,
  StreamingOutputCallResponse,
  type Payload,
} from "../src/gen/grpc/testing/messages.js";
import {
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
  startTestServer,
  zeros,
  type CaseName,
} from "./cases.js";

const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, descriptorSet));

function service(typeName: string): DescService {
  const found = registry.getService(typeName);
  if (found === undefined) throw new Error(`the descriptor set has no service ${typeName}`);
  return found;
}

/** A method of the given call kind. */
type Method<K extends DescMethod["methodKind"]> = DescMethod & { readonly methodKind: K };

function method<K extends DescMethod["methodKind"]>(of: DescService, localName: string, kind: K): Method<K> {
  const found = of.method[localName];
  if (found?.methodKind !== kind) throw new Error(`${of.typeName} has no ${kind} method ${localName}`);
  return found as Method<K>;
}

const testService = service("grpc.testing.TestService");
const emptyCall = method(testService, "emptyCall", "unary");
const unaryCall = method(testService, "unaryCall", "unary");
const unimplementedCall = method(testService, "unimplementedCall", "unary");
const unimplementedServiceCall = method(service("grpc.testing.UnimplementedService"), "unimplementedCall", "unary");
const streamingOutputCall = method(testService, "streamingOutputCall", "server_streaming");
const streamingInputCall = method(testService, "streamingInputCall", "client_streaming");
const fullDuplexCall = method(testService, "fullDuplexCall", "bidi_streaming");

interface Options {
  readonly header?: Headers;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** A message's ts-proto codec. */
interface Encoder<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(bytes: Uint8Array): T;
}

/** One unary call: the request and response through their ts-proto codecs. */
async function unary<I, O>(
  transport: Transport,
  called: Method<"unary">,
  codecs: readonly [Encoder<I>, Encoder<O>],
  request: I,
  options: Options = {},
) {
  const [requestCodec, responseCodec] = codecs;
  const response = await transport.unary(
    called,
    options.signal,
    options.timeoutMs,
    options.header,
    fromBinary(called.input, requestCodec.encode(request).finish()),
  );
  return {
    header: response.header,
    trailer: response.trailer,
    message: responseCodec.decode(toBinary(called.output, response.message)),
  };
}

/** One streaming call; its responses read to the end (the trailer is there once they are). */
async function stream<I, O>(
  transport: Transport,
  called: Method<"server_streaming" | "client_streaming" | "bidi_streaming">,
  codecs: readonly [Encoder<I>, Encoder<O>],
  requests: AsyncIterable<I>,
  options: Options & { readonly onResponse?: (response: O) => void } = {},
) {
  const [requestCodec, responseCodec] = codecs;
  async function* encoded() {
    for await (const request of requests) yield fromBinary(called.input, requestCodec.encode(request).finish());
  }
  const response = await transport.stream(called, options.signal, options.timeoutMs, options.header, encoded());
  const messages: O[] = [];
  for await (const message of response.message) {
    const decoded = responseCodec.decode(toBinary(called.output, message));
    messages.push(decoded);
    options.onResponse?.(decoded);
  }
  return { header: response.header, trailer: response.trailer, messages };
}

async function* once<T>(value: T): AsyncGenerator<T> {
  yield await Promise.resolve(value);
}

/** The error a call that must fail failed with. */
async function failure(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("the call succeeded");
}

const empty = [Empty, Empty] as const;
const simple = [SimpleRequest, SimpleResponse] as const;
const output = [StreamingOutputCallRequest, StreamingOutputCallResponse] as const;
const input = [StreamingInputCallRequest, StreamingInputCallResponse] as const;

const echoHeaders = (): Headers =>
  new Headers({
    [ECHO_INITIAL_KEY]: ECHO_INITIAL_VALUE,
    [ECHO_TRAILING_KEY]: encodeBinaryHeader(ECHO_TRAILING_VALUE),
  });

function expectEchoed(header: Headers, trailer: Headers): void {
  expect(header.get(ECHO_INITIAL_KEY)).toBe(ECHO_INITIAL_VALUE);
  const trailing = trailer.get(ECHO_TRAILING_KEY);
  expect(trailing === null ? null : Buffer.from(decodeBinaryHeader(trailing))).toEqual(ECHO_TRAILING_VALUE);
}

const largeRequest: SimpleRequest = {
  responseType: PayloadType.COMPRESSABLE,
  responseSize: LARGE_RESPONSE_SIZE,
  payload: zeros(LARGE_REQUEST_SIZE),
  responseStatus: undefined,
};

function outputRequest(sizes: readonly number[], payload?: Payload): StreamingOutputCallRequest {
  return {
    responseType: PayloadType.COMPRESSABLE,
    responseParameters: sizes.map((size) => ({ size, intervalUs: 0 })),
    payload,
    responseStatus: undefined,
  };
}

/** A case, run over one transport. */
type Case = (transport: Transport) => Promise<void>;

/** The cases that need only unary and server-streaming calls (every transport here carries those). */
const unaryAndServerStreamingCases = {
  async empty_unary(transport) {
    const { message } = await unary(transport, emptyCall, empty, {});
    expect(message).toEqual({});
  },

  async large_unary(transport) {
    const { message } = await unary(transport, unaryCall, simple, largeRequest);
    expectZeros([message], [LARGE_RESPONSE_SIZE]);
  },

  async server_streaming(transport) {
    const { messages } = await stream(
      transport,
      streamingOutputCall,
      output,
      once(outputRequest(SERVER_STREAMING_SIZES)),
    );
    expectZeros(messages, SERVER_STREAMING_SIZES);
  },

  async special_status_message(transport) {
    const error = await failure(
      unary(transport, unaryCall, simple, {
        ...largeRequest,
        responseSize: 0,
        payload: undefined,
        responseStatus: { code: STATUS_CODE, message: SPECIAL_STATUS_MESSAGE },
      }),
    );
    expect(error.code).toBe(STATUS_CODE);
    expect(error.rawMessage).toBe(SPECIAL_STATUS_MESSAGE);
  },

  async unimplemented_service(transport) {
    const error = await failure(unary(transport, unimplementedServiceCall, empty, {}));
    expect(error.code).toBe(Code.Unimplemented);
  },

  async unimplemented_method(transport) {
    const error = await failure(unary(transport, unimplementedCall, empty, {}));
    expect(error.code).toBe(Code.Unimplemented);
  },
} satisfies Partial<Record<CaseName, Case>>;

/** Every case, as the descriptions define it (client and bidi streaming included). */
const allCases: Record<CaseName, Case> = {
  ...unaryAndServerStreamingCases,

  async client_streaming(transport) {
    async function* requests(): AsyncGenerator<StreamingInputCallRequest> {
      for (const size of CLIENT_STREAMING_SIZES) yield await Promise.resolve({ payload: zeros(size) });
    }
    const { messages } = await stream(transport, streamingInputCall, input, requests());
    expect(messages).toEqual([{ aggregatedPayloadSize: CLIENT_STREAMING_TOTAL }]);
  },

  async ping_pong(transport) {
    const requests = createWritableIterable<StreamingOutputCallRequest>();
    const sizes = [...SERVER_STREAMING_SIZES];
    const sendNext = (): void => {
      const index = SERVER_STREAMING_SIZES.length - sizes.length;
      const size = sizes.shift();
      if (size === undefined) requests.close();
      else void requests.write(outputRequest([size], zeros(CLIENT_STREAMING_SIZES[index] ?? 0)));
    };
    sendNext();
    // "After getting a reply, it sends" the next request; after the fourth reply it half-closes.
    const { messages } = await stream(transport, fullDuplexCall, output, requests, { onResponse: sendNext });
    expectZeros(messages, SERVER_STREAMING_SIZES);
  },

  async empty_stream(transport) {
    const requests = createWritableIterable<StreamingOutputCallRequest>();
    requests.close();
    const { messages } = await stream(transport, fullDuplexCall, output, requests);
    expect(messages).toEqual([]);
  },

  async cancel_after_begin(transport) {
    const abort = new AbortController();
    const requests = createWritableIterable<StreamingInputCallRequest>();
    const call = stream(transport, streamingInputCall, input, requests, { signal: abort.signal });
    abort.abort();
    const error = await failure(call);
    expect(error.code).toBe(Code.Canceled);
  },

  async cancel_after_first_response(transport) {
    const abort = new AbortController();
    const requests = createWritableIterable<StreamingOutputCallRequest>();
    void requests.write(outputRequest([31415], zeros(27182)));
    const received: StreamingOutputCallResponse[] = [];
    const error = await failure(
      stream(transport, fullDuplexCall, output, requests, {
        signal: abort.signal,
        onResponse: (response) => {
          received.push(response);
          abort.abort();
        },
      }),
    );
    expectZeros(received, [31415]);
    expect(error.code).toBe(Code.Canceled);
  },

  async timeout_on_sleeping_server(transport) {
    const requests = createWritableIterable<StreamingOutputCallRequest>();
    void requests.write(outputRequest([], zeros(27182)));
    const error = await failure(stream(transport, fullDuplexCall, output, requests, { timeoutMs: 1 }));
    expect(error.code).toBe(Code.DeadlineExceeded);
  },

  async custom_metadata(transport) {
    // 1. UnaryCall.
    const called = await unary(transport, unaryCall, simple, largeRequest, { header: echoHeaders() });
    expectZeros([called.message], [LARGE_RESPONSE_SIZE]);
    expectEchoed(called.header, called.trailer);
    // 2. FullDuplexCall, then half-close.
    const streamed = await stream(
      transport,
      fullDuplexCall,
      output,
      once(outputRequest([LARGE_RESPONSE_SIZE], zeros(LARGE_REQUEST_SIZE))),
      { header: echoHeaders() },
    );
    expectZeros(streamed.messages, [LARGE_RESPONSE_SIZE]);
    expectEchoed(streamed.header, streamed.trailer);
  },

  async status_code_and_message(transport) {
    const responseStatus = { code: STATUS_CODE, message: STATUS_MESSAGE };
    // 1. UnaryCall.
    const error = await failure(
      unary(transport, unaryCall, simple, { ...largeRequest, responseSize: 0, payload: undefined, responseStatus }),
    );
    expect([error.code, error.rawMessage]).toEqual([STATUS_CODE, STATUS_MESSAGE]);
    // 2. FullDuplexCall, then half-close.
    const streamed = await failure(
      stream(transport, fullDuplexCall, output, once({ ...outputRequest([]), responseStatus })),
    );
    expect([streamed.code, streamed.rawMessage]).toEqual([STATUS_CODE, STATUS_MESSAGE]);
  },
};

/**
 * For transports that carry unary and server-streaming calls only: the cases above, and custom_metadata
 * and status_code_and_message on those calls (StreamingOutputCall in place of FullDuplexCall, as grpc-web's
 * interop client does), each named for what it is.
 */
const webCases: Record<string, Case> = {
  ...unaryAndServerStreamingCases,

  async "custom_metadata (UnaryCall, StreamingOutputCall)"(transport) {
    const called = await unary(transport, unaryCall, simple, largeRequest, { header: echoHeaders() });
    expectZeros([called.message], [LARGE_RESPONSE_SIZE]);
    expectEchoed(called.header, called.trailer);
    const streamed = await stream(transport, streamingOutputCall, output, once(outputRequest([LARGE_RESPONSE_SIZE])), {
      header: echoHeaders(),
    });
    expectZeros(streamed.messages, [LARGE_RESPONSE_SIZE]);
    expectEchoed(streamed.header, streamed.trailer);
  },

  async "status_code_and_message (UnaryCall, StreamingOutputCall)"(transport) {
    const responseStatus = { code: STATUS_CODE, message: STATUS_MESSAGE };
    const error = await failure(
      unary(transport, unaryCall, simple, { ...largeRequest, responseSize: 0, payload: undefined, responseStatus }),
    );
    expect([error.code, error.rawMessage]).toEqual([STATUS_CODE, STATUS_MESSAGE]);
    const streamed = await failure(
      stream(transport, streamingOutputCall, output, once({ ...outputRequest([1]), responseStatus })),
    );
    expect([streamed.code, streamed.rawMessage]).toEqual([STATUS_CODE, STATUS_MESSAGE]);
  },
};

let server: RpcServer;
let baseUrl: string;

beforeAll(async () => {
  server = await startTestServer();
  baseUrl = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server.shutdown(1_000);
});

const transports: readonly { name: string; cases: Record<string, Case>; make: () => Transport }[] = [
  { name: "gRPC, HTTP/2 (connect-node)", cases: allCases, make: () => createGrpcTransport({ baseUrl }) },
  {
    name: "Connect proto, HTTP/2 (connect-node)",
    cases: allCases,
    make: () => createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true }),
  },
  {
    name: "Connect JSON, HTTP/2 (connect-node)",
    cases: allCases,
    make: () => createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: false }),
  },
  {
    name: "Connect proto, HTTP/1.1 (connect-node)",
    cases: webCases,
    make: () => createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: true }),
  },
  {
    name: "Connect JSON, HTTP/1.1 (connect-node)",
    cases: webCases,
    make: () => createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false }),
  },
  {
    name: "gRPC-Web, HTTP/1.1 (connect-web, fetch)",
    cases: webCases,
    make: () => createGrpcWebTransport({ baseUrl, useBinaryFormat: true }),
  },
];

describe.each(transports)("the interop cases, $name", ({ cases, make }) => {
  it.each(Object.keys(cases))("%s", async (name) => {
    await cases[name]?.(make());
  });
});
