import { status } from "@grpc/grpc-js";
import { Operation } from "@grpc-calculator/proto";
import { describe, expect, it } from "vitest";
import { calculate } from "../src/index.js";

describe("calculate", () => {
  it.each([
    [Operation.ADD, 2, 3, 5],
    [Operation.SUBTRACT, 2, 3, -1],
    [Operation.MULTIPLY, 2, 3, 6],
    [Operation.DIVIDE, 3, 2, 1.5],
  ])("operation %s of %d and %d is %d", (operation, a, b, expected) => {
    expect(calculate(a, b, operation)).toEqual({ ok: true, result: expected });
  });

  it("answers the float32 nearest to the double result", () => {
    const a = Math.fround(0.1);
    const b = Math.fround(0.2);
    expect(calculate(a, b, Operation.ADD)).toEqual({ ok: true, result: 0.30000001192092896 }); // not 0.30000000447034836
    expect(calculate(1, 3, Operation.DIVIDE)).toEqual({ ok: true, result: 0.3333333432674408 }); // 11184811 × 2^-25
  });

  it("rejects an operation outside the enum, naming it", () => {
    const outcome = calculate(2, 3, 7);
    expect(outcome).toMatchObject({
      ok: false,
      code: status.INVALID_ARGUMENT,
      reason: "UNKNOWN_OPERATION",
      field: "operation",
    });
    expect(!outcome.ok && outcome.message).toMatch(
      /^operation 7 is not a known Operation \(ADD=0, SUBTRACT=1, MULTIPLY=2, DIVIDE=3\)$/,
    );
  });

  it.each([
    [Number.NaN, 1, "first_operand is NaN"],
    [1, Number.POSITIVE_INFINITY, "second_operand is Infinity"],
    [Number.NEGATIVE_INFINITY, 1, "first_operand is -Infinity"],
  ])("rejects the non-finite operand in (%d, %d)", (a, b, message) => {
    const outcome = calculate(a, b, Operation.ADD);
    expect(outcome).toMatchObject({
      ok: false,
      code: status.INVALID_ARGUMENT,
      reason: "OPERAND_NOT_FINITE",
      field: message.split(" ")[0],
    });
    expect(!outcome.ok && outcome.message).toContain(message);
  });

  it("rejects division by zero of either sign", () => {
    expect(calculate(1, 0, Operation.DIVIDE)).toEqual({
      ok: false,
      code: status.INVALID_ARGUMENT,
      message: "division by zero: second_operand is 0",
      reason: "DIVISION_BY_ZERO",
      field: "second_operand",
    });
    expect(calculate(1, -0, Operation.DIVIDE)).toEqual({
      ok: false,
      code: status.INVALID_ARGUMENT,
      message: "division by zero: second_operand is -0",
      reason: "DIVISION_BY_ZERO",
      field: "second_operand",
    });
  });

  it("answers OUT_OF_RANGE when finite operands overflow float32", () => {
    const outcome = calculate(Math.fround(3e38), Math.fround(3e38), Operation.ADD);
    expect(outcome).toMatchObject({ ok: false, code: status.OUT_OF_RANGE, reason: "RESULT_OUT_OF_RANGE" });
    expect(!outcome.ok && outcome.message).toMatch(
      /^ADD of 3\.0000000\d+e\+38 and 3\.0000000\d+e\+38 is 6\.\d+e\+38, outside the float32 range/,
    );
    expect(calculate(1e30, 1e30, Operation.MULTIPLY)).toMatchObject({ ok: false, code: status.OUT_OF_RANGE });
    expect(calculate(1e30, 1e-30, Operation.DIVIDE)).toMatchObject({ ok: false, code: status.OUT_OF_RANGE });
  });

  it("keeps results that round down into float32's range", () => {
    const max = 3.4028234663852886e38; // the largest float32, (2^24 - 1) × 2^104
    expect(calculate(max, 1, Operation.ADD)).toEqual({ ok: true, result: max });
  });
});
