/**
 * What every streaming transport's sink does the same way: each response is encoded as it comes, the
 * responses of one turn leave in one write (at the end of the DATA chunk that brought their requests,
 * or once the handler's pending work has run), and a full connection buffer asks the call to wait.
 * A protocol brings how it encodes a response, writes a batch of envelopes and waits for room.
 */
import type { TransportCallContext } from "../call-context.js";
import { wireErrors, type CallError } from "../call-error.js";
import type { StreamSink } from "../pipeline/stream-call.js";
import { encodeEnvelopes } from "./envelope.js";

export abstract class BatchedSink implements StreamSink {
  #batch: Uint8Array[] = [];
  #scheduled = false;
  #full = false;
  #drained: (() => void)[] | undefined;
  /** Set once the call's end is being written: later responses are dropped. */
  protected ended = false;

  constructor(protected readonly context: TransportCallContext) {}

  /** One response's bytes (throws for a response the method cannot encode: a bug). */
  protected abstract encode(response: unknown): Uint8Array;
  /** Writes envelopes; false when the connection's buffer is full. */
  protected abstract writeEnvelopes(envelopes: Buffer): boolean;
  /** Calls `listener` once the connection's buffer has room. */
  protected abstract waitForRoom(listener: () => void): void;
  abstract end(error: CallError | undefined): void;

  /** Whether responses are waiting to be written. */
  protected get pending(): boolean {
    return this.#batch.length > 0;
  }

  send(response: unknown): boolean {
    if (this.ended) return true;
    let bytes: Uint8Array;
    try {
      bytes = this.encode(response);
    } catch (error) {
      this.context.abort(wireErrors.cannotEncode(error));
      return true;
    }
    this.#batch.push(bytes);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
    return !this.#full;
  }

  /** Writes the responses batched so far. */
  flush(): void {
    this.#scheduled = false;
    if (this.#batch.length === 0) return;
    const batch = this.#batch;
    this.#batch = [];
    if (!this.writeEnvelopes(encodeEnvelopes(batch))) this.#full = true;
  }

  onDrain(listener: () => void): void {
    this.flush();
    if (!this.#full) return listener();
    if (this.#drained !== undefined) return void this.#drained.push(listener);
    this.#drained = [listener];
    this.waitForRoom(() => {
      this.#full = false;
      const waiting = this.#drained ?? [];
      this.#drained = undefined;
      for (const drained of waiting) drained();
    });
  }
}
