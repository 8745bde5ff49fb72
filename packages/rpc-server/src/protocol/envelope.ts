/**
 * Length-prefixed messages, as gRPC and gRPC-Web frame them (and Connect's streaming protocol): a
 * flags byte, a 4-byte big-endian length, the message. Reading them as DATA chunks arrive, and
 * writing many in one buffer.
 */
import { wireErrors, type CallError } from "../call-error.js";

export const ENVELOPE_HEADER_BYTES = 5;

/** The flag of a compressed message; every protocol's request messages may carry no other. */
const COMPRESSED = 0x01;

/**
 * Splits a request body into its messages as chunks arrive: a message may span chunks and a chunk
 * may hold many. Refuses a message marked compressed (the direct paths only take calls without
 * compression) and one that declares more than `maxBytes`, before buffering it.
 */
export class EnvelopeReader {
  #pending: Buffer | undefined;

  /**
   * `skipFlag`: frames with this flag are skipped (gRPC-Web's trailer flag: connect-es ignores
   * trailer frames a client sends, and so does the direct path).
   */
  constructor(
    private readonly maxBytes: number,
    private readonly skipFlag = 0,
  ) {}

  /** True when the body read so far ends inside a message. */
  get midMessage(): boolean {
    return this.#pending !== undefined;
  }

  /**
   * Calls `onMessage` for each message `chunk` completes, in order. Stops at the first failure, a
   * frame's or one `onMessage` returns, and returns it.
   */
  read(chunk: Buffer, onMessage: (message: Buffer) => CallError | undefined): CallError | undefined {
    const data = this.#pending === undefined ? chunk : Buffer.concat([this.#pending, chunk]);
    this.#pending = undefined;
    let offset = 0;
    while (data.length - offset >= ENVELOPE_HEADER_BYTES) {
      const length = data.readUInt32BE(offset + 1);
      const flags = data[offset] ?? 0;
      const skip = this.skipFlag !== 0 && (flags & this.skipFlag) === this.skipFlag;
      if (flags !== 0 && !skip) {
        return (flags & COMPRESSED) === COMPRESSED
          ? wireErrors.compressedWithoutEncoding
          : wireErrors.unknownFlags(flags);
      }
      if (length > this.maxBytes) {
        return wireErrors.tooLarge(length, this.maxBytes);
      }
      const start = offset + ENVELOPE_HEADER_BYTES;
      if (data.length - start < length) break;
      offset = start + length;
      if (skip) continue;
      const failure = onMessage(data.subarray(start, offset));
      if (failure !== undefined) return failure;
    }
    // Copied: `data` may be a slice of a larger buffer that should not stay alive for a few bytes.
    if (offset < data.length) this.#pending = Buffer.from(data.subarray(offset));
    return undefined;
  }
}

/** The envelopes of `messages` (flags 0) in one buffer, for one write. */
export function encodeEnvelopes(messages: readonly Uint8Array[]): Buffer {
  let size = 0;
  for (const message of messages) size += ENVELOPE_HEADER_BYTES + message.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const message of messages) {
    out[at] = 0;
    out.writeUInt32BE(message.length, at + 1);
    out.set(message, at + ENVELOPE_HEADER_BYTES);
    at += ENVELOPE_HEADER_BYTES + message.length;
  }
  return out;
}
