// The request-logging middleware around a service with a bug: the caller gets INTERNAL, the log an ERROR
// line with the exception's stack (one line per call, unary and streaming alike).
import { status } from "@grpc/grpc-js";
import { Operation } from "@grpc-calculator/proto";
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/logger.js";
import { TransportCallContext } from "../src/pipeline/call-context.js";
import { CallError, toCallError } from "../src/pipeline/call-error.js";
import { createCalculatorPipeline } from "../src/pipeline/pipeline.js";
import { requestLogging } from "../src/pipeline/request-logging.js";
import type { CalculatorImplementation } from "../src/service/calculator.js";
import { CALCULATE, CALCULATE_STREAM } from "../src/service/methods.js";

function bug(): never {
  throw new TypeError("a bug");
}

const buggy: CalculatorImplementation = {
  calculate: bug,
  calculateStream: () => ({ next: bug, end: () => undefined }),
};

function logged(level: "info" | "error") {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level,
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  const pipeline = createCalculatorPipeline(buggy, [
    requestLogging({ logger, googleCloudProject: undefined, describeRequest: (request) => request }),
  ]);
  return { lines, pipeline };
}

const context = (method = CALCULATE) =>
  new TransportCallContext(method, "grpc", "direct", "2", () => undefined, undefined, Number.POSITIVE_INFINITY);
const request = { firstOperand: 1, secondOperand: 2, operation: Operation.ADD };

describe("a bug in the service", () => {
  it("unary: the call fails INTERNAL and one ERROR line carries the stack", () => {
    const { lines, pipeline } = logged("info");
    let thrown: unknown;
    try {
      pipeline.calculate(request, context());
    } catch (error) {
      thrown = error;
    }
    expect(toCallError(thrown)).toMatchObject({ code: status.INTERNAL, message: "internal error: a bug" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      severity: "ERROR",
      message: "internal error: a bug",
      code: status.INTERNAL,
      err: {
        type: "TypeError",
        message: "a bug",
        stack: expect.stringMatching(/^TypeError: a bug\n\s+at .*request-logging\.test\.ts:\d+/) as unknown,
      },
    });
  });

  it("streaming: one ERROR line with the stack, not a second WARNING when the call ends", () => {
    const { lines, pipeline } = logged("error");
    const session = pipeline.calculateStream(context(CALCULATE_STREAM));
    let thrown: unknown;
    try {
      session.next(request);
    } catch (error) {
      thrown = error;
    }
    session.end(toCallError(thrown));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ severity: "ERROR", operations: 0, err: { message: "a bug" } });
  });

  it("a CallError is the caller's fault, not a bug: no ERROR line", () => {
    const { lines, pipeline } = logged("error");
    expect(() => pipeline.calculate(new CallError(status.INTERNAL, "cannot parse"), context())).toThrow("cannot parse");
    expect(lines).toEqual([]);
  });
});
