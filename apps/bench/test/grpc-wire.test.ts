import { BinaryOperation, Operation } from "@grpc-calculator/proto";
import { expect, test } from "vitest";
import { frame, streamBody, unaryBody, unframe } from "../src/grpc-wire.js";

test("the load's body is one uncompressed gRPC frame of BinaryOperation{2, 3, ADD}", () => {
  const body = unaryBody();
  expect(body[0]).toBe(0);
  expect(body.readUInt32BE(1)).toBe(body.length - 5);
  const [message] = unframe(body);
  expect(BinaryOperation.decode(message!)).toEqual({ firstOperand: 2, secondOperand: 3, operation: Operation.ADD });
});

test("a stream body carries the requested number of frames", () => {
  expect(unframe(streamBody(100))).toHaveLength(100);
});

test("frame and unframe round-trip messages, including empty ones", () => {
  const messages = [Buffer.from([1, 2, 3]), Buffer.alloc(0), Buffer.from([9])];
  expect(unframe(Buffer.concat(messages.map((m) => frame(m))))).toEqual(messages);
});
