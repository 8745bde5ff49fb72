/**
 * The requests of a streaming call as the handler reads them: an async iterator the transport
 * pushes decoded messages into. While more than HIGH_WATER_MARK requests wait unread, the transport
 * stops reading (flow control reaches the client); it reads again once the handler has caught up.
 */
import type { CallError } from "../call-error.js";

/** The transport's side of flow control. */
export interface RequestFlow {
  pause(): void;
  resume(): void;
}

const HIGH_WATER_MARK = 32;

export class RequestQueue implements AsyncIterableIterator<unknown> {
  #buffer: unknown[] = [];
  #ended = false;
  #error: CallError | undefined;
  #paused = false;
  #waiting: { resolve(result: IteratorResult<unknown>): void; reject(error: unknown): void } | undefined;

  constructor(private readonly flow: RequestFlow) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  push(request: unknown): void {
    if (this.#ended) return;
    const waiting = this.#waiting;
    if (waiting !== undefined) {
      this.#waiting = undefined;
      waiting.resolve({ value: request, done: false });
      return;
    }
    this.#buffer.push(request);
    if (this.#buffer.length >= HIGH_WATER_MARK && !this.#paused) {
      this.#paused = true;
      this.flow.pause();
    }
  }

  /** No more requests: the client finished sending. */
  end(): void {
    this.#finish(undefined);
  }

  /** No more requests: `error` is thrown once the ones before it are read. */
  fail(error: CallError): void {
    this.#finish(error);
  }

  #finish(error: CallError | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting === undefined) return;
    if (error === undefined) waiting.resolve({ value: undefined, done: true });
    else waiting.reject(error);
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.#buffer.length > 0) {
      const value = this.#buffer.shift();
      if (this.#paused && this.#buffer.length === 0) {
        this.#paused = false;
        this.flow.resume();
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#ended) {
      return this.#error === undefined
        ? Promise.resolve({ value: undefined, done: true })
        : Promise.reject(this.#error);
    }
    return new Promise((resolve, reject) => (this.#waiting = { resolve, reject }));
  }

  /** The handler stopped reading: what the client still sends is dropped. */
  return(): Promise<IteratorResult<unknown>> {
    this.#ended = true;
    this.#buffer = [];
    if (this.#paused) {
      this.#paused = false;
      this.flow.resume();
    }
    return Promise.resolve({ value: undefined, done: true });
  }
}
