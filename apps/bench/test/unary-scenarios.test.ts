import { CalculationResult } from "@grpc-calculator/proto";
import { describe, expect, test } from "vitest";
import { frame } from "../src/grpc-wire.js";
import type { Http2Answer } from "../src/http2-call.js";
import { connectJsonUnary, grpcUnary, grpcWebUnary, restGetUnary, restPostUnary } from "../src/unary-scenarios.js";

const answer = (status: number, contentType: string, body: Buffer, trailers = {}): Http2Answer => ({
  status,
  headers: { "content-type": contentType },
  trailers,
  body,
});
const result = (value: number) => frame(CalculationResult.encode({ result: value }).finish());
const trailerFrame = (text: string) => {
  const out = frame(Buffer.from(text));
  out[0] = 0x80;
  return out;
};

describe("the requests h2load sends", () => {
  test("Connect JSON posts 2 + 3 in proto3 JSON, as curl users type it", () => {
    expect(connectJsonUnary.body?.toString()).toBe('{"firstOperand":2,"secondOperand":3,"operation":"ADD"}');
    expect(connectJsonUnary.headers).toEqual({ "content-type": "application/json" });
  });

  test("REST takes Calculate's routes from its google.api.http rule: GET with the query, POST with the JSON body", () => {
    expect(restGetUnary.path).toBe("/v1/calculate?first_operand=2&second_operand=3&operation=ADD");
    expect(restGetUnary.body).toBeUndefined();
    expect(restPostUnary.path).toBe("/v1/calculate");
    expect(restPostUnary.body).toEqual(connectJsonUnary.body);
    expect(restPostUnary.headers).toEqual({ "content-type": "application/json" });
  });

  test("gRPC-Web posts the same enveloped 10-byte message as gRPC", () => {
    expect(grpcWebUnary.body).toEqual(grpcUnary.body);
    expect(grpcWebUnary.body?.readUInt32BE(1)).toBe(10);
    expect(grpcWebUnary.headers).toEqual({ "content-type": "application/grpc-web+proto" });
  });
});

describe("the check made before each load", () => {
  test("Connect JSON: HTTP 200 with result 5 passes; an error body or another result does not", () => {
    expect(() => connectJsonUnary.check(answer(200, "application/json", Buffer.from('{"result":5}')))).not.toThrow();
    expect(() => connectJsonUnary.check(answer(200, "application/json", Buffer.from('{"result":6}')))).toThrow(
      /Connect JSON: HTTP 200/,
    );
    const error = Buffer.from('{"code":"unimplemented","message":"x"}');
    expect(() => connectJsonUnary.check(answer(404, "application/json", error))).toThrow(/HTTP 404/);
    expect(() => connectJsonUnary.check(answer(200, "application/json", Buffer.from("not json")))).toThrow();
  });

  test("gRPC-Web: one result 5 and a trailer frame with grpc-status 0 pass", () => {
    const ok = Buffer.concat([result(5), trailerFrame("grpc-status: 0\r\n")]);
    expect(() => grpcWebUnary.check(answer(200, "application/grpc-web+proto", ok))).not.toThrow();
    const failed = trailerFrame("grpc-status: 3\r\ngrpc-message: division by zero\r\n");
    expect(() => grpcWebUnary.check(answer(200, "application/grpc-web+proto", failed))).toThrow(/gRPC-Web/);
    // Plain gRPC's answer (status in HTTP/2 trailers, no trailer frame) is what grpc-js sends a browser.
    expect(() => grpcWebUnary.check(answer(200, "application/grpc+proto", result(5), { "grpc-status": "0" }))).toThrow(
      /trailer grpc-status 0/,
    );
  });

  test("gRPC: result 5 with grpc-status 0 in the trailers passes, another status does not", () => {
    expect(() => grpcUnary.check(answer(200, "application/grpc", result(5), { "grpc-status": "0" }))).not.toThrow();
    expect(() => grpcUnary.check(answer(200, "application/grpc", Buffer.alloc(0), { "grpc-status": "12" }))).toThrow(
      /grpc-status 12/,
    );
  });
});
