/**
 * gRPC length-prefixed message framing (the 5-byte prefix: 1 compressed-flag byte, 4-byte big-endian length).
 * Encoding can lie on purpose (a declared length that does not match the body, a compressed flag with no
 * compression): the hostile cases and the fuzzer need frames a correct client would never send.
 */
import { BinaryOperation, CalculationResult, Operation } from "@grpc-calculator/proto";

export interface FrameOptions {
  /** Set the compressed flag (byte 0) to 1 without compressing anything. */
  readonly compressed?: boolean;
  /** Length to write in the prefix instead of the real body length. */
  readonly declaredLength?: number;
  /**
   * The whole flags byte, instead of the compressed flag: Connect's streaming envelopes share this prefix and
   * mark their end-stream message with 0x02.
   */
  readonly flags?: number;
}

/** One length-prefixed gRPC message. */
export function encodeFrame(body: Uint8Array, options: FrameOptions = {}): Buffer {
  const frame = Buffer.alloc(5 + body.length);
  frame[0] = options.flags ?? (options.compressed === true ? 1 : 0);
  frame.writeUInt32BE(options.declaredLength ?? body.length, 1);
  frame.set(body, 5);
  return frame;
}

export interface DecodedFrames {
  readonly messages: Buffer[];
  /** Bytes after the last complete frame (a truncated frame); empty for a well-formed stream. */
  readonly rest: Buffer;
}

/** Splits a response body into its length-prefixed messages. */
export function decodeFrames(data: Buffer): DecodedFrames {
  const messages: Buffer[] = [];
  let offset = 0;
  while (data.length - offset >= 5) {
    const length = data.readUInt32BE(offset + 1);
    if (data.length - offset - 5 < length) break;
    messages.push(data.subarray(offset + 5, offset + 5 + length));
    offset += 5 + length;
  }
  return { messages, rest: data.subarray(offset) };
}

/** The request body of `first <op> second`, encoded by the generated codec. */
export function requestBody(firstOperand: number, secondOperand: number, operation: Operation): Buffer {
  return Buffer.from(BinaryOperation.encode({ firstOperand, secondOperand, operation }).finish());
}

/** The request frame of `first <op> second`. */
export function requestFrame(firstOperand: number, secondOperand: number, operation: Operation): Buffer {
  return encodeFrame(requestBody(firstOperand, secondOperand, operation));
}

/** Decodes the single result a unary call answers, or undefined when the body holds no complete message. */
export function decodeResult(body: Buffer): number | undefined {
  const { messages } = decodeFrames(body);
  const first = messages[0];
  return first === undefined ? undefined : CalculationResult.decode(first).result;
}
