// The web entry from Node's own `fetch` (the edge-runtime case: Workers, Deno, Vercel have fetch and no
// HTTP/2 client) against an independent server of the contract on @connectrpc/connect-node over HTTP/1.1,
// with the real server's semantics. Both wire protocols; the same behaviour the Node entry has.
import {
  Code,
  ConnectError,
  type CalculateHandler,
  type ConnectTestServer,
  serverSemantics,
  startConnectTestServer,
} from "@grpc-calculator/connect-test-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_CONCURRENT_CALLS } from "../src/core/batch.js";
import { retryPolicy } from "../src/core/retry.js";
import {
  type CalculateRequest,
  CalculatorError,
  connectProtocol,
  createCalculatorClient,
  grpcWebProtocol,
  isCalculatorError,
  Operation,
  type WebClientOptions,
} from "../src/web.js";
import { arithmetic, nthOperation } from "./helpers/arithmetic.js";
import { expectEndedAtDeadline, timed } from "./helpers/timing.js";

/** The server for results and errors, and one whose Calculate a test can replace for a while. */
let real: ConnectTestServer;
let custom: ConnectTestServer;
let handler: CalculateHandler = serverSemantics;
const seen: Headers[] = [];
/** Waiting for the custom server to have seen `count` calls (since the last withHandler). */
const arrivals = new Set<{ count: number; resolve: () => void }>();
const seenCalls = (count: number): Promise<void> =>
  seen.length >= count ? Promise.resolve() : new Promise((resolve) => arrivals.add({ count, resolve }));

beforeAll(async () => {
  real = await startConnectTestServer();
  custom = await startConnectTestServer({
    calculate: (request, context) => {
      seen.push(context.requestHeader);
      for (const waiter of arrivals) {
        if (seen.length >= waiter.count) {
          arrivals.delete(waiter);
          waiter.resolve();
        }
      }
      return handler(request, context);
    },
  });
});
afterAll(async () => {
  await real.close();
  await custom.close();
});

/** Calculate that answers only when the call ends (deadline, abort): for deadline and abort tests. */
const hang: CalculateHandler = (_request, context) =>
  new Promise((_resolve, reject) =>
    context.signal.addEventListener("abort", () => reject(new ConnectError("the call ended", Code.Canceled))),
  );

const withHandler = async <T>(replacement: CalculateHandler, run: () => Promise<T>): Promise<T> => {
  handler = replacement;
  seen.length = 0;
  try {
    return await run();
  } finally {
    handler = serverSemantics;
  }
};

const client = (options: WebClientOptions = {}) => createCalculatorClient(custom.url, options);
const add = (a: number, b: number): CalculateRequest => ({ firstOperand: a, secondOperand: b, operation: "ADD" });

async function collect(results: AsyncIterable<number>): Promise<{ values: number[]; error: unknown }> {
  const values: number[] = [];
  try {
    for await (const value of results) values.push(value);
    return { values, error: undefined };
  } catch (error) {
    return { values, error };
  }
}

describe.each([
  ["Connect", connectProtocol],
  ["gRPC-Web", grpcWebProtocol],
])("over %s", (_name, protocol) => {
  const realClient = () => createCalculatorClient(real.url, { protocol });

  it("computes with the enum, with names and through the shortcuts, float32 as in Node", async () => {
    await using calculator = realClient();
    expect(await calculator.calculate({ firstOperand: 2, secondOperand: 3, operation: Operation.ADD })).toBe(5);
    expect(await calculator.calculate({ firstOperand: 2, secondOperand: 3, operation: "MULTIPLY" })).toBe(6);
    expect(await calculator.subtract(2, 3)).toBe(-1);
    expect(await calculator.multiply(4, 2.5)).toBe(10);
    expect(await calculator.divide(10, 4)).toBe(2.5);
    expect(await calculator.add(0.1, 0.2)).toBe(0.30000001192092896); // the float32 nearest 0.3
  });

  it("surfaces the server's status as the same CalculatorError the Node entry gives", async () => {
    await using calculator = realClient();
    const error = await calculator.divide(1, 0).catch((e: unknown) => e);
    expect(isCalculatorError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 3,
      codeName: "INVALID_ARGUMENT",
      details: "division by zero: second_operand is 0",
      message: "INVALID_ARGUMENT: division by zero: second_operand is 0",
    });
    expect((error as CalculatorError).cause).toBeInstanceOf(ConnectError);
    await expect(calculator.multiply(3e38, 3e38)).rejects.toMatchObject({ codeName: "OUT_OF_RANGE" });
  });

  it("batches calculateMany: results in order, then the failing operation's index", async () => {
    await using calculator = realClient();
    const requests = Array.from({ length: 40 }, (_, i): CalculateRequest => ({
      firstOperand: i,
      secondOperand: 2,
      operation: nthOperation(i),
    }));
    const expected = requests.map((_, i) => arithmetic[nthOperation(i)](i, 2)); // exact in float32
    expect(await collect(calculator.calculateMany(requests))).toEqual({ values: expected, error: undefined });

    const failing = [
      add(1, 1),
      add(2, 2),
      add(3, 3),
      { firstOperand: 1, secondOperand: 0, operation: "DIVIDE" as const },
    ];
    const { values, error } = await collect(calculator.calculateMany(failing));
    expect(values).toEqual([2, 4, 6]);
    expect(error).toMatchObject({
      codeName: "INVALID_ARGUMENT",
      index: 3,
      details: "operation 3: division by zero: second_operand is 0",
    });
  });

  it("names a failure of the first operation index 0, with nothing yielded", async () => {
    await using calculator = realClient();
    const divideByZero = { firstOperand: 1, secondOperand: 0, operation: "DIVIDE" as const };
    expect(await collect(calculator.calculateMany([divideByZero, add(1, 1)]))).toMatchObject({
      values: [],
      error: { codeName: "INVALID_ARGUMENT", index: 0, details: "operation 0: division by zero: second_operand is 0" },
    });
  });
});

describe("calls", () => {
  it.each([
    [{ firstOperand: Number.NaN, secondOperand: 1, operation: "ADD" }, /firstOperand must be finite, got NaN/],
    [{ firstOperand: 1e39, secondOperand: 1, operation: "ADD" }, /outside the float32 range/],
    [{ firstOperand: 1, secondOperand: 1, operation: 99 }, /unknown operation 99;/],
  ])("rejects %j before the network", async (request, message) => {
    await using calculator = client();
    const before = custom.calls;
    // @ts-expect-error -- deliberately wrong input, as plain JavaScript callers can pass it
    const error = await calculator.calculate(request).catch((e: unknown) => e);
    expect(error).toMatchObject({ codeName: "INVALID_ARGUMENT" });
    expect((error as Error).message).toMatch(message);
    expect(custom.calls).toBe(before);
  });

  it("sends metadata (a record or Headers) and a bearer token asked for on every call", async () => {
    let n = 0;
    await using calculator = client({ auth: () => `tok-${++n}` });
    await withHandler(serverSemantics, async () => {
      await calculator.add(1, 1, { metadata: { "x-request-id": "abc-123", "x-tags": ["a", "b"] } });
      await calculator.add(1, 1, { metadata: new Headers({ "x-request-id": "def" }) });
      expect(seen.map((h) => [h.get("x-request-id"), h.get("authorization")])).toEqual([
        ["abc-123", "Bearer tok-1"],
        ["def", "Bearer tok-2"],
      ]);
      expect(seen[0]?.get("x-tags")).toBe("a, b");
    });
  });

  it("fails with UNAUTHENTICATED before sending when the token source fails", async () => {
    await using calculator = client({ auth: () => Promise.reject(new Error("no credentials here")) });
    const before = custom.calls;
    const error = await calculator.add(1, 2).catch((e: unknown) => e);
    expect(error).toMatchObject({ codeName: "UNAUTHENTICATED" });
    expect((error as Error).message).toMatch(/no credentials here/);
    expect(custom.calls).toBe(before);
  });

  it("fails with DEADLINE_EXCEEDED after timeoutMs, the client's default and an absolute deadline", async () => {
    await withHandler(hang, async () => {
      await using calculator = client({ timeoutMs: 100 });
      const byDefault = await timed(() => calculator.add(1, 2));
      expect(byDefault.outcome).toMatchObject({ codeName: "DEADLINE_EXCEEDED" });
      expectEndedAtDeadline(byDefault.ms, 100);
      const absolute = await timed(() => calculator.add(1, 2, { timeoutMs: 60_000, deadline: Date.now() + 100 }));
      expect(absolute.outcome).toMatchObject({ codeName: "DEADLINE_EXCEEDED" });
      expectEndedAtDeadline(absolute.ms, 100);
      // The deadline travels with the call: the server saw it.
      expect(seen[0]?.get("connect-timeout-ms")).toMatch(/^\d+$/);
    });
  });

  it("cancels through an AbortSignal, with the signal's reason as cause", async () => {
    await withHandler(hang, async () => {
      await using calculator = client();
      const controller = new AbortController();
      const reason = new Error("user went away");
      const pending = calculator.add(1, 2, { signal: controller.signal });
      await seenCalls(1); // the server has the call
      controller.abort(reason);
      const error = await pending.catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 1, codeName: "CANCELLED" });
      expect((error as Error).cause).toBe(reason);
      await expect(calculator.add(1, 2, { signal: AbortSignal.abort() })).rejects.toMatchObject({
        codeName: "CANCELLED",
      });
    });
  });

  it("refuses calls after close()", async () => {
    const calculator = client();
    expect(await calculator.add(1, 1)).toBe(2);
    calculator.close();
    const closed = { code: 1, details: "the client is closed" };
    await expect(calculator.add(1, 1)).rejects.toMatchObject(closed);
    await expect(calculator.calculateMany([add(1, 1)]).next()).rejects.toMatchObject(closed);
  });
});

describe("retries of UNAVAILABLE (the client's retry rule, run by the core)", () => {
  it("retries an UNAVAILABLE answer and not an INVALID_ARGUMENT one", async () => {
    let calls = 0;
    await withHandler(
      (request) => {
        calls += 1;
        if (request.firstOperand < 0) throw new ConnectError("negative", Code.InvalidArgument);
        if (calls === 1) throw new ConnectError("draining", Code.Unavailable);
        return 42;
      },
      async () => {
        await using calculator = client();
        expect(await calculator.add(1, 1)).toBe(42);
        expect(calls).toBe(2);
        await expect(calculator.add(-1, 1)).rejects.toMatchObject({ codeName: "INVALID_ARGUMENT" });
        expect(calls).toBe(3);
      },
    );
  });

  it("reports a server that cannot be reached as UNAVAILABLE after every attempt", async () => {
    const gone = await startConnectTestServer();
    await gone.close();
    let attempts = 0;
    const counting: typeof fetch = (input, init) => {
      attempts += 1;
      return fetch(input, init);
    };
    await using calculator = createCalculatorClient(gone.url, { fetch: counting });
    const error = await calculator.add(1, 1).catch((e: unknown) => e);
    expect(error).toMatchObject({ codeName: "UNAVAILABLE" });
    expect((error as CalculatorError).details).toMatch(
      new RegExp(`^cannot reach http://127\\.0\\.0\\.1:${gone.port}: fetch failed: .*ECONNREFUSED`),
    );
    expect(attempts).toBe(retryPolicy.maxAttempts);
  });

  it("ends at the deadline with DEADLINE_EXCEEDED when the next attempt would come after it", async () => {
    await withHandler(
      () => {
        throw new ConnectError("draining", Code.Unavailable);
      },
      async () => {
        await using calculator = client();
        const { outcome: error, ms } = await timed(() => calculator.add(1, 1, { timeoutMs: 400 }));
        expect(error).toMatchObject({ codeName: "DEADLINE_EXCEEDED" });
        expect((error as Error).cause).toMatchObject({ codeName: "UNAVAILABLE", details: "draining" });
        expectEndedAtDeadline(ms, 400);
        expect(seen.length).toBeGreaterThan(1);
        expect(seen.length).toBeLessThan(retryPolicy.maxAttempts);
      },
    );
  });
});

describe("calculateMany over unary calls", () => {
  it(`keeps at most ${MAX_CONCURRENT_CALLS} calls in flight`, async () => {
    const held: (() => void)[] = [];
    let holding = true;
    // Counted where the client starts a call (its fetch) and where one ends (the response): no network
    // delay between a call started too many and the count.
    let inFlight = 0;
    let mostInFlight = 0;
    const counting: typeof fetch = async (input, init) => {
      mostInFlight = Math.max(mostInFlight, (inFlight += 1));
      try {
        return await fetch(input, init);
      } finally {
        inFlight -= 1;
      }
    };
    await withHandler(
      async (request, context) => {
        if (holding) await new Promise<void>((resolve) => held.push(resolve));
        return serverSemantics(request, context);
      },
      async () => {
        await using calculator = client({ fetch: counting });
        const results = collect(calculator.calculateMany(Array.from({ length: 40 }, (_, i) => add(i, 1))));
        // Every call the client started before any could end has reached the server, which holds them all.
        await seenCalls(MAX_CONCURRENT_CALLS);
        expect({ started: inFlight, seen: seen.length }).toEqual({
          started: MAX_CONCURRENT_CALLS,
          seen: MAX_CONCURRENT_CALLS,
        });
        holding = false;
        for (const release of held) release();
        expect((await results).values).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
        expect(mostInFlight).toBe(MAX_CONCURRENT_CALLS);
      },
    );
  });

  it("reads the input lazily: an endless input and a consumer that stops", async () => {
    await using calculator = client();
    let pulled = 0;
    function* endless() {
      for (;;) yield add((pulled += 1), 0);
    }
    const firstFive: number[] = [];
    for await (const value of calculator.calculateMany(endless())) {
      firstFive.push(value);
      if (firstFive.length === 5) break;
    }
    expect(firstFive).toEqual([1, 2, 3, 4, 5]);
    expect(pulled).toBeLessThanOrEqual(5 + MAX_CONCURRENT_CALLS + 1);
  });

  it("rejects an invalid input itself, after the results before it, without sending it", async () => {
    await using calculator = client();
    const metadata = { "x-batch": "invalid-input" };
    const requests = [add(1, 1), add(2, 2), add(Number.NaN, 1), add(4, 4)];
    const { values, error } = await collect(calculator.calculateMany(requests, { metadata }));
    expect(values).toEqual([2, 4]);
    expect(error).toMatchObject({ codeName: "INVALID_ARGUMENT", index: 2 });
    expect((error as Error).message).toMatch(/^INVALID_ARGUMENT: operation 2: firstOperand must be finite/);
    expect(seen.filter((headers) => headers.get("x-batch") === "invalid-input")).toHaveLength(2);
  });

  it("rethrows an error of the input itself", async () => {
    await using calculator = client();
    const failure = new Error("input broke");
    function* failing() {
      yield add(1, 1);
      throw failure;
    }
    expect((await collect(calculator.calculateMany(failing()))).error).toBe(failure);
  });

  it("is cancelled through an AbortSignal, and honours a deadline, while the input waits", async () => {
    await using calculator = client();
    async function* waitsForever() {
      yield add(1, 1);
      await new Promise(() => {});
    }
    const controller = new AbortController();
    const values: number[] = [];
    const error = await (async () => {
      for await (const value of calculator.calculateMany(waitsForever(), { signal: controller.signal })) {
        values.push(value);
        controller.abort(new Error("enough"));
      }
    })().catch((e: unknown) => e);
    expect(values).toEqual([2]);
    expect(error).toMatchObject({ codeName: "CANCELLED" });
    expect((error as Error).cause).toMatchObject({ message: "enough" });

    const { outcome, ms } = await timed(() => collect(calculator.calculateMany(waitsForever(), { timeoutMs: 200 })));
    expect(outcome).toMatchObject({ values: [2], error: { codeName: "DEADLINE_EXCEEDED" } });
    expectEndedAtDeadline(ms, 200);
  });
});

describe("targets", () => {
  it.each([
    ["http://127.0.0.1:8080", "127.0.0.1", 8080, false, "http://127.0.0.1:8080"],
    ["https://calc.example.com/", "calc.example.com", 443, true, "https://calc.example.com"],
    ["https://calc.example.com/api/", "calc.example.com", 443, true, "https://calc.example.com/api"],
    ["localhost:50051", "localhost", 50051, false, "http://localhost:50051"],
    ["localhost", "localhost", 50051, false, "http://localhost:50051"],
    ["localhost:80", "localhost", 80, false, "http://localhost"],
    ["[::1]:8080", "::1", 8080, false, "http://[::1]:8080"],
    [
      "grpc-calculator-xxxx-uc.a.run.app",
      "grpc-calculator-xxxx-uc.a.run.app",
      443,
      true,
      "https://grpc-calculator-xxxx-uc.a.run.app",
    ],
    ["calc.example.com:8443", "calc.example.com", 8443, true, "https://calc.example.com:8443"],
  ])("%s → %s port %i, TLS %s, base URL %s", (target, host, port, tls, address) => {
    expect(createCalculatorClient(target).target).toEqual({ host, port, tls, address });
  });

  it.each([
    ["localhost:99999", undefined, /expected a URL/],
    ["calc.example.com/api", undefined, /expected host\[:port\]/],
    ["/api", undefined, /a path needs a page/],
    ["http://calc.example.com", true, /contradicts tls: true/],
  ])("rejects %j", (target, tls, message) => {
    expect(() => createCalculatorClient(target, { tls })).toThrow(message);
  });
});
