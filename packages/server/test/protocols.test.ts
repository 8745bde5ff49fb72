// One table of Calculator cases through every protocol the server speaks, over HTTP/2 and HTTP/1.1,
// on the server's direct paths and on the libraries (grpc-js, connect-es) it falls back to: every
// client must get the same answers and the same statuses with the same messages and google.rpc.Status
// details, and the server's log must say which protocol carried each call and which code served it.
import { status } from "@grpc/grpc-js";
import { Operation, type BinaryOperation } from "@grpc-calculator/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/index.js";
import { createLogger } from "../src/logger.js";
import { startTestServer } from "./helpers.js";
import { clientKinds, type Answer, type Detail, type Failure, type ProtocolClient } from "./protocol-clients.js";

/** The ErrorInfo every error of the arithmetic carries (calculator.proto's header). */
const errorInfo = (reason: string, metadata: Record<string, string>): Detail => ({
  type: "google.rpc.ErrorInfo",
  value: { reason, domain: "calculator", metadata },
});

/** An INVALID_ARGUMENT, its ErrorInfo and its BadRequest naming `field`; `index` for a request of a stream. */
function invalid(reason: string, field: string, operation: string, message: string, index?: number): Failure {
  const badRequest: Detail = {
    type: "google.rpc.BadRequest",
    value: { fieldViolations: [{ field, description: message, reason, localizedMessage: undefined }] },
  };
  return {
    code: status.INVALID_ARGUMENT,
    message: index === undefined ? message : `operation ${index}: ${message}`,
    details: [
      errorInfo(reason, { operation, ...(index === undefined ? {} : { requestIndex: String(index) }) }),
      badRequest,
    ],
  };
}

const unaryCases: [string, Partial<BinaryOperation>, Answer][] = [
  ["ADD", { firstOperand: 2, secondOperand: 3 }, { result: 5 }],
  ["SUBTRACT", { firstOperand: 2, secondOperand: 3, operation: Operation.SUBTRACT }, { result: -1 }],
  ["MULTIPLY", { firstOperand: 2.5, secondOperand: 4, operation: Operation.MULTIPLY }, { result: 10 }],
  ["DIVIDE", { firstOperand: 1, secondOperand: 4, operation: Operation.DIVIDE }, { result: 0.25 }],
  ["a zero result", { firstOperand: 2, secondOperand: 2, operation: Operation.SUBTRACT }, { result: 0 }],
  [
    "float32 rounding (0.1 + 0.2)",
    { firstOperand: 0.1, secondOperand: 0.2 },
    { result: 0.30000001192092896 }, // the float32 nearest 0.3
  ],
  [
    "an operation outside the enum",
    { operation: 7 as Operation },
    invalid(
      "UNKNOWN_OPERATION",
      "operation",
      "7",
      "operation 7 is not a known Operation (ADD=0, SUBTRACT=1, MULTIPLY=2, DIVIDE=3)",
    ),
  ],
  [
    "a NaN operand",
    { firstOperand: Number.NaN },
    invalid("OPERAND_NOT_FINITE", "first_operand", "ADD", "first_operand is NaN; operands must be finite numbers"),
  ],
  [
    "an infinite operand",
    { secondOperand: Number.NEGATIVE_INFINITY },
    invalid(
      "OPERAND_NOT_FINITE",
      "second_operand",
      "ADD",
      "second_operand is -Infinity; operands must be finite numbers",
    ),
  ],
  [
    "division by zero",
    { firstOperand: 1, secondOperand: 0, operation: Operation.DIVIDE },
    invalid("DIVISION_BY_ZERO", "second_operand", "DIVIDE", "division by zero: second_operand is 0"),
  ],
  [
    "a float32 overflow",
    { firstOperand: 3e38, secondOperand: 3e38 },
    {
      code: status.OUT_OF_RANGE,
      message:
        "ADD of 3.0000000054977558e+38 and 3.0000000054977558e+38 is 6.0000000109955115e+38, outside the float32 range (±3.4028234663852886e+38)",
      details: [errorInfo("RESULT_OUT_OF_RANGE", { operation: "ADD" })],
    },
  ],
];

describe.each([
  ["direct paths", true],
  ["libraries only (directPath: false)", false],
])("every protocol, %s", (_paths, directPath) => {
  const lines: Record<string, unknown>[] = [];
  let server: RunningServer;
  beforeAll(async () => {
    const logger = createLogger({
      level: "debug",
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    server = await startTestServer({ directPath, logger });
  });
  afterAll(() => server.shutdown());

  describe.each(clientKinds)("$name", (kind) => {
    let client: ProtocolClient;
    beforeAll(() => {
      client = kind.create(server.port);
    });
    afterAll(() => client.close());

    it.each(unaryCases)("Calculate: %s", async (_name, request, expected) => {
      await expect(client.calculate(request)).resolves.toEqual(expected);
    });

    it(`is carried by ${kind.protocol} and served by the expected path`, async () => {
      const before = lines.length;
      await expect(client.calculate({ firstOperand: 40, secondOperand: 2 })).resolves.toEqual({ result: 42 });
      expect(lines.slice(before)).toContainEqual(
        expect.objectContaining({
          message: "calculated",
          method: "/Calculator/Calculate",
          protocol: kind.protocol,
          servedBy: kind.servedBy(directPath),
          request: { firstOperand: 40, secondOperand: 2, operation: "ADD" },
        }),
      );
    });
  });

  describe.each(clientKinds.filter((kind) => kind.streams))("CalculateStream, $name", (kind) => {
    let client: ProtocolClient;
    beforeAll(() => {
      client = kind.create(server.port);
    });
    afterAll(() => client.close());

    it("answers in order and ends at the first invalid request with its index, in the message and the details", async () => {
      await expect(
        client.calculateStream([
          { firstOperand: 1, secondOperand: 1 },
          { firstOperand: 6, secondOperand: 3, operation: Operation.DIVIDE },
        ]),
      ).resolves.toEqual({ results: [2, 2], error: undefined });
      await expect(
        client.calculateStream([
          { firstOperand: 1, secondOperand: 1 },
          { firstOperand: 2, secondOperand: 2 },
          { firstOperand: 1, secondOperand: 0, operation: Operation.DIVIDE },
          { firstOperand: 4, secondOperand: 4 },
        ]),
      ).resolves.toEqual({
        results: [2, 4],
        error: invalid("DIVISION_BY_ZERO", "second_operand", "DIVIDE", "division by zero: second_operand is 0", 2),
      });
      await expect(
        client.calculateStream([
          { firstOperand: 1, secondOperand: 1 },
          { firstOperand: 3e38, secondOperand: 3e38, operation: Operation.MULTIPLY },
        ]),
      ).resolves.toMatchObject({
        results: [2],
        error: {
          code: status.OUT_OF_RANGE,
          message: expect.stringMatching(/^operation 1: MULTIPLY of /) as string,
          details: [errorInfo("RESULT_OUT_OF_RANGE", { operation: "MULTIPLY", requestIndex: "1" })],
        },
      });
    });
  });
});
