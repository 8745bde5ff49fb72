import { BinaryOperation, Operation } from "@grpc-calculator/proto";
import { expect, test } from "vitest";
import { envelopes, frame, streamBody, unaryBody, unframe } from "../src/grpc-wire.js";

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

test("envelopes keep each frame's flags (gRPC-Web marks its trailer frame 0x80)", () => {
  const trailer = frame(Buffer.from("grpc-status: 0\r\n"));
  trailer[0] = 0x80;
  const frames = envelopes(Buffer.concat([frame(Buffer.from([7])), trailer]));
  expect(frames.map((f) => [f.flags, f.data.toString("latin1")])).toEqual([
    [0, "\u0007"],
    [0x80, "grpc-status: 0\r\n"],
  ]);
});
