/**
 * An independent server of the calculator contract, for testing clients against a server that is not ours:
 * `@connectrpc/connect-node` (Connect, gRPC-Web and gRPC on one port) on `node:http` (HTTP/1.1, what
 * browsers and `fetch` speak in cleartext) or `node:http2` (h2c, what grpc-js speaks), with CORS for the
 * origins you allow. The service descriptor is built at run time from the descriptor set that
 * @grpc-calculator/proto publishes, and `Calculate` answers with the server's own semantics
 * (`calculate` from @grpc-calculator/server: the same results, statuses and messages); `CalculateStream` is
 * Calculate applied to each request in order, as the contract defines it. Requests reach the handler as
 * the contract's ts-proto type, decoded from their wire bytes: no cast stands between the untyped run-time
 * descriptor and the handler. A test helper, not product code: loopback only.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse } from "node:http2";
import type { AddressInfo, Socket } from "node:net";
import {
  createFileRegistry,
  type DescMethod,
  type DescMethodBiDiStreaming,
  type DescMethodUnary,
  fromBinary,
  type Message,
  toBinary,
} from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, cors, type HandlerContext } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { BinaryOperation, CalculatorService, fileDescriptorSet } from "@grpc-calculator/proto";
import { calculate as serverCalculate } from "@grpc-calculator/server";

/** "/Calculator/Calculate" → "Calculator": the generated path is the only source of the service name. */
const serviceName = CalculatorService.calculate.path.split("/")[1] ?? "";
const service =
  createFileRegistry(fromBinary(FileDescriptorSetSchema, fileDescriptorSet)).getService(serviceName) ??
  missing(`the descriptor set has no service ${serviceName}`);
const calculateMethod = methodOf("calculate", (method): method is DescMethodUnary => method.methodKind === "unary");
const calculateStreamMethod = methodOf(
  "calculateStream",
  (method): method is DescMethodBiDiStreaming => method.methodKind === "bidi_streaming",
);

function missing(why: string): never {
  throw new Error(why);
}

/** A method of the run-time descriptor by its local name, checked to be of the kind this server implements. */
function methodOf<M extends DescMethod>(localName: string, isKind: (method: DescMethod) => method is M): M {
  const method = service.method[localName];
  if (method === undefined || !isKind(method)) return missing(`${serviceName} has no ${localName} of that kind`);
  return method;
}

/**
 * A request message of the run-time descriptor (untyped) as the contract's ts-proto type, through the wire
 * bytes both generators read alike.
 */
const toBinaryOperation = (message: Message): BinaryOperation =>
  BinaryOperation.decode(toBinary(calculateMethod.input, message));

/** One Calculate call: the request, and the call's context (headers, signal, deadline). Throw a ConnectError to fail. */
export type CalculateHandler = (request: BinaryOperation, context: HandlerContext) => number | Promise<number>;

/** Calculate with the real server's arithmetic, statuses and messages. */
export const serverSemantics: CalculateHandler = (request) => {
  const outcome = serverCalculate(request.firstOperand, request.secondOperand, request.operation);
  // gRPC status numbers are Connect's codes.
  if (!outcome.ok) throw new ConnectError(outcome.message, outcome.code as number);
  return outcome.result;
};

/**
 * CalculateStream as the contract defines it from Calculate: each request answered in order; the first
 * failure ends the call with that request's status and a message that starts with its zero-based index,
 * which is the number of answers already sent.
 */
async function* eachInOrder<I, O>(requests: AsyncIterable<I>, answer: (request: I) => Promise<O>): AsyncIterable<O> {
  let answered = 0;
  for await (const request of requests) {
    let response: O;
    try {
      response = await answer(request);
    } catch (error) {
      const e = ConnectError.from(error);
      throw new ConnectError(`operation ${answered}: ${e.rawMessage}`, e.code);
    }
    yield response;
    answered += 1;
  }
}

export interface ConnectTestServerOptions {
  /** `"http1"` (default: node:http, HTTP/1.1) or `"h2c"` (node:http2 cleartext, prior knowledge). */
  readonly http?: "http1" | "h2c";
  /** Origins allowed to call from a browser (CORS); none by default, so cross-origin calls fail. */
  readonly corsOrigins?: readonly string[];
  /** Replaces Calculate (delays, failures, header checks); default {@link serverSemantics}. */
  readonly calculate?: CalculateHandler;
}

export interface ConnectTestServer {
  /** `http://127.0.0.1:PORT`, the base URL clients use. */
  readonly url: string;
  readonly port: number;
  /** Calls that reached Calculate (a stream counts once per request), for tests that count. */
  readonly calls: number;
  close(): Promise<void>;
}

/** Starts the server on an ephemeral loopback port. */
export async function startConnectTestServer(options: ConnectTestServerOptions = {}): Promise<ConnectTestServer> {
  const handle = options.calculate ?? serverSemantics;
  let calls = 0;
  const compute = async (request: BinaryOperation, context: HandlerContext) => {
    calls += 1;
    return { result: await handle(request, context) };
  };
  const adapter = connectNodeAdapter({
    routes(router) {
      router.rpc(calculateMethod, (request, context) => compute(toBinaryOperation(request), context));
      router.rpc(calculateStreamMethod, (requests, context) =>
        eachInOrder(requests, (request) => compute(toBinaryOperation(request), context)),
      );
    },
  });
  const allowed = new Set(options.corsOrigins ?? []);
  const handler = (
    request: IncomingMessage | Http2ServerRequest,
    response: ServerResponse | Http2ServerResponse,
  ): void => {
    const origin = request.headers.origin;
    if (origin !== undefined && allowed.has(origin)) {
      response.setHeader("access-control-allow-origin", origin);
      response.setHeader("vary", "origin");
      response.setHeader("access-control-expose-headers", cors.exposedHeaders.join(", "));
      if (request.method === "OPTIONS") {
        response.setHeader("access-control-allow-methods", cors.allowedMethods.join(", "));
        response.setHeader("access-control-allow-headers", [...cors.allowedHeaders, "authorization"].join(", "));
        response.setHeader("access-control-max-age", "7200");
        response.writeHead(204);
        response.end();
        return;
      }
    }
    adapter(request, response);
  };
  const server = options.http === "h2c" ? createHttp2Server(handler) : createHttpServer(handler);
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get calls() {
      return calls;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

export { Code, ConnectError };
