// Raw gRPC over HTTP/2 for the load tools and probes: length-prefixed frames, and one call made with
// node:http2 so a server can be checked (and timed) without any gRPC library's connection backoff.
import { BinaryOperation, CalculationResult, CalculatorService, Operation } from "@grpc-calculator/proto";
import { answerHeader, http2Call, type Http2Answer } from "./http2-call.js";

/** gRPC's 5-byte message prefix (compressed flag 0, big-endian length) followed by the message. */
export function frame(message: Uint8Array): Buffer {
  const out = Buffer.alloc(5 + message.length);
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

/** A length-prefixed frame as read: its flags byte (gRPC-Web marks its trailer frame 0x80) and its data. */
export interface Envelope {
  flags: number;
  data: Buffer;
}

/** Splits a body into its length-prefixed frames. */
export function envelopes(body: Buffer): Envelope[] {
  const frames: Envelope[] = [];
  let offset = 0;
  while (offset + 5 <= body.length) {
    const length = body.readUInt32BE(offset + 1);
    frames.push({ flags: body[offset]!, data: body.subarray(offset + 5, offset + 5 + length) });
    offset += 5 + length;
  }
  return frames;
}

/** Splits a response body into its messages. */
export function unframe(body: Buffer): Buffer[] {
  return envelopes(body).map((envelope) => envelope.data);
}

/** The request every load sends: 2 + 3, encoded by the generated codec. */
export const sampleOperation: BinaryOperation = { firstOperand: 2, secondOperand: 3, operation: Operation.ADD };
export const expectedResult = 5;

export const calculatePath = CalculatorService.calculate.path;
export const calculateStreamPath = CalculatorService.calculateStream.path;

/** Body of one unary Calculate call. */
export function unaryBody(): Buffer {
  return frame(BinaryOperation.encode(sampleOperation).finish());
}

/** Body of one CalculateStream call carrying `count` operations. */
export function streamBody(count: number): Buffer {
  return Buffer.concat(Array.from({ length: count }, unaryBody));
}

export interface RawCallResult {
  httpStatus: number;
  grpcStatus: string | undefined;
  grpcMessage: string | undefined;
  messages: Buffer[];
}

/** The request headers of a gRPC call (besides the pseudo-headers). */
export const grpcRequestHeaders: Readonly<Record<string, string>> = {
  "content-type": "application/grpc",
  te: "trailers",
};

/** An HTTP/2 answer read as gRPC: status from the trailers (or headers), the messages of the body. */
export function asGrpc(answer: Http2Answer): RawCallResult {
  return {
    httpStatus: answer.status,
    grpcStatus: answerHeader(answer, "grpc-status"),
    grpcMessage: answerHeader(answer, "grpc-message"),
    messages: unframe(answer.body),
  };
}

/** One gRPC call with prior-knowledge HTTP/2 over loopback; rejects on connection errors or timeout. */
export async function rawCall(port: number, path: string, body: Buffer, timeoutMs: number): Promise<RawCallResult> {
  return asGrpc(await http2Call(port, path, grpcRequestHeaders, body, timeoutMs));
}

/** Throws with what came back unless `answer` carries `count` results of 5 and grpc-status 0. */
export function checkGrpcAnswer(path: string, answer: RawCallResult, count: number): void {
  const results = answer.messages.map((m) => CalculationResult.decode(m).result);
  if (answer.grpcStatus !== "0" || results.length !== count || results.some((r) => r !== expectedResult)) {
    throw new Error(
      `${path} answered HTTP ${answer.httpStatus}, grpc-status ${answer.grpcStatus} ` +
        `(${answer.grpcMessage ?? ""}), results [${results.slice(0, 3).join(", ")}${results.length > 3 ? ", …" : ""}] ` +
        `(${results.length}); expected ${count} × ${expectedResult} and grpc-status 0`,
    );
  }
}

/**
 * Checks that `port` answers the load's request body the way the load assumes: `count` results of 5 and
 * grpc-status 0. Throws with what came back otherwise, so no load is ever timed against errors.
 */
export async function verifyCalculate(port: number, path: string, body: Buffer, count: number): Promise<void> {
  checkGrpcAnswer(path, await rawCall(port, path, body, 5_000), count);
}
