// Clients of the fixture EchoService over every protocol the engine speaks, behind one shape, so a
// test runs the same cases through each: gRPC through grpc-js (the generated client), and gRPC,
// Connect and gRPC-Web through connect-node's transports. Each call resolves with what the caller
// saw: the responses, the error (code, message and details), the response headers and trailers.
import { createFileRegistry, fromBinary, type DescService } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createAsyncIterable } from "@connectrpc/connect/protocol";
import { findTrailerError } from "@connectrpc/connect/protocol-grpc";
import {
  compressionGzip,
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import {
  credentials,
  Metadata,
  status as Status,
  type ChannelOptions,
  type ClientReadableStream,
  type StatusObject,
} from "@grpc/grpc-js";
import { fixtureDescriptorSet } from "./gen/descriptor-set.js";
import { EchoServiceClient, FailureDetail, type EchoRequest, type EchoResponse } from "./gen/fixture.js";
import { echoRequest } from "./fixture-service.js";

/** A detail of an error (google.rpc.Status's), its FailureDetail read. */
export interface OutcomeDetail {
  readonly type: string;
  readonly reason: string;
}

export interface CallOutcome {
  readonly responses: EchoResponse[];
  readonly error:
    { readonly code: number; readonly message: string; readonly details: readonly OutcomeDetail[] } | undefined;
  /** Response headers and trailers the caller received (lower-case names; binary values in base64). */
  readonly headers: Record<string, string>;
  readonly trailers: Record<string, string>;
}

export interface EchoCallOptions {
  readonly timeoutMs?: number;
  /** Request headers (gRPC metadata); `-bin` values in base64. */
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
}

export interface EchoClient {
  unary(request: Partial<EchoRequest>, options?: EchoCallOptions): Promise<CallOutcome>;
  serverStream(request: Partial<EchoRequest>, options?: EchoCallOptions): Promise<CallOutcome>;
  clientStream(requests: readonly Partial<EchoRequest>[], options?: EchoCallOptions): Promise<CallOutcome>;
  bidi(requests: readonly Partial<EchoRequest>[], options?: EchoCallOptions): Promise<CallOutcome>;
  close(): void;
}

/** How long a test call may take at most, unless it sets its own timeout: bounded, never a hang. */
const DEFAULT_TIMEOUT_MS = 10_000;

function response(message: { readonly text?: string; readonly index?: number }): EchoResponse {
  return { text: message.text ?? "", index: message.index ?? 0 };
}

/** Details as connect-es reads them off the wire (type name and bytes), each read as the FailureDetail it is. */
function outcomeDetails(details: readonly ({ type: string; value: Uint8Array } | object)[]): OutcomeDetail[] {
  return details.map((detail) => {
    if (!("type" in detail)) throw new Error("a detail made in code, not read from the wire");
    return { type: detail.type, reason: FailureDetail.decode(detail.value).reason };
  });
}

// gRPC through grpc-js's client.

function metadataOf(headers: Record<string, string> | undefined): Metadata {
  const metadata = new Metadata();
  for (const [name, value] of Object.entries(headers ?? {})) {
    metadata.set(name, name.endsWith("-bin") ? Buffer.from(value, "base64") : value);
  }
  return metadata;
}

/** Headers and trailers a handler may set: not the protocols' and HTTP's own. */
const PROTOCOL_HEADER =
  /^(?::|content-|grpc-|connect-|date$|vary$|trailer$|accept-encoding$|transfer-encoding$|connection$|keep-alive$)/;

function recordOf(metadata: Metadata | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata?.getMap() ?? {})) {
    if (!PROTOCOL_HEADER.test(name)) record[name] = typeof value === "string" ? value : value.toString("base64");
  }
  return record;
}

/** The details of a grpc-js status: its `grpc-status-details-bin`, read with connect-es's gRPC decoder. */
function grpcJsDetails(metadata: Metadata): OutcomeDetail[] {
  const [bytes] = metadata.get("grpc-status-details-bin");
  if (bytes === undefined) return [];
  const error = findTrailerError(new Headers({ "grpc-status-details-bin": Buffer.from(bytes).toString("base64") }));
  return outcomeDetails(error?.details ?? []);
}

/** A grpc-js call of any kind, observed until its status. */
interface GrpcJsCall {
  on(event: "metadata", listener: (metadata: Metadata) => void): unknown;
  on(event: "status", listener: (status: StatusObject) => void): unknown;
  on(event: "error", listener: () => void): unknown;
  cancel(): void;
}

function observeGrpcJs(call: GrpcJsCall, options: EchoCallOptions, responses: EchoResponse[]): Promise<CallOutcome> {
  options.signal?.addEventListener("abort", () => call.cancel(), { once: true });
  if (options.signal?.aborted === true) call.cancel();
  let headers: Record<string, string> = {};
  call.on("metadata", (metadata) => (headers = recordOf(metadata)));
  // The error is read from the status; the listener only keeps an 'error' event from throwing.
  call.on("error", () => undefined);
  return new Promise((resolve) =>
    call.on("status", (status) =>
      // Messages read with the status still arrive in this tick's 'data' events.
      setImmediate(() =>
        resolve({
          responses,
          error:
            status.code === Status.OK
              ? undefined
              : { code: status.code, message: status.details, details: grpcJsDetails(status.metadata) },
          headers,
          trailers: recordOf(status.metadata),
        }),
      ),
    ),
  );
}

function collect(call: ClientReadableStream<EchoResponse>, responses: EchoResponse[]): void {
  call.on("data", (message: EchoResponse) => responses.push(response(message)));
}

export function grpcJsEchoClient(port: number, channelOptions: ChannelOptions = {}): EchoClient {
  const client = new EchoServiceClient(`127.0.0.1:${port}`, credentials.createInsecure(), channelOptions);
  const callOptions = (options: EchoCallOptions) => ({
    deadline: Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
  });
  return {
    unary(request, options = {}) {
      const responses: EchoResponse[] = [];
      const call = client.unary(
        echoRequest(request),
        metadataOf(options.headers),
        callOptions(options),
        (_, message) => {
          if (message !== undefined) responses.push(response(message));
        },
      );
      return observeGrpcJs(call, options, responses);
    },
    serverStream(request, options = {}) {
      const responses: EchoResponse[] = [];
      const call = client.serverStream(echoRequest(request), metadataOf(options.headers), callOptions(options));
      collect(call, responses);
      return observeGrpcJs(call, options, responses);
    },
    clientStream(requests, options = {}) {
      const responses: EchoResponse[] = [];
      const call = client.clientStream(metadataOf(options.headers), callOptions(options), (_, message) => {
        if (message !== undefined) responses.push(response(message));
      });
      const outcome = observeGrpcJs(call, options, responses);
      for (const request of requests) call.write(echoRequest(request));
      call.end();
      return outcome;
    },
    bidi(requests, options = {}) {
      const responses: EchoResponse[] = [];
      const call = client.bidi(metadataOf(options.headers), callOptions(options));
      call.on("data", (message: EchoResponse) => responses.push(response(message)));
      const outcome = observeGrpcJs(call, options, responses);
      for (const request of requests) call.write(echoRequest(request));
      call.end();
      return outcome;
    },
    close: () => client.close(),
  };
}

// Every protocol through connect-node's transports.

export function echoServiceDescriptor(): DescService {
  const service = createFileRegistry(fromBinary(FileDescriptorSetSchema, fixtureDescriptorSet)).getService(
    "fixture.v1.EchoService",
  );
  if (service === undefined) throw new Error("no fixture.v1.EchoService in the descriptor set");
  return service;
}

interface ConnectCallOptions {
  timeoutMs: number;
  headers: Record<string, string>;
  signal: AbortSignal | undefined;
  onHeader(headers: Headers): void;
  onTrailer(trailers: Headers): void;
}

type Message = { readonly text?: string; readonly index?: number };

/** The EchoService as connect-es's client makes it from a descriptor known only at run time. */
interface ConnectEcho {
  unary(request: EchoRequest, options: ConnectCallOptions): Promise<Message>;
  serverStream(request: EchoRequest, options: ConnectCallOptions): AsyncIterable<Message>;
  clientStream(requests: AsyncIterable<EchoRequest>, options: ConnectCallOptions): Promise<Message>;
  bidi(requests: AsyncIterable<EchoRequest>, options: ConnectCallOptions): AsyncIterable<Message>;
}

function userRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (!PROTOCOL_HEADER.test(name)) record[name] = value;
  });
  return record;
}

function requestsOf(requests: readonly Partial<EchoRequest>[]): AsyncIterable<EchoRequest> {
  return createAsyncIterable(requests.map(echoRequest));
}

export function connectEchoClient(transport: Transport): EchoClient {
  const client = createClient(echoServiceDescriptor(), transport) as unknown as ConnectEcho;
  const run = async (
    options: EchoCallOptions,
    call: (callOptions: ConnectCallOptions, responses: EchoResponse[]) => Promise<void>,
  ): Promise<CallOutcome> => {
    const responses: EchoResponse[] = [];
    let headers: Record<string, string> = {};
    let trailers: Record<string, string> = {};
    const callOptions: ConnectCallOptions = {
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      headers: options.headers ?? {},
      signal: options.signal,
      onHeader: (received) => (headers = userRecord(received)),
      onTrailer: (received) => (trailers = userRecord(received)),
    };
    try {
      await call(callOptions, responses);
      return { responses, error: undefined, headers, trailers };
    } catch (thrown) {
      const error = ConnectError.from(thrown);
      // On an error, connect-es puts the trailers it read into the error's metadata.
      const errorTrailers = userRecord(error.metadata);
      return {
        responses,
        error: { code: error.code, message: error.rawMessage, details: outcomeDetails(error.details) },
        headers,
        trailers: { ...errorTrailers, ...trailers },
      };
    }
  };
  const drain = async (messages: AsyncIterable<Message>, responses: EchoResponse[]) => {
    for await (const message of messages) responses.push(response(message));
  };
  return {
    unary: (request, options = {}) =>
      run(options, async (callOptions, responses) => {
        responses.push(response(await client.unary(echoRequest(request), callOptions)));
      }),
    serverStream: (request, options = {}) =>
      run(options, (callOptions, responses) =>
        drain(client.serverStream(echoRequest(request), callOptions), responses),
      ),
    clientStream: (requests, options = {}) =>
      run(options, async (callOptions, responses) => {
        responses.push(response(await client.clientStream(requestsOf(requests), callOptions)));
      }),
    bidi: (requests, options = {}) =>
      run(options, (callOptions, responses) => drain(client.bidi(requestsOf(requests), callOptions), responses)),
    close: () => undefined,
  };
}

const baseUrl = (port: number) => `http://127.0.0.1:${port}`;

export const transports = {
  grpc: (port: number) => createGrpcTransport({ baseUrl: baseUrl(port) }),
  connect: (port: number, httpVersion: "1.1" | "2", useBinaryFormat: boolean) =>
    createConnectTransport({ baseUrl: baseUrl(port), httpVersion, useBinaryFormat }),
  connectGzip: (port: number) =>
    createConnectTransport({
      baseUrl: baseUrl(port),
      httpVersion: "2",
      useBinaryFormat: true,
      sendCompression: compressionGzip,
      compressMinBytes: 0,
    }),
  grpcWeb: (port: number, httpVersion: "1.1" | "2", useBinaryFormat: boolean) =>
    createGrpcWebTransport({ baseUrl: baseUrl(port), httpVersion, useBinaryFormat }),
} as const;
