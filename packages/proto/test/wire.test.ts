import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  BinaryOperation,
  CalculationResult,
  CalculatorClient,
  CalculatorService,
  fileDescriptorSet,
  Operation,
  operationFromJSON,
} from "../src/index.js";

const hex = (bytes: Uint8Array) =>
  Buffer.from(bytes)
    .toString("hex")
    .replace(/(..)(?!$)/g, "$1 ");

describe("golden wire bytes of the classic contract", () => {
  it("encodes BinaryOperation{2, 3, ADD} exactly as the classic servers expect", () => {
    const bytes = BinaryOperation.encode({ firstOperand: 2, secondOperand: 3, operation: Operation.ADD }).finish();
    // ADD is the zero value, so proto3 leaves field 3 off the wire.
    expect(hex(bytes)).toBe("0d 00 00 00 40 15 00 00 40 40");
  });

  it("decodes those bytes back", () => {
    const bytes = Buffer.from("0d000000401500004040", "hex");
    expect(BinaryOperation.decode(bytes)).toEqual({ firstOperand: 2, secondOperand: 3, operation: Operation.ADD });
  });

  it("encodes and decodes CalculationResult{5}", () => {
    const bytes = CalculationResult.encode({ result: 5 }).finish();
    expect(hex(bytes)).toBe("0d 00 00 a0 40");
    expect(CalculationResult.decode(bytes)).toEqual({ result: 5 });
  });

  it("puts the added operations on field 3 as varints", () => {
    const bytes = BinaryOperation.encode({ firstOperand: 0, secondOperand: 0, operation: Operation.DIVIDE }).finish();
    expect(hex(bytes)).toBe("18 03");
  });

  it("keeps an operation number outside the enum as it came, for the server to reject", () => {
    const decoded = BinaryOperation.decode(Buffer.from("1807", "hex"));
    expect(decoded.operation).toBe(7);
  });

  it("shows float32 rounding: 0.1 travels as the float32 nearest 0.1", () => {
    const bytes = BinaryOperation.encode({ firstOperand: 0.1, secondOperand: 0, operation: Operation.ADD }).finish();
    expect(hex(bytes)).toBe("0d cd cc cc 3d");
    const decoded = BinaryOperation.decode(bytes).firstOperand;
    expect(decoded).not.toBe(0.1);
    expect(decoded).toBe(0.10000000149011612);
  });
});

describe("proto3 JSON mapping", () => {
  it("parses the tutorial's snake_case request with the enum as a string", () => {
    const message = BinaryOperation.fromJSON({ first_operand: 2, second_operand: 3, operation: "ADD" });
    expect(message).toEqual({ firstOperand: 2, secondOperand: 3, operation: Operation.ADD });
  });

  it("parses the lowerCamel form and enum numbers", () => {
    const message = BinaryOperation.fromJSON({ firstOperand: 10, secondOperand: 4, operation: 3 });
    expect(message).toEqual({ firstOperand: 10, secondOperand: 4, operation: Operation.DIVIDE });
  });

  it("prints results as grpcurl does", () => {
    expect(CalculationResult.toJSON({ result: 5 })).toEqual({ result: 5 });
    expect(BinaryOperation.toJSON({ firstOperand: 1, secondOperand: 2, operation: Operation.SUBTRACT })).toEqual({
      firstOperand: 1,
      secondOperand: 2,
      operation: "SUBTRACT",
    });
  });

  it("maps every operation name both ways", () => {
    expect(["ADD", "SUBTRACT", "MULTIPLY", "DIVIDE"].map(operationFromJSON)).toEqual([0, 1, 2, 3]);
  });
});

describe("the service definition", () => {
  it("keeps the classic method path and adds the stream", () => {
    expect(CalculatorService.calculate.path).toBe("/Calculator/Calculate");
    expect(CalculatorService.calculateStream.path).toBe("/Calculator/CalculateStream");
    expect(CalculatorService.calculateStream.requestStream && CalculatorService.calculateStream.responseStream).toBe(
      true,
    );
    expect(typeof CalculatorClient).toBe("function");
  });

  it("exports a descriptor set that names the service without a package", () => {
    const text = Buffer.from(fileDescriptorSet).toString("latin1");
    expect(text).toContain("calculator.proto");
    expect(text).toContain("Calculator");
    expect(text).toContain("CalculateStream");
  });
});

describe("the published package", () => {
  const require = createRequire(import.meta.url);
  it("resolves the .proto file and the descriptor set through its exports", () => {
    const proto = readFileSync(require.resolve("@grpc-calculator/proto/calculator.proto"), "utf8");
    expect(proto).toContain("service Calculator");
    const binpb = readFileSync(require.resolve("@grpc-calculator/proto/calculator.binpb"));
    expect(Buffer.compare(binpb, Buffer.from(fileDescriptorSet))).toBe(0);
  });

  it("ships calculator.proto with the files it imports beside it: its directory alone compiles it", () => {
    const root = join(import.meta.dirname, "..");
    const packed = JSON.parse(
      execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" }),
    ) as [{ files: { path: string }[] }];
    const protos = packed[0].files.map((file) => file.path).filter((path) => path.startsWith("proto/"));
    expect(protos).toEqual(expect.arrayContaining(["proto/calculator.proto", "proto/google/api/annotations.proto"]));
    // Those files alone, in a directory with no buf.yaml: what a user of the tarball has.
    const dir = mkdtempSync(join(tmpdir(), "published-proto-"));
    try {
      for (const path of protos) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        cpSync(join(root, path), join(dir, path));
      }
      const out = join(dir, "set.binpb");
      execFileSync(join(root, "node_modules/.bin/buf"), ["build", join(dir, "proto"), "-o", out]);
      expect(readFileSync(out).toString("latin1")).toContain("google.api.http");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("loads from CommonJS with the same contract", () => {
    const cjs = require("@grpc-calculator/proto") as typeof import("../src/index.js");
    expect(cjs.CalculatorService.calculate.path).toBe("/Calculator/Calculate");
    expect(hex(cjs.CalculationResult.encode({ result: 5 }).finish())).toBe("0d 00 00 a0 40");
  });
});
