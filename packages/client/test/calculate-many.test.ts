import { type BinaryOperation, Operation } from "@grpc-calculator/proto";
import { status as Status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CalculateRequest, CalculatorError, createCalculatorClient } from "../src/index.js";
import { MAX_IN_FLIGHT } from "../src/node/bidi-stream.js";
import { arithmetic, nthOperation } from "./helpers/arithmetic.js";
import { startRealServer } from "./helpers/real-server.js";
import { expectEndedAtDeadline, timed } from "./helpers/timing.js";
import {
  compute,
  defaultHandlers,
  startTestServer,
  statusWithDetails,
  type TestServer,
} from "./helpers/test-server.js";

/**
 * The real server for results and errors; a counting test server for backpressure and cancellation; a
 * server whose stream fails with the bare message of the failing operation (no "operation N: "), as a server
 * of the contract may word it: the client must not need the text to name the operation.
 */
let real: TestServer;
let server: TestServer;
let terse: TestServer;
/** What the server saw of each call, in the order the calls came: requests, and the stream closing. */
const calls: { received: number; closed: boolean }[] = [];
const lastCall = () => calls.at(-1) ?? { received: 0, closed: false };

beforeAll(async () => {
  real = await startRealServer();
  server = await startTestServer({
    calculateStream(call) {
      const seen = { received: 0, closed: false };
      calls.push(seen);
      call.on("data", (_request: BinaryOperation) => (seen.received += 1));
      call.on("cancelled", () => (seen.closed = true)); // grpc-js reports every stream close this way
      defaultHandlers.calculateStream(call);
    },
  });
  terse = await startTestServer({
    calculateStream(call) {
      call.on("data", (request: BinaryOperation) => {
        try {
          call.write({ result: compute(request) });
        } catch (error) {
          call.emit("error", error);
        }
      });
      call.on("end", () => call.end());
    },
  });
});
afterAll(async () => {
  await server.close();
  await real.close();
  await terse.close();
});

const client = () => createCalculatorClient(`127.0.0.1:${server.port}`);
const realClient = () => createCalculatorClient(`127.0.0.1:${real.port}`);
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

describe("calculateMany", () => {
  it("answers every operation in order, from an array", async () => {
    await using calculator = realClient();
    const requests = Array.from({ length: 500 }, (_, i): CalculateRequest => ({
      firstOperand: i,
      secondOperand: 2,
      // Enum values and names, both accepted.
      operation: i % 2 === 0 ? Operation[nthOperation(i)] : nthOperation(i),
    }));
    const expected = requests.map((_, i) => arithmetic[nthOperation(i)](i, 2)); // exact in float32
    expect(await collect(calculator.calculateMany(requests))).toEqual({ values: expected, error: undefined });
  });

  it("takes an async iterable, and an empty input", async () => {
    await using calculator = realClient();
    async function* slowly() {
      for (let i = 0; i < 5; i += 1) {
        await new Promise((resolve) => setImmediate(resolve));
        yield add(i, i);
      }
    }
    expect((await collect(calculator.calculateMany(slowly()))).values).toEqual([0, 2, 4, 6, 8]);
    expect(await collect(calculator.calculateMany([]))).toEqual({ values: [], error: undefined });
  });

  it("yields the results before a failing operation, then a CalculatorError naming its index", async () => {
    await using calculator = realClient();
    const requests = [
      add(1, 1),
      add(2, 2),
      add(3, 3),
      { firstOperand: 1, secondOperand: 0, operation: "DIVIDE" as const },
      add(5, 5),
    ];
    const { values, error } = await collect(calculator.calculateMany(requests));
    expect(values).toEqual([2, 4, 6]);
    expect(error).toBeInstanceOf(CalculatorError);
    expect(error).toMatchObject({ codeName: "INVALID_ARGUMENT", index: 3 });
    expect((error as CalculatorError).details).toMatch(/^operation 3: division by zero/);
    expect(error).toMatchObject({
      errorInfo: { reason: "DIVISION_BY_ZERO", metadata: { operation: "DIVIDE", requestIndex: "3" } },
      fieldViolations: [{ field: "second_operand", reason: "DIVISION_BY_ZERO" }],
    });
  });

  it("takes the failing operation's index from the server's details when it sends them, not from the results", async () => {
    // A server whose stream fails after one result, naming the request at index 2 in its ErrorInfo.
    const naming = await startTestServer({
      calculateStream(call) {
        call.once("data", () => {
          call.write({ result: 0 });
          call.emit("error", statusWithDetails(Status.INVALID_ARGUMENT, "bad", { requestIndex: "2" }));
        });
      },
    });
    try {
      await using calculator = createCalculatorClient(`127.0.0.1:${naming.port}`);
      const { values, error } = await collect(calculator.calculateMany([add(1, 1), add(2, 2), add(3, 3)]));
      expect(values).toEqual([0]);
      expect(error).toMatchObject({ codeName: "INVALID_ARGUMENT", index: 2, details: "bad" });
    } finally {
      await naming.close();
    }
  });

  it.each([
    ["first", 0, []],
    ["fourth", 3, [2, 4, 6]],
  ])(
    "names the %s operation as the failing one by the results before it, whatever the message says",
    async (_, index, before) => {
      const divideByZero = { firstOperand: 1, secondOperand: 0, operation: "DIVIDE" as const };
      const requests = [add(1, 1), add(2, 2), add(3, 3)].slice(0, index);
      for (const target of [terse, real]) {
        await using calculator = createCalculatorClient(`127.0.0.1:${target.port}`);
        const { values, error } = await collect(calculator.calculateMany([...requests, divideByZero, add(5, 5)]));
        expect(values).toEqual(before);
        expect(error).toMatchObject({ codeName: "INVALID_ARGUMENT", index });
      }
    },
  );

  it("passes the server's message on as it is", async () => {
    await using calculator = createCalculatorClient(`127.0.0.1:${terse.port}`);
    const { error } = await collect(
      calculator.calculateMany([add(1, 1), { firstOperand: 1, secondOperand: 0, operation: "DIVIDE" }]),
    );
    expect(error).toMatchObject({ index: 1, details: "division by zero" });
  });

  it("rejects an invalid input itself with the same shape, after the results before it, without sending it", async () => {
    await using calculator = client();
    const requests = [add(1, 1), add(2, 2), add(Number.NaN, 1), add(4, 4)];
    const { values, error } = await collect(calculator.calculateMany(requests));
    expect(values).toEqual([2, 4]);
    expect(error).toMatchObject({ codeName: "INVALID_ARGUMENT", index: 2 });
    expect((error as Error).message).toMatch(/^INVALID_ARGUMENT: operation 2: firstOperand must be finite/);
    expect(lastCall().received).toBe(2);
  });

  it("reads the input only as fast as the call takes it (an endless input, a consumer that stops)", async () => {
    await using calculator = client();
    let pulled = 0;
    function* endless() {
      for (;;) {
        pulled += 1;
        yield add(pulled, 0);
      }
    }
    const results = calculator.calculateMany(endless());
    const firstFive: number[] = [];
    for await (const value of results) {
      firstFive.push(value);
      if (firstFive.length === 5) break; // stop consuming: the stream must stop pulling input
    }
    expect(firstFive).toEqual([1, 2, 3, 4, 5]);
    // Without backpressure the synchronous endless input would spin forever; with it, the input is
    // read at most MAX_IN_FLIGHT (+1 pending) items ahead of the results taken.
    expect(pulled).toBeLessThanOrEqual(5 + MAX_IN_FLIGHT + 1);
    // The input is endless, so only a cancel from the client closes this call: break must send it.
    await expect.poll(() => lastCall().closed, { timeout: 2_000 }).toBe(true);
  });

  it("applies backpressure to results: a slow consumer holds the server back", async () => {
    await using calculator = client();
    let pulled = 0;
    let taken = 0;
    let mostAhead = 0; // the input read furthest ahead of the results taken, at any pull
    // At most MAX_IN_FLIGHT in flight, +1 pending write, +1 for the result being handed over (counted here
    // only once the caller's await resumes).
    const bound = MAX_IN_FLIGHT + 2;
    function* endless() {
      for (;;) {
        pulled += 1;
        mostAhead = Math.max(mostAhead, pulled - taken);
        yield add(pulled, 0);
      }
    }
    const iterator = calculator.calculateMany(endless())[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toBe(1);
    taken = 1;
    // The caller took one result and stopped: the server gets the window, and the input is not read
    // further until the caller takes more (checked at every pull, not by waiting).
    await expect.poll(() => lastCall().received, { timeout: 2_000 }).toBe(1 + MAX_IN_FLIGHT);
    expect(mostAhead).toBeLessThanOrEqual(bound);
    // Taking more results opens the window again, never further than that.
    for (let i = 2; i <= 100; i += 1) {
      expect((await iterator.next()).value).toBe(i);
      taken = i;
    }
    await expect.poll(() => lastCall().received, { timeout: 2_000 }).toBe(100 + MAX_IN_FLIGHT);
    expect(mostAhead).toBeLessThanOrEqual(bound);
    await iterator.return();
  });

  it("rethrows an error of the input itself and cancels the call", async () => {
    await using calculator = client();
    const failure = new Error("input broke");
    function* failing() {
      yield add(1, 1);
      throw failure;
    }
    const { error } = await collect(calculator.calculateMany(failing()));
    expect(error).toBe(failure);
  });

  it("is cancelled through an AbortSignal", async () => {
    await using calculator = client();
    const controller = new AbortController();
    async function* waitsForever() {
      yield add(1, 1);
      await new Promise(() => {});
    }
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
  });

  it("honours a deadline", async () => {
    await using calculator = client();
    async function* waitsForever() {
      yield add(1, 1);
      await new Promise(() => {});
    }
    const { outcome, ms } = await timed(() => collect(calculator.calculateMany(waitsForever(), { timeoutMs: 200 })));
    expect(outcome).toEqual({
      values: [2],
      error: expect.objectContaining({ codeName: "DEADLINE_EXCEEDED" }) as unknown,
    });
    expectEndedAtDeadline(ms, 200);
  });
});
