// Clients of every protocol the server speaks, behind one shape, for tests that run the same cases
// through each. gRPC through grpc-js (the generated client) and through connect-es's gRPC transport;
// Connect and gRPC-Web through connect-es's Node transports, over HTTP/2 (h2c) and HTTP/1.1; REST
// (calculator.proto's google.api.http routes) as `curl` would send it, GET and POST, both versions. An error
// comes back with its code, message and google.rpc.Status details, each decoded by its type.
import { create, createFileRegistry, fromBinary, toJson, toJsonString, type DescService } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { ConnectError, createClient, type Transport } from "@connectrpc/connect";
import {
  compressionGzip,
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { Metadata, type ChannelOptions, type ServiceError } from "@grpc/grpc-js";
import {
  BadRequest as BadRequestCodec,
  ErrorInfo as ErrorInfoCodec,
  fileDescriptorSet,
  Operation,
  type BinaryOperation,
  type CalculationResult,
  type CalculatorClient,
} from "@grpc-calculator/proto";
import { BadRequest, ErrorInfo, Status } from "@grpc-calculator/proto/errors";
import type { Protocol, ServedBy } from "@grpc-calculator/rpc-server";
import { calculatorClient } from "./helpers.js";
import { http1, http2, type HttpAnswer } from "./web-http.js";

/** A detail of an error, decoded when it is one the contract sends (its bytes otherwise). */
export interface Detail {
  readonly type: string;
  readonly value: ErrorInfo | BadRequest | Uint8Array;
}

export interface Failure {
  readonly code: number;
  readonly message: string;
  readonly details: readonly Detail[];
}

export type Answer = { readonly result: number } | Failure;

export interface StreamAnswer {
  readonly results: number[];
  readonly error: Failure | undefined;
}

/** Details as connect-es reads them (a type name and bytes), decoded. */
export function readDetails(details: readonly ({ type: string; value: Uint8Array } | object)[]): Detail[] {
  return details.map((detail) => {
    if (!("type" in detail)) throw new Error("a detail made in code, not read from the wire");
    const { type, value } = detail;
    if (type === ErrorInfo.$type) return { type, value: ErrorInfo.decode(value) };
    if (type === BadRequest.$type) return { type, value: BadRequest.decode(value) };
    return { type, value };
  });
}

/** The details of `grpc-status-details-bin` (base64, or the bytes grpc-js decoded it to), if any. */
export function statusDetails(value: string | Buffer | undefined): Detail[] {
  if (value === undefined) return [];
  const status = Status.decode(typeof value === "string" ? Buffer.from(value, "base64") : value);
  return readDetails(status.details.map(({ typeUrl, value }) => ({ type: typeUrl.split("/").pop() ?? "", value })));
}

/** A grpc-js error as a Failure. */
const grpcJsFailure = (error: ServiceError): Failure => ({
  code: error.code,
  message: error.details,
  details: statusDetails(error.metadata.get("grpc-status-details-bin")[0]),
});

export interface ProtocolClient {
  calculate(request: Partial<BinaryOperation>): Promise<Answer>;
  calculateStream(requests: readonly Partial<BinaryOperation>[]): Promise<StreamAnswer>;
  close(): void;
}

export interface ClientKind {
  readonly name: string;
  /** The protocol and path the server logs for this client's plain unary calls. */
  readonly protocol: Protocol;
  readonly servedBy: (directPath: boolean) => ServedBy;
  /** Whether it can carry CalculateStream: bidi streaming needs HTTP/2 (Connect and gRPC-Web over HTTP/1.1 carry unary calls only). */
  readonly streams: boolean;
  readonly create: (port: number) => ProtocolClient;
}

export function calculatorService(): DescService {
  const service = createFileRegistry(fromBinary(FileDescriptorSetSchema, fileDescriptorSet)).getService("Calculator");
  if (service === undefined) throw new Error("no Calculator in the descriptor set");
  return service;
}

/** The two methods, as connect-es's client makes them from a descriptor known only at run time. */
interface ConnectCalculator {
  calculate(request: BinaryOperation, options: { timeoutMs: number }): Promise<CalculationResult>;
  calculateStream(
    requests: AsyncIterable<BinaryOperation>,
    options: { timeoutMs: number },
  ): AsyncIterable<CalculationResult>;
}

function full(request: Partial<BinaryOperation>): BinaryOperation {
  return { firstOperand: 0, secondOperand: 0, operation: Operation.ADD, ...request };
}

function grpcJsClient(channelOptions: ChannelOptions): (port: number) => ProtocolClient {
  return (port) => {
    const client: CalculatorClient = calculatorClient(port, channelOptions);
    return {
      calculate: (request) =>
        new Promise((resolve) => {
          client.calculate(
            full(request),
            new Metadata(),
            { deadline: Date.now() + 10_000 },
            (error: ServiceError | null, response?: CalculationResult) =>
              resolve(error === null ? { result: response?.result ?? Number.NaN } : grpcJsFailure(error)),
          );
        }),
      calculateStream: (requests) =>
        new Promise((resolve) => {
          const call = client.calculateStream(new Metadata(), { deadline: Date.now() + 10_000 });
          const results: number[] = [];
          let error: StreamAnswer["error"];
          call.on("data", (response: CalculationResult) => results.push(response.result));
          call.on("error", (e: ServiceError) => (error = grpcJsFailure(e)));
          call.on("status", () => setImmediate(() => resolve({ results, error })));
          for (const request of requests) call.write(full(request));
          call.end();
        }),
      close: () => client.close(),
    };
  };
}

function connectEsClient(transport: (baseUrl: string) => Transport): (port: number) => ProtocolClient {
  return (port) => {
    const client = createClient(
      calculatorService(),
      transport(`http://127.0.0.1:${port}`),
    ) as unknown as ConnectCalculator;
    const failure = (error: unknown): Failure => {
      const e = ConnectError.from(error);
      return { code: e.code, message: e.rawMessage, details: readDetails(e.details) };
    };
    return {
      async calculate(request) {
        try {
          const response = await client.calculate(full(request), { timeoutMs: 10_000 });
          return { result: response.result };
        } catch (error) {
          return failure(error);
        }
      },
      async calculateStream(requests) {
        const results: number[] = [];
        try {
          const input = (async function* () {
            for (const request of requests) {
              // One request per turn of the event loop, as a client producing them over time would.
              await new Promise((resolve) => setImmediate(resolve));
              yield full(request);
            }
          })();
          for await (const response of client.calculateStream(input, { timeoutMs: 10_000 })) {
            results.push(response.result);
          }
          return { results, error: undefined };
        } catch (error) {
          return { results, error: failure(error) };
        }
      },
      close: () => undefined,
    };
  };
}

/** A detail of REST's google.rpc.Status JSON (a google.protobuf.Any: `@type` and the message's fields), decoded. */
function restDetail(any: { readonly "@type": string }): Detail {
  const type = any["@type"].split("/").pop() ?? "";
  if (type === ErrorInfo.$type) return { type, value: ErrorInfoCodec.fromJSON(any) };
  if (type === BadRequest.$type) return { type, value: BadRequestCodec.fromJSON(any) };
  throw new Error(`a detail the contract does not send: ${type}`);
}

/** REST's answer: the result, or google.rpc.Status's code, message and details. */
function restAnswer(answer: HttpAnswer): Answer {
  const body = JSON.parse(answer.body.toString()) as {
    result?: number;
    code?: number;
    message?: string;
    details?: { "@type": string }[];
  };
  if (answer.status === 200) return { result: body.result ?? Number.NaN };
  return { code: body.code ?? -1, message: body.message ?? "", details: (body.details ?? []).map(restDetail) };
}

/**
 * REST: `GET /v1/calculate?first_operand=…` (the fields by their proto names, as proto3 JSON text: `NaN`,
 * `-Infinity`, the operation by name, or by number when it has none) or `POST /v1/calculate` with the
 * JSON body; both written by protobuf-es from the contract's descriptor.
 */
function restClient(method: "GET" | "POST", send: typeof http1): (port: number) => ProtocolClient {
  const input = calculatorService().methods.find((m) => m.name === "Calculate")?.input;
  if (input === undefined) throw new Error("no Calculate in the descriptor set");
  return (port) => ({
    async calculate(request) {
      const message = create(input, { ...full(request) });
      if (method === "POST") {
        const body = toJsonString(input, message);
        return restAnswer(
          await send(port, { path: "/v1/calculate", headers: { "content-type": "application/json" }, body }),
        );
      }
      // Every field of the message is a scalar: a number, or the text protobuf-es writes for NaN, ±Infinity, an enum.
      const fields = toJson(input, message, { useProtoFieldName: true, alwaysEmitImplicit: true }) as Record<
        string,
        string | number
      >;
      const query = new URLSearchParams(
        Object.entries(fields).map(([name, value]): [string, string] => [name, String(value)]),
      );
      return restAnswer(await send(port, { method: "GET", path: `/v1/calculate?${query.toString()}` }));
    },
    calculateStream: () => Promise.reject(new Error("REST serves no streaming method")),
    close: () => undefined,
  });
}

const direct = (directPath: boolean): ServedBy => (directPath ? "direct" : "grpc-js");
const directWeb = (directPath: boolean): ServedBy => (directPath ? "direct" : "connect-es");

/** Every client, named for what it speaks and over which HTTP version. */
export const clientKinds: readonly ClientKind[] = [
  { name: "gRPC (grpc-js client)", protocol: "grpc", servedBy: direct, streams: true, create: grpcJsClient({}) },
  {
    name: "gRPC, gzip-compressed (grpc-js client)",
    protocol: "grpc",
    servedBy: () => "grpc-js",
    streams: true,
    create: grpcJsClient({ "grpc.default_compression_algorithm": 2 }),
  },
  {
    name: "gRPC (connect-es client)",
    protocol: "grpc",
    servedBy: direct,
    streams: true,
    create: connectEsClient((baseUrl) => createGrpcTransport({ baseUrl })),
  },
  ...(["2", "1.1"] as const).flatMap((httpVersion): ClientKind[] => [
    {
      name: `Connect JSON, HTTP/${httpVersion}`,
      protocol: "connect",
      servedBy: directWeb,
      streams: httpVersion === "2",
      create: connectEsClient((baseUrl) => createConnectTransport({ baseUrl, httpVersion })),
    },
    {
      name: `Connect binary, HTTP/${httpVersion}`,
      protocol: "connect",
      servedBy: directWeb,
      streams: httpVersion === "2",
      create: connectEsClient((baseUrl) => createConnectTransport({ baseUrl, httpVersion, useBinaryFormat: true })),
    },
    {
      name: `gRPC-Web, HTTP/${httpVersion}`,
      protocol: "grpc-web",
      servedBy: directWeb,
      streams: httpVersion === "2",
      create: connectEsClient((baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion })),
    },
  ]),
  {
    name: "Connect JSON, gzip-compressed, HTTP/1.1",
    protocol: "connect",
    servedBy: () => "connect-es",
    streams: false,
    create: connectEsClient((baseUrl) =>
      createConnectTransport({
        baseUrl,
        httpVersion: "1.1",
        sendCompression: compressionGzip,
        acceptCompression: [compressionGzip],
        compressMinBytes: 0,
      }),
    ),
  },
  ...(["2", "1.1"] as const).flatMap((httpVersion): ClientKind[] =>
    (["GET", "POST"] as const).map((method) => ({
      name: `REST ${method}, HTTP/${httpVersion}`,
      protocol: "rest",
      // The engine transcodes REST itself, whatever directPath says.
      servedBy: () => "direct",
      streams: false,
      create: restClient(method, httpVersion === "2" ? http2 : http1),
    })),
  ),
  {
    name: "gRPC-Web JSON, HTTP/2",
    protocol: "grpc-web",
    servedBy: () => "connect-es",
    streams: true,
    create: connectEsClient((baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: "2", useBinaryFormat: false })),
  },
];
