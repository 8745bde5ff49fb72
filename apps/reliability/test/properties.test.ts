// Property tests of the server's calculator core (`calculate` from @grpc-calculator/server): for any two
// float32 values and any operation number, the answer is the float32 the documented rule gives (the exact
// result rounded to the nearest float32, computed independently by src/private/reference.ts with BigInt
// rationals) or the documented status; no throw escapes.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { status } from "@grpc/grpc-js";
import { calculate, type CalculationOutcome } from "@grpc-calculator/server";
import { Operation } from "@grpc-calculator/proto";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { knownOperations } from "../src/operations.js";
import { type Expected, expectedOutcome } from "../src/private/reference.js";
import { recordSection } from "../src/report.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const numRuns = 20_000;
const statuses: Record<string, number> = {};
let checked = 0;

const anyFloat32 = fc.float(); // every float32, NaN, ±Infinity, ±0 and subnormals included
const knownOperation = fc.constantFrom(...knownOperations);
const anyOperation = fc.oneof(knownOperation, fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));

function agreesWithRule(first: number, second: number, operation: number): void {
  let outcome: CalculationOutcome;
  try {
    outcome = calculate(first, second, operation);
  } catch (error) {
    throw new Error(`calculate(${first}, ${second}, ${operation}) threw ${String(error)}`);
  }
  const expected = expectedOutcome(first, second, operation);
  checked++;
  const name = outcome.ok ? "OK" : (status[outcome.code] ?? String(outcome.code));
  statuses[name] = (statuses[name] ?? 0) + 1;
  if (expected.ok) {
    expect(outcome).toEqual({ ok: true, result: expected.result });
    if (outcome.ok) expect(Object.is(outcome.result, expected.result), "sign of zero kept").toBe(true);
  } else {
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.code).toBe(expected.code);
      expect(outcome.message.length).toBeGreaterThan(0);
    }
  }
}

afterAll(() => {
  recordSection(root, "properties", { propertyChecks: checked, crashes: 0, callsLost: 0, outcomes: statuses });
});

describe("the oracle: exact rational arithmetic rounded to the nearest float32 by its own code", () => {
  const ulpAtOne = 2 ** -23;
  const max = 3.4028234663852886e38; // (2^24 - 1) × 2^104
  it.each([
    ["2 + 3", 2, 3, Operation.ADD, 5],
    ["1 + 2^-24, a tie, rounds to even (down)", 1, 2 ** -24, Operation.ADD, 1],
    ["(1 + 2^-23) + 2^-24, a tie, rounds to even (up)", 1 + ulpAtOne, 2 ** -24, Operation.ADD, 1 + 2 * ulpAtOne],
    ["1 / 3 rounds to the nearest float32", 1, 3, Operation.DIVIDE, 11184811 * 2 ** -25],
    ["2^-149 × 0.5, half the smallest subnormal, ties to even: +0", 2 ** -149, 0.5, Operation.MULTIPLY, 0],
    ["-2^-149 × 0.75 underflows to -2^-149", -(2 ** -149), 0.75, Operation.MULTIPLY, -(2 ** -149)],
    ["-2^-149 × 2^-10 underflows to -0", -(2 ** -149), 2 ** -10, Operation.MULTIPLY, -0],
    ["-0 - +0 is -0", -0, 0, Operation.SUBTRACT, -0],
    ["x + -x is +0", 1.5, -1.5, Operation.ADD, 0],
    ["largest float32 × 1", max, 1, Operation.MULTIPLY, max],
  ])("%s", (_name, first, second, operation, result) => {
    const expected = expectedOutcome(first, second, operation);
    expect(expected).toEqual({ ok: true, result });
    if (expected.ok) expect(Object.is(expected.result, result), "sign of zero").toBe(true);
  });

  it.each(knownOperations.map((operation) => [Operation[operation], operation] as const))(
    "defines %s, like every operation of the contract (an operation it lacks would read as INVALID_ARGUMENT)",
    (_name, operation) => {
      expect(expectedOutcome(6, 3, operation)).toMatchObject({ ok: true });
    },
  );

  it("a result of 2^128 - 2^103 or more (half an ulp past the largest float32) is OUT_OF_RANGE", () => {
    const max = 3.4028234663852886e38;
    expect(expectedOutcome(max, 2 ** 103, Operation.ADD)).toEqual({ ok: false, code: status.OUT_OF_RANGE });
    expect(expectedOutcome(max, 2 ** 102, Operation.ADD)).toEqual({ ok: true, result: max });
  });
});

describe("vectors computed by numpy's float32 arithmetic (test/fixtures/float32-vectors.json, scripts/float32-vectors.py)", () => {
  const fixture = JSON.parse(readFileSync(new URL("fixtures/float32-vectors.json", import.meta.url), "utf8")) as {
    vectors: [string, string, keyof typeof Operation, string][];
  };
  const float32 = (hex: string): number => {
    const view = new DataView(new ArrayBuffer(4));
    view.setUint32(0, Number.parseInt(hex, 16));
    return view.getFloat32(0);
  };
  const expectedFrom = (answer: string): Expected =>
    /^[0-9a-f]{8}$/.test(answer)
      ? { ok: true, result: float32(answer) }
      : { ok: false, code: status[answer as keyof typeof status] };
  const cases = fixture.vectors.map(([a, b, name, answer]) => ({
    first: float32(a),
    second: float32(b),
    operation: Operation[name],
    expected: expectedFrom(answer),
    label: `${a} ${name} ${b} = ${answer}`,
  }));

  it(`has the vectors (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThan(2000);
  });

  for (const [who, compute] of [
    ["the server's calculate", (a: number, b: number, op: number): Expected => calculate(a, b, op)],
    ["the BigInt oracle", expectedOutcome],
  ] as const) {
    it(`${who} agrees with every vector, signs of zero included`, () => {
      const disagreements = cases.filter(({ first, second, operation, expected }) => {
        const got = compute(first, second, operation);
        return (
          got.ok !== expected.ok ||
          (got.ok && expected.ok
            ? !Object.is(got.result, expected.result)
            : !got.ok && !expected.ok && got.code !== expected.code)
        );
      });
      expect(disagreements.map((c) => c.label)).toEqual([]);
    });
  }
});

describe("calculate (the server's core)", () => {
  it("any float32 operands with a known operation: the exact result rounded to float32, or the documented status", () => {
    fc.assert(fc.property(anyFloat32, anyFloat32, knownOperation, agreesWithRule), { numRuns });
  });

  it("any operation number: the rule's answer, or INVALID_ARGUMENT naming the number", () => {
    fc.assert(
      fc.property(anyFloat32, anyFloat32, anyOperation, (first, second, operation) => {
        agreesWithRule(first, second, operation);
        const outcome = calculate(first, second, operation);
        if (Number.isFinite(first) && Number.isFinite(second) && !knownOperations.includes(operation)) {
          expect(outcome).toMatchObject({ ok: false, code: status.INVALID_ARGUMENT });
          if (!outcome.ok) expect(outcome.message).toContain(String(operation));
        }
      }),
      { numRuns },
    );
  });

  it("every successful result is a finite float32", () => {
    fc.assert(
      fc.property(anyFloat32, anyFloat32, knownOperation, (first, second, operation) => {
        const outcome = calculate(first, second, operation);
        if (outcome.ok) {
          expect(Number.isFinite(outcome.result)).toBe(true);
          expect(Math.fround(outcome.result)).toBe(outcome.result);
        }
      }),
      { numRuns },
    );
  });

  it("NaN or ±Infinity operands and division by zero are INVALID_ARGUMENT naming the value", () => {
    const nonFinite = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY);
    fc.assert(
      fc.property(nonFinite, anyFloat32, knownOperation, fc.boolean(), (bad, other, operation, badFirst) => {
        const outcome = badFirst ? calculate(bad, other, operation) : calculate(other, bad, operation);
        expect(outcome).toMatchObject({ ok: false, code: status.INVALID_ARGUMENT });
        if (!outcome.ok && (badFirst || Number.isFinite(other))) expect(outcome.message).toContain(String(bad));
      }),
    );
    fc.assert(
      fc.property(anyFloat32.filter(Number.isFinite), fc.constantFrom(0, -0), (first, zero) => {
        expect(calculate(first, zero, Operation.DIVIDE)).toMatchObject({ ok: false, code: status.INVALID_ARGUMENT });
      }),
    );
  });

  it("finite operands whose result overflows float32 are OUT_OF_RANGE", () => {
    const big = fc.float({ min: Math.fround(2e38), max: Math.fround(3.4e38), noNaN: true });
    fc.assert(
      fc.property(big, big, (a, b) => {
        expect(calculate(a, b, Operation.ADD)).toMatchObject({ ok: false, code: status.OUT_OF_RANGE });
        expect(calculate(-a, b, Operation.SUBTRACT)).toMatchObject({ ok: false, code: status.OUT_OF_RANGE });
        expect(calculate(a, b, Operation.MULTIPLY)).toMatchObject({ ok: false, code: status.OUT_OF_RANGE });
      }),
    );
  });
});
