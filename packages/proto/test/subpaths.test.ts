import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { create, createFileRegistry, fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import * as errors from "../src/errors.js";
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

describe("./errors", () => {
  it("decodes what the root's codecs encode, and names each message's type as a detail's Any does", () => {
    const errorInfo = { reason: "DIVISION_BY_ZERO", domain: "calculator", metadata: { operation: "DIVIDE" } };
    const badRequest = {
      fieldViolations: [{ field: "second_operand", description: "d", reason: "R", localizedMessage: undefined }],
    };
    const status = {
      code: 3,
      message: "m",
      details: [
        { typeUrl: `type.googleapis.com/${root.ErrorInfo.$type}`, value: root.ErrorInfo.encode(errorInfo).finish() },
      ],
    };
    expect(errors.ErrorInfo.decode(root.ErrorInfo.encode(errorInfo).finish())).toEqual(errorInfo);
    expect(errors.BadRequest.decode(root.BadRequest.encode(badRequest).finish())).toEqual(badRequest);
    expect(errors.Status.decode(root.Status.encode(status).finish())).toEqual(status);
    expect([errors.ErrorInfo.$type, errors.BadRequest.$type, errors.Status.$type]).toEqual([
      "google.rpc.ErrorInfo",
      "google.rpc.BadRequest",
      "google.rpc.Status",
    ]);
    expect(root.BadRequest.$type).toBe(errors.BadRequest.$type);
  });

  it("has decoders alone (what keeps a browser bundle small) and imports no RPC library", () => {
    expect(Object.keys(errors.BadRequest).sort()).toEqual(["$type", "decode"]);
    expect(importsOf("../src/gen/errors/google/rpc/error_details.ts")).toEqual([
      "@bufbuild/protobuf/wire",
      "../protobuf/duration.js",
    ]);
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
