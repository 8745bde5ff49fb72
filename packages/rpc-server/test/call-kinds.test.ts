// One table: every call kind of the fixture contract × every protocol × every path that serves it,
// with no edit to the engine. Each cell checks the answers, the error a failing handler raises
// (identical code, message and google.rpc.Status details everywhere), and which code path served the
// call (the context's protocol, servedBy and HTTP version, as a middleware saw them).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, type CallContext, type Middleware, type RpcServer, type ServedBy } from "../src/index.js";
import { connectEchoClient, grpcJsEchoClient, transports, type EchoClient } from "./echo-clients.js";
import { startEchoServer } from "./fixture-service.js";

type Kind = "unary" | "serverStream" | "clientStream" | "bidi";
const ALL_KINDS: readonly Kind[] = ["unary", "serverStream", "clientStream", "bidi"];

interface ClientCase {
  readonly name: string;
  readonly protocol: CallContext["protocol"];
  readonly httpVersion: "1.1" | "2";
  /** Which path serves a call of `kind`, on a server with the direct paths on or off. */
  readonly servedBy: (kind: Kind, directPath: boolean) => ServedBy;
  /** The call kinds it carries; the others are refused (see "what HTTP/1.1 cannot carry"). */
  readonly kinds: readonly Kind[];
  readonly create: (port: number) => EchoClient;
}

const grpcPath = (_: Kind, directPath: boolean): ServedBy => (directPath ? "direct" : "grpc-js");
// Every kind the client can send over its HTTP version takes the direct path (HTTP/1.1 carries no bidi).
const webPath = (_: Kind, directPath: boolean): ServedBy => (directPath ? "direct" : "connect-es");

const clients: readonly ClientCase[] = [
  {
    name: "gRPC, grpc-js client",
    protocol: "grpc",
    httpVersion: "2",
    servedBy: grpcPath,
    kinds: ALL_KINDS,
    create: (port) => grpcJsEchoClient(port),
  },
  {
    // A compressed call is one the direct path leaves to grpc-js.
    name: "gRPC, grpc-js client, gzip",
    protocol: "grpc",
    httpVersion: "2",
    servedBy: () => "grpc-js",
    kinds: ALL_KINDS,
    create: (port) => grpcJsEchoClient(port, { "grpc.default_compression_algorithm": 2 }),
  },
  {
    name: "gRPC, connect-node client",
    protocol: "grpc",
    httpVersion: "2",
    servedBy: grpcPath,
    kinds: ALL_KINDS,
    create: (port) => connectEchoClient(transports.grpc(port)),
  },
  ...(["2", "1.1"] as const).flatMap((httpVersion) =>
    [true, false].map((binary): ClientCase => ({
      name: `Connect ${binary ? "proto" : "JSON"}, HTTP/${httpVersion}`,
      protocol: "connect",
      httpVersion,
      servedBy: webPath,
      kinds: httpVersion === "2" ? ALL_KINDS : ["unary", "serverStream", "clientStream"],
      create: (port) => connectEchoClient(transports.connect(port, httpVersion, binary)),
    })),
  ),
  {
    name: "Connect proto, HTTP/2, gzip",
    protocol: "connect",
    httpVersion: "2",
    servedBy: () => "connect-es",
    kinds: ALL_KINDS,
    create: (port) => connectEchoClient(transports.connectGzip(port)),
  },
  ...(["2", "1.1"] as const).map((httpVersion): ClientCase => ({
    name: `gRPC-Web proto, HTTP/${httpVersion}`,
    protocol: "grpc-web",
    httpVersion,
    servedBy: webPath,
    kinds: httpVersion === "2" ? ALL_KINDS : ["unary", "serverStream", "clientStream"],
    create: (port) => connectEchoClient(transports.grpcWeb(port, httpVersion, true)),
  })),
  {
    // gRPC-Web with JSON messages: connect-es serves it, whatever the kind.
    name: "gRPC-Web JSON, HTTP/2",
    protocol: "grpc-web",
    httpVersion: "2",
    servedBy: () => "connect-es",
    kinds: ["unary", "serverStream"],
    create: (port) => connectEchoClient(transports.grpcWeb(port, "2", false)),
  },
];

/** What each call kind is asked, and what every protocol must answer: literal values, the same for all. */
const cases: Record<
  Kind,
  { readonly ok: (client: EchoClient) => unknown; readonly fails: (client: EchoClient) => unknown }
> = {
  unary: {
    ok: (client) => client.unary({ text: "hello" }),
    // A message that needs grpc-message's percent-encoding: non-ASCII and '%'.
    fails: (client) =>
      client.unary({
        text: "refused: 50% ünïcode",
        failWithCode: Code.INVALID_ARGUMENT,
        failDetails: ["first ünïcode", "second"],
      }),
  },
  serverStream: {
    ok: (client) => client.serverStream({ text: "s", repeat: 3 }),
    fails: (client) =>
      client.serverStream({ text: "ran out", repeat: 2, failWithCode: Code.FAILED_PRECONDITION, failDetails: ["dry"] }),
  },
  clientStream: {
    ok: (client) => client.clientStream([{ text: "a" }, { text: "b" }, { text: "c" }]),
    // An error without details: none arrive (test/error-details.test.ts checks the wire carries no trace of them).
    fails: (client) => client.clientStream([{ text: "a" }, { text: "no such b", failWithCode: Code.NOT_FOUND }]),
  },
  bidi: {
    ok: (client) => client.bidi([{ text: "x", repeat: 2 }, { text: "y" }]),
    fails: (client) =>
      client.bidi([{ text: "x" }, { text: "denied y", failWithCode: Code.PERMISSION_DENIED, failDetails: ["not y"] }]),
  },
};

const expected: Record<Kind, { readonly ok: object; readonly fails: object }> = {
  unary: {
    ok: { responses: [{ text: "hello", index: 0 }], error: undefined },
    fails: {
      responses: [],
      error: {
        code: Code.INVALID_ARGUMENT,
        message: "refused: 50% ünïcode",
        details: [
          { type: "fixture.v1.FailureDetail", reason: "first ünïcode" },
          { type: "fixture.v1.FailureDetail", reason: "second" },
        ],
      },
    },
  },
  serverStream: {
    ok: {
      responses: [
        { text: "s", index: 0 },
        { text: "s", index: 1 },
        { text: "s", index: 2 },
      ],
      error: undefined,
    },
    fails: {
      responses: [
        { text: "ran out", index: 0 },
        { text: "ran out", index: 1 },
      ],
      error: {
        code: Code.FAILED_PRECONDITION,
        message: "ran out",
        details: [{ type: "fixture.v1.FailureDetail", reason: "dry" }],
      },
    },
  },
  clientStream: {
    ok: { responses: [{ text: "a b c", index: 3 }], error: undefined },
    fails: { responses: [], error: { code: Code.NOT_FOUND, message: "no such b", details: [] } },
  },
  bidi: {
    ok: {
      responses: [
        { text: "x", index: 0 },
        { text: "x", index: 1 },
        { text: "y", index: 2 },
      ],
      error: undefined,
    },
    fails: {
      responses: [{ text: "x", index: 0 }],
      error: {
        code: Code.PERMISSION_DENIED,
        message: "denied y",
        details: [{ type: "fixture.v1.FailureDetail", reason: "not y" }],
      },
    },
  },
};

/** Records how each call was served, as the engine's middleware sees it. */
function recorder() {
  const seen: string[] = [];
  const record = (context: CallContext) =>
    seen.push(`${context.protocol} ${context.servedBy} HTTP/${context.httpVersion} ${context.method.name}`);
  const middleware: Middleware = {
    unary: (next) => (request, context) => {
      record(context);
      return next(request, context);
    },
    stream: (context) => void record(context),
  };
  return { seen, middleware };
}

const methodName: Record<Kind, string> = {
  unary: "Unary",
  serverStream: "ServerStream",
  clientStream: "ClientStream",
  bidi: "Bidi",
};

describe.each([
  ["direct paths on (default)", true],
  ["direct paths off (directPath: false)", false],
])("every call kind, protocol and path: %s", (_, directPath) => {
  const { seen, middleware } = recorder();
  let server: RpcServer;
  beforeAll(async () => {
    server = await startEchoServer({ middleware: [middleware], directPath });
  });
  afterAll(() => server.shutdown(1000));

  describe.each(clients)("$name", (client) => {
    let echo: EchoClient;
    beforeAll(() => {
      echo = client.create(server.port);
    });
    afterAll(() => echo.close());

    it.each(client.kinds)("%s: answers, and fails with the handler's code, message and details", async (kind) => {
      seen.length = 0;
      expect(await cases[kind].ok(echo)).toMatchObject(expected[kind].ok);
      expect(await cases[kind].fails(echo)).toMatchObject(expected[kind].fails);
      const path = `${client.protocol} ${client.servedBy(kind, directPath)} HTTP/${client.httpVersion} ${methodName[kind]}`;
      expect(seen).toEqual([path, path]);
    });
  });
});

describe("what HTTP/1.1 cannot carry: bidi streaming on Connect and gRPC-Web", () => {
  const { seen, middleware } = recorder();
  let server: RpcServer;
  beforeAll(async () => {
    server = await startEchoServer({ middleware: [middleware] });
  });
  afterAll(() => server.shutdown(1000));

  it.each([
    ["Connect JSON", (port: number) => transports.connect(port, "1.1", false)],
    ["Connect proto", (port: number) => transports.connect(port, "1.1", true)],
    ["gRPC-Web proto", (port: number) => transports.grpcWeb(port, "1.1", true)],
  ])(
    "%s: HTTP 505 (HTTP Version Not Supported) at once, the handler never runs, the server keeps serving",
    async (_, transport) => {
      const echo = connectEchoClient(transport(server.port));
      seen.length = 0;
      const started = performance.now();
      // connect-node reports an HTTP status it has no error body for as UNKNOWN "HTTP <status>".
      expect(await echo.bidi([{ text: "x" }], { timeoutMs: 5000 })).toMatchObject({
        responses: [],
        error: { code: Code.UNKNOWN, message: "HTTP 505" },
      });
      expect(performance.now() - started).toBeLessThan(2000);
      expect(seen).toEqual([]);
      expect(await echo.unary({ text: "still here" })).toMatchObject({ responses: [{ text: "still here" }] });
    },
  );
});
