// Handlers as a service author writes them, and what callers see of them on every path: async
// handlers, thrown and rejected values, cancellation and deadlines through ctx.signal, response
// headers and trailers, binary metadata, `eachRequest`, and async middleware.
import { gzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  CallError,
  Code,
  eachRequest,
  type CallContext,
  type Middleware,
  type RpcServer,
  type ServedBy,
  type StreamObserver,
} from "../src/index.js";
import { connectEchoClient, grpcJsEchoClient, transports, type EchoClient } from "./echo-clients.js";
import { echoRequest, startEchoServer, wait, type EchoImplementation } from "./fixture-service.js";
import { EchoRequest, EchoResponse } from "./gen/fixture.js";
import { envelope, frames, GRPC_HEADERS, grpcStatusOf, http2Post } from "./raw-http.js";

interface PathCase {
  readonly name: string;
  /** Which path serves its unary calls, and its streaming calls. */
  readonly servedBy: { readonly unary: ServedBy; readonly stream: ServedBy };
  /** Whether it carries bidi streaming (HTTP/2). */
  readonly bidi: boolean;
  readonly create: (port: number) => EchoClient;
}

const GZIP = { "grpc.default_compression_algorithm": 2 };

/** One client for each path a call can take. */
const paths: readonly PathCase[] = [
  {
    name: "gRPC, direct path",
    servedBy: { unary: "direct", stream: "direct" },
    bidi: true,
    create: (port) => grpcJsEchoClient(port),
  },
  {
    name: "gRPC through grpc-js (compressed)",
    servedBy: { unary: "grpc-js", stream: "grpc-js" },
    bidi: true,
    create: (port) => grpcJsEchoClient(port, GZIP),
  },
  {
    name: "Connect proto, HTTP/2",
    servedBy: { unary: "direct", stream: "direct" },
    bidi: true,
    create: (port) => connectEchoClient(transports.connect(port, "2", true)),
  },
  {
    name: "Connect through connect-es (gzip)",
    servedBy: { unary: "connect-es", stream: "connect-es" },
    bidi: true,
    create: (port) => connectEchoClient(transports.connectGzip(port)),
  },
  {
    name: "gRPC-Web, HTTP/1.1",
    servedBy: { unary: "direct", stream: "direct" },
    bidi: false,
    create: (port) => connectEchoClient(transports.grpcWeb(port, "1.1", true)),
  },
];

/** Fails the test if anything escaped the engine as an unhandled rejection or exception. */
function watchProcess() {
  const escaped: unknown[] = [];
  const record = (error: unknown) => void escaped.push(error);
  beforeAll(() => {
    process.on("unhandledRejection", record);
    process.on("uncaughtException", record);
  });
  afterAll(() => {
    process.off("unhandledRejection", record);
    process.off("uncaughtException", record);
  });
  afterEach(() => expect(escaped).toEqual([]));
}

/** A promise and its resolve function, for waiting on an event a handler reports. */
function signalled<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

describe.each(paths)("handlers on $name", (path) => {
  watchProcess();
  const aborted: { reason: unknown; at: number }[] = [];
  let started = signalled();
  const handlers: Partial<EchoImplementation> = {
    async unary(request, context) {
      context.responseHeader.set("x-served-by", context.servedBy);
      context.responseTrailer.set("x-trailer", `for ${request.text}`);
      const token = context.header("x-token-bin");
      if (token !== undefined) {
        context.responseHeader.set("x-token-bin", token);
        context.responseTrailer.set("x-token-again-bin", token);
      }
      context.signal.addEventListener("abort", () =>
        aborted.push({ reason: context.signal.reason, at: performance.now() }),
      );
      // One await of a resolved promise: the async handler the issue measures.
      await Promise.resolve();
      switch (request.text) {
        case "throw":
          throw new Error("the handler broke");
        case "reject":
          return Promise.reject(new TypeError("the handler's promise rejected"));
        case "wait":
          started.resolve();
          await wait(request.delayMs, context);
          return { text: "waited", index: 0 };
        case "fail":
          throw new CallError(Code.ABORTED, "failed on purpose");
      }
      return { text: request.text.toUpperCase(), index: 0 };
    },
    async *serverStream(request, context) {
      context.responseHeader.set("x-served-by", context.servedBy);
      context.responseTrailer.set("x-trailer", `for ${request.text}`);
      context.signal.addEventListener("abort", () =>
        aborted.push({ reason: context.signal.reason, at: performance.now() }),
      );
      yield { text: request.text, index: 0 };
      if (request.text === "throw") throw new Error("the stream broke");
      if (request.text === "wait") {
        started.resolve();
        await wait(request.delayMs, context);
      }
      yield { text: request.text, index: 1 };
    },
  };
  let server: RpcServer;
  let client: EchoClient;
  beforeAll(async () => {
    server = await startEchoServer({ handlers });
    client = path.create(server.port);
  });
  afterAll(async () => {
    client.close();
    await server.shutdown(1000);
  });

  it("an async unary handler answers, with the headers and trailers it set", async () => {
    expect(await client.unary({ text: "hello" })).toEqual({
      responses: [{ text: "HELLO", index: 0 }],
      error: undefined,
      headers: { "x-served-by": path.servedBy.unary },
      trailers: { "x-trailer": "for hello" },
    });
  });

  it("a CallError's headers and trailers arrive with the error", async () => {
    const outcome = await client.unary({ text: "fail" });
    expect(outcome).toMatchObject({ responses: [], error: { code: Code.ABORTED, message: "failed on purpose" } });
    // A call that answers nothing but its status may carry everything in one block (gRPC's
    // Trailers-Only, what the direct path sends; a Connect unary error's HTTP headers): the handler's
    // header and trailer both arrive, wherever the protocol puts them.
    expect({ ...outcome.headers, ...outcome.trailers }).toEqual({
      "x-served-by": path.servedBy.unary,
      "x-trailer": "for fail",
    });
  });

  it("a server stream's headers and trailers arrive around its messages", async () => {
    expect(await client.serverStream({ text: "s" })).toEqual({
      responses: [
        { text: "s", index: 0 },
        { text: "s", index: 1 },
      ],
      error: undefined,
      headers: { "x-served-by": path.servedBy.stream },
      trailers: { "x-trailer": "for s" },
    });
  });

  it("binary (-bin) metadata: the handler reads it as base64 and sends it back, bytes intact", async () => {
    const token = Buffer.from([0, 1, 2, 0x7f, 0x80, 0xfe, 0xff]).toString("base64");
    const outcome = await client.unary({ text: "bin" }, { headers: { "x-token-bin": token } });
    expect(outcome.error).toBeUndefined();
    const bytes = (value: string | undefined) => [...Buffer.from(value ?? "", "base64")];
    expect(bytes(outcome.headers["x-token-bin"])).toEqual(bytes(token));
    expect(bytes(outcome.trailers["x-token-again-bin"])).toEqual(bytes(token));
  });

  it("a thrown Error is INTERNAL 'internal error: <message>', and the server keeps serving", async () => {
    expect((await client.unary({ text: "throw" })).error).toEqual({
      code: Code.INTERNAL,
      message: "internal error: the handler broke",
      details: [],
    });
    expect((await client.unary({ text: "reject" })).error).toEqual({
      code: Code.INTERNAL,
      message: "internal error: the handler's promise rejected",
      details: [],
    });
    expect(await client.serverStream({ text: "throw" })).toMatchObject({
      responses: [{ text: "throw", index: 0 }],
      error: { code: Code.INTERNAL, message: "internal error: the stream broke" },
    });
    expect((await client.unary({ text: "after" })).responses).toEqual([{ text: "AFTER", index: 0 }]);
  });

  it("a 150 ms deadline: DEADLINE_EXCEEDED after ≥ 150 ms and well before 2 s, ctx.signal aborted with it", async () => {
    for (const call of [
      () => client.unary({ text: "wait", delayMs: 5000 }, { timeoutMs: 150 }),
      () => client.serverStream({ text: "wait", delayMs: 5000 }, { timeoutMs: 150 }),
    ]) {
      aborted.length = 0;
      const begin = Date.now();
      const outcome = await call();
      const elapsed = Date.now() - begin;
      expect(outcome.error?.code).toBe(Code.DEADLINE_EXCEEDED);
      expect(elapsed).toBeGreaterThanOrEqual(150);
      expect(elapsed).toBeLessThan(2000);
      // The server's own timer fired (the handler heard of it), or the client's came first and cancelled.
      await expect.poll(() => aborted.length).toBe(1);
      expect(aborted[0]?.reason).toBeInstanceOf(CallError);
      expect([Code.DEADLINE_EXCEEDED, Code.CANCELLED]).toContain((aborted[0]?.reason as CallError).code);
    }
  });

  it("a client's cancel aborts ctx.signal with CANCELLED", async () => {
    for (const call of [
      (signal: AbortSignal) => client.unary({ text: "wait", delayMs: 5000 }, { signal }),
      (signal: AbortSignal) => client.serverStream({ text: "wait", delayMs: 5000 }, { signal }),
    ]) {
      aborted.length = 0;
      started = signalled();
      const controller = new AbortController();
      const outcome = call(controller.signal);
      await started.promise;
      const cancelledAt = performance.now();
      controller.abort();
      expect((await outcome).error?.code).toBe(Code.CANCELLED);
      await expect.poll(() => aborted.length).toBe(1);
      expect(aborted[0]?.reason).toMatchObject({ code: Code.CANCELLED, message: "the client cancelled the call" });
      expect((aborted[0]?.at ?? Infinity) - cancelledAt).toBeLessThan(1000);
    }
  });
});

describe("handlers that go on after their call ended", () => {
  watchProcess();
  // How each call ended, as a middleware heard it, by the call's request text.
  const ends: string[] = [];
  // Each call's handler says when it is done, by its request's text: a handler of an earlier call that
  // ends late (its client went away) must not stand for the next call's.
  const handlerDone = new Map<string, ReturnType<typeof signalled<void>>>();
  const done = (text: string) => {
    const signal = signalled();
    handlerDone.set(text, signal);
    return signal.promise;
  };
  let calls = 0;
  const observer: Middleware = {
    stream: () => {
      let text = "";
      return {
        request: (message) => void (text = (message as EchoRequest).text),
        end: (error) => void ends.push(`${text} ${error?.code ?? "OK"}`),
      };
    },
  };
  const afterAbort = (context: CallContext) =>
    new Promise<void>((resolve) => context.signal.addEventListener("abort", () => resolve(), { once: true }));
  const handlers: Partial<EchoImplementation> = {
    async *serverStream(request, context) {
      try {
        yield { text: "before", index: 0 };
        await afterAbort(context);
        if (request.text.startsWith("throw")) throw new Error("thrown after the call ended");
        // Yields after the call ended: nothing more may reach the wire.
        yield { text: "late", index: 1 };
        yield { text: "later", index: 2 };
      } finally {
        handlerDone.get(request.text)?.resolve();
      }
    },
    async unary(request, context) {
      await afterAbort(context);
      setImmediate(() => handlerDone.get(request.text)?.resolve());
      if (request.text.startsWith("throw")) throw new Error("rejected after the call ended");
      return { text: "late", index: 0 };
    },
  };
  let server: RpcServer;
  beforeAll(async () => {
    server = await startEchoServer({ handlers, middleware: [observer] });
  });
  afterAll(() => server.shutdown(1000));

  const clients = paths.filter((path) => path.name !== "gRPC-Web, HTTP/1.1");
  it.each(clients.flatMap((path) => [[path.name, "yield", path] as const, [path.name, "throw", path] as const]))(
    "%s: a stream handler that %ss after its deadline answers once, DEADLINE_EXCEEDED, and the server goes on",
    async (_, text, path) => {
      const client = path.create(server.port);
      const id = `${text} ${++calls}`;
      const handlerEnded = done(id);
      const outcome = await client.serverStream({ text: id }, { timeoutMs: 200 });
      await handlerEnded;
      await new Promise((resolve) => setImmediate(resolve));
      expect(outcome.responses).toEqual([{ text: "before", index: 0 }]);
      expect(outcome.error?.code).toBe(Code.DEADLINE_EXCEEDED);
      // The server's deadline or the client's reset ended it first; either way, once.
      expect(ends.filter((end) => end.startsWith(`${id} `))).toEqual([
        expect.stringMatching(new RegExp(`^${id} (${Code.DEADLINE_EXCEEDED}|${Code.CANCELLED})$`)),
      ]);
      expect((await client.unary({ text: "unused" }, { timeoutMs: 100 })).error?.code).toBe(Code.DEADLINE_EXCEEDED);
      expect((await client.serverStream({ text: "yield" }, { timeoutMs: 100 })).responses).toHaveLength(1);
      client.close();
    },
  );

  it.each(clients.map((path) => [path.name, path] as const))(
    "%s: a unary handler that answers or rejects after its client cancelled is ignored",
    async (_, path) => {
      const client = path.create(server.port);
      for (const text of ["answer", "throw"]) {
        const id = `${text} ${++calls}`;
        const handlerEnded = done(id);
        const controller = new AbortController();
        const outcome = client.unary({ text: id }, { signal: controller.signal });
        setTimeout(() => controller.abort(), 50);
        expect((await outcome).error?.code).toBe(Code.CANCELLED);
        await handlerEnded;
      }
      client.close();
    },
  );
});

describe.each(paths.filter((path) => path.bidi))("eachRequest handlers on $name", (path) => {
  watchProcess();
  const handlers: Partial<EchoImplementation> = {
    bidi: eachRequest(
      (request: EchoRequest, index) => {
        if (request.failWithCode !== 0) throw new CallError(request.failWithCode, request.text);
        return { text: request.text.toUpperCase(), index };
      },
      { requestError: (error, index) => new CallError(error.code, `request ${index}: ${error.message}`) },
    ),
  };
  let server: RpcServer;
  let client: EchoClient;
  beforeAll(async () => {
    server = await startEchoServer({ handlers });
    client = path.create(server.port);
  });
  afterAll(async () => {
    client.close();
    await server.shutdown(1000);
  });

  it("answers each request in order, and ends with the CallError one throws", async () => {
    expect(await client.bidi([{ text: "a" }, { text: "b" }, { text: "c" }])).toMatchObject({
      responses: [
        { text: "A", index: 0 },
        { text: "B", index: 1 },
        { text: "C", index: 2 },
      ],
      error: undefined,
    });
    expect(await client.bidi([{ text: "a" }, { text: "stop at b", failWithCode: Code.OUT_OF_RANGE }])).toMatchObject({
      responses: [{ text: "A", index: 0 }],
      error: { code: Code.OUT_OF_RANGE, message: "stop at b" },
    });
  });
});

describe("eachRequest's requestError: a request that cannot be read, on each path (raw HTTP/2)", () => {
  watchProcess();
  const seen: unknown[] = [];
  let server: RpcServer;
  beforeAll(async () => {
    server = await startEchoServer({
      handlers: {
        bidi: eachRequest(
          (request: EchoRequest, index) => {
            seen.push(request.text);
            return { text: request.text.toUpperCase(), index };
          },
          { requestError: (error, index) => new CallError(error.code, `request ${index}: ${error.message}`) },
        ),
      },
    });
  });
  afterAll(() => server.shutdown(1000));

  const bidi = "/fixture.v1.EchoService/Bidi";
  const good = EchoRequest.encode(echoRequest({ text: "a" })).finish();
  // A field tag with wire type 7, which does not exist: ts-proto's decoder throws.
  const garbage = Buffer.from([0x0f, 0x01]);

  it("gRPC, direct path: the handler answers what came before, then INTERNAL 'request 1: cannot parse…'", async () => {
    const answer = await http2Post(server.port, bidi, GRPC_HEADERS, Buffer.concat([envelope(good), envelope(garbage)]));
    expect(frames(answer.body).messages.map((message) => EchoResponse.decode(message))).toEqual([
      { text: "A", index: 0 },
    ]);
    const status = grpcStatusOf(answer);
    expect(status.code).toBe(Code.INTERNAL);
    expect(status.message).toMatch(/^request 1: cannot parse the request: /);
  });

  it("gRPC through grpc-js (compressed): the same answer, the same message", async () => {
    const direct = grpcStatusOf(
      await http2Post(server.port, bidi, GRPC_HEADERS, Buffer.concat([envelope(good), envelope(garbage)])),
    );
    const answer = await http2Post(
      server.port,
      bidi,
      { ...GRPC_HEADERS, "grpc-encoding": "gzip" },
      Buffer.concat([envelope(gzipSync(good), 1), envelope(gzipSync(garbage), 1)]),
    );
    expect(frames(answer.body).messages.map((message) => EchoResponse.decode(message))).toEqual([
      { text: "A", index: 0 },
    ]);
    expect(grpcStatusOf(answer)).toEqual(direct);
  });

  it("gRPC, direct path: a stream that ends inside a message is INTERNAL 'request 1: the request ended inside a message'", async () => {
    const answer = await http2Post(
      server.port,
      bidi,
      GRPC_HEADERS,
      Buffer.concat([envelope(good), envelope(good).subarray(0, 4)]),
    );
    expect(grpcStatusOf(answer)).toEqual({
      code: Code.INTERNAL,
      message: "request 1: the request ended inside a message",
    });
  });

  it("Connect streaming, direct path: requestError words the engine's error, as on gRPC", async () => {
    const answer = await http2Post(
      server.port,
      bidi,
      { "content-type": "application/connect+proto" },
      Buffer.concat([envelope(good), envelope(garbage)]),
    );
    const body = answer.body;
    // One message, then the end-of-stream frame (flag 2) with the error as JSON.
    const messageLength = body.readUInt32BE(1);
    expect(EchoResponse.decode(body.subarray(5, 5 + messageLength))).toEqual({ text: "A", index: 0 });
    const end = body.subarray(5 + messageLength);
    expect(end[0]).toBe(2);
    const { error } = JSON.parse(end.subarray(5).toString()) as { error: { code: string; message: string } };
    expect(error.code).toBe("internal");
    expect(error.message).toMatch(/^request 1: cannot parse the request: /);
  });
});

describe.each(paths)("async middleware on $name", (path) => {
  watchProcess();
  const events: string[] = [];
  let refuse: "throw" | "reject" | undefined;
  const asyncUnary: Middleware = {
    unary: (next) => async (request, context) => {
      await Promise.resolve();
      events.push(`unary ${context.method.name}`);
      return next(request, context);
    },
  };
  const asyncStream: Middleware = {
    stream(context) {
      if (refuse === "throw") throw new CallError(Code.UNAUTHENTICATED, "no token (thrown)");
      return Promise.resolve().then((): StreamObserver => {
        if (refuse === "reject") throw new CallError(Code.UNAUTHENTICATED, "no token (rejected)");
        return {
          request: (message) => void events.push(`request ${(message as EchoRequest).text}`),
          response: (message) => void events.push(`response ${(message as EchoResponse).text}`),
          end: (error) => void events.push(`end ${context.method.name} ${error?.code ?? "OK"}`),
        };
      });
    },
  };
  let server: RpcServer;
  let client: EchoClient;
  let handlerRuns = 0;
  beforeAll(async () => {
    server = await startEchoServer({
      middleware: [asyncUnary, asyncStream],
      handlers: {
        *serverStream(request) {
          handlerRuns += 1;
          yield { text: request.text, index: 0 };
          yield { text: request.text, index: 1 };
        },
      },
    });
    client = path.create(server.port);
  });
  afterAll(async () => {
    client.close();
    await server.shutdown(1000);
  });

  it("a unary middleware that returns a promise", async () => {
    events.length = 0;
    expect((await client.unary({ text: "u" })).responses).toEqual([{ text: "u", index: 0 }]);
    expect(events).toEqual(["unary Unary"]);
  });

  it("a stream middleware whose stream() returns a promise: its observer hears each request and response, and the end once", async () => {
    events.length = 0;
    refuse = undefined;
    expect((await client.serverStream({ text: "s" })).responses).toHaveLength(2);
    expect(events).toEqual(["request s", "response s", "response s", "end ServerStream OK"]);
    if (!path.bidi) return;
    events.length = 0;
    expect((await client.bidi([{ text: "x", repeat: 2 }, { text: "y" }])).responses).toHaveLength(3);
    expect(events.filter((event) => event.startsWith("request"))).toEqual(["request x", "request y"]);
    expect(events.filter((event) => event.startsWith("response"))).toEqual(["response x", "response x", "response y"]);
    expect(events.at(-1)).toBe("end Bidi OK");
    expect(events.filter((event) => event.startsWith("end"))).toHaveLength(1);
  });

  it.each(["throw", "reject"] as const)(
    "a stream middleware that refuses the call (%s a CallError): the caller gets it, the handler never runs",
    async (how) => {
      refuse = how;
      handlerRuns = 0;
      expect((await client.serverStream({ text: "s" })).error).toEqual({
        code: Code.UNAUTHENTICATED,
        message: how === "throw" ? "no token (thrown)" : "no token (rejected)",
        details: [],
      });
      expect(handlerRuns).toBe(0);
      refuse = undefined;
    },
  );
});
