import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { create, createFileRegistry, fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { HealthCheckResponse_ServingStatus, HealthService } from "../src/health.js";
import * as root from "../src/index.js";
import * as messages from "../src/messages.js";
import { CalculatorDesc, file_calculator } from "../src/protobuf-es.js";

const require = createRequire(import.meta.url);
const importsOf = (path: string) =>
  [...readFileSync(new URL(path, import.meta.url), "utf8").matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);

describe("./messages", () => {
  it("is the root's one declaration of each type, not a copy", () => {
    expect(messages.Operation).toBe(root.Operation);
    expect(messages.BinaryOperation).toBe(root.BinaryOperation);
    expect(messages.operationFromJSON).toBe(root.operationFromJSON);
  });

  it("imports no RPC library (what lets a browser bundle take it)", () => {
    expect(importsOf("../src/gen/calculator.ts")).toEqual(["@bufbuild/protobuf/wire"]);
  });
});

describe("./protobuf-es", () => {
  const fromSet = createFileRegistry(fromBinary(FileDescriptorSetSchema, root.fileDescriptorSet)).getService(
    "Calculator",
  );

  it("describes the service as the published descriptor set does", () => {
    const shape = (service: typeof CalculatorDesc | typeof fromSet) =>
      service?.methods.map((m) => [m.name, m.localName, m.methodKind, m.input.typeName, m.output.typeName]);
    expect(CalculatorDesc.typeName).toBe("Calculator");
    expect(shape(CalculatorDesc)).toEqual(shape(fromSet));
    expect(CalculatorDesc.method.calculate.name).toBe("Calculate");
    expect(file_calculator.proto.sourceCodeInfo).toBeUndefined(); // embedded small, comments left out
  });

  it("encodes a request to the same bytes as the ts-proto codec", () => {
    const request = { firstOperand: 2, secondOperand: 3, operation: root.Operation.DIVIDE };
    const input = CalculatorDesc.method.calculate.input;
    expect(toBinary(input, create(input, request))).toEqual(
      new Uint8Array(root.BinaryOperation.encode(request).finish()),
    );
  });
});

describe("./health", () => {
  it("generates grpc.health.v1 from grpc's health.proto, published beside the code", () => {
    expect(HealthService.check.path).toBe("/grpc.health.v1.Health/Check");
    expect(HealthCheckResponse_ServingStatus.SERVING).toBe(1);
    const proto = readFileSync(require.resolve("@grpc-calculator/proto/health.proto"), "utf8");
    expect(proto).toContain("package grpc.health.v1;");
  });
});
