/**
 * An independent server of the calculator contract, for testing clients against a server that is not ours:
 * `@connectrpc/connect-node` (Connect, gRPC-Web and gRPC on one port) on `node:http` (HTTP/1.1, what
 * browsers and `fetch` speak in cleartext) or `node:http2` (h2c, what grpc-js speaks), with CORS for the
 * origins you allow. The service descriptor is built at run time from the descriptor set that
 * @grpc-calculator/proto publishes, and `Calculate` answers with the server's own semantics
 * (`calculate` from @grpc-calculator/server: the same results, statuses and messages). A test helper,
 * not product code: loopback only.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse } from "node:http2";
import type { AddressInfo, Socket } from "node:net";
import { createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, cors, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { type BinaryOperation, CalculatorService, fileDescriptorSet } from "@grpc-calculator/proto";
import { calculate as serverCalculate } from "@grpc-calculator/server";

/** "/Calculator/Calculate" → "Calculator": the generated path is the only source of the service name. */
const serviceName = CalculatorService.calculate.path.split("/")[1] ?? "";
const service =
  createFileRegistry(fromBinary(FileDescriptorSetSchema, fileDescriptorSet)).getService(serviceName) ??
  missing(`the descriptor set has no service ${serviceName}`);

function missing(why: string): never {
  throw new Error(why);
}

/** One Calculate call: the request, and the call's context (headers, signal, deadline). Throw a ConnectError to fail. */
export type CalculateHandler = (request: BinaryOperation, context: HandlerContext) => number | Promise<number>;

/** Calculate with the real server's arithmetic, statuses and messages. */
export const serverSemantics: CalculateHandler = (request) => {
  const outcome = serverCalculate(request.firstOperand, request.secondOperand, request.operation);
  // gRPC status numbers are Connect's codes.
  if (!outcome.ok) throw new ConnectError(outcome.message, outcome.code as number);
  return outcome.result;
};

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
  // protobuf-es messages of BinaryOperation: the fields ts-proto's type names.
  const compute = async (request: unknown, context: HandlerContext) => {
    calls += 1;
    return { result: await handle(request as BinaryOperation, context) };
  };
  const adapter = connectNodeAdapter({
    routes(router) {
      // The descriptor is untyped (built at run time), so its implementation is too.
      router.service(service, {
        calculate: compute,
        // The contract's stream: one result per request, in order; the first failure ends the call with
        // that request's status and a message starting with its zero-based index.
        async *calculateStream(requests: AsyncIterable<unknown>, context: HandlerContext) {
          let index = 0;
          for await (const request of requests) {
            try {
              yield await compute(request, context);
            } catch (error) {
              const e = ConnectError.from(error);
              throw new ConnectError(`operation ${index}: ${e.rawMessage}`, e.code);
            }
            index += 1;
          }
        },
      } as unknown as ServiceImpl<typeof service>);
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
