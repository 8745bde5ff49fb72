import type { BinaryOperation } from "@grpc-calculator/proto/messages";
import { Operation } from "@grpc-calculator/proto/messages";
import { calculateInBatches } from "./batch.js";
import {
  abortedError,
  type CallDefaults,
  type CallOptions,
  type CallSettings,
  callSettings,
  closedError,
} from "./call-options.js";
import { type CalculateRequest, toBinaryOperation } from "./operation.js";
import { withRetries } from "./retry.js";
import type { CalculatorTarget } from "./target.js";
import type { Transport } from "./transport.js";

/** The calculator, as promises: the same type from the Node and the web entry. Create it with `createCalculatorClient`. */
export interface CalculatorClient extends AsyncDisposable {
  /** Where the client connects: host, port, TLS, and the address (grpc-js target or base URL). */
  readonly target: CalculatorTarget;
  /** `firstOperand <operation> secondOperand`, computed by the server (a float32 result, as a number). */
  calculate(request: CalculateRequest, options?: CallOptions): Promise<number>;
  add(a: number, b: number, options?: CallOptions): Promise<number>;
  subtract(a: number, b: number, options?: CallOptions): Promise<number>;
  multiply(a: number, b: number, options?: CallOptions): Promise<number>;
  divide(a: number, b: number, options?: CallOptions): Promise<number>;
  /**
   * Many calculations, results in input order, read lazily with backpressure. The first failure ends the
   * iteration with a CalculatorError whose `index` names the operation. Node: one `CalculateStream` call,
   * no deadline unless `timeoutMs`/`deadline` is given. Web: unary calls, a few at a time (see the README).
   * The call starts when iteration does.
   */
  calculateMany(
    requests: Iterable<CalculateRequest> | AsyncIterable<CalculateRequest>,
    options?: CallOptions,
  ): AsyncGenerator<number, void, undefined>;
  /** Closes the client; calls in flight finish, new calls fail with CANCELLED "the client is closed". Idempotent. */
  close(): void;
}

/** Options every entry's `createCalculatorClient` takes. */
export interface ClientDefaults {
  /** Default time allowed for each unary call, in milliseconds. Default 10 000. Streams have none by default. */
  readonly timeoutMs?: number | undefined;
  /** Node: default `waitForReady` for calls (wait for a connection until the deadline). Default false. */
  readonly waitForReady?: boolean | undefined;
}

// `Symbol.asyncDispose` exists from Node 20.4 (and 18.18) and in current browsers; elsewhere fall back to
// the registered symbol that TypeScript's `await using` helper also looks up.
const asyncDispose: typeof Symbol.asyncDispose =
  Symbol.asyncDispose ?? (Symbol.for("Symbol.asyncDispose") as typeof Symbol.asyncDispose);

/**
 * The calculator API over a transport: validation before the network, deadlines, aborts, the retry rule
 * when the transport has none, closing — the same in every runtime.
 */
export function createClient(transport: Transport, options: ClientDefaults = {}): CalculatorClient {
  const unaryDefaults: CallDefaults = {
    timeoutMs: options.timeoutMs ?? 10_000,
    waitForReady: options.waitForReady ?? false,
  };
  const streamDefaults: CallDefaults = { timeoutMs: undefined, waitForReady: unaryDefaults.waitForReady };
  let closed = false;
  const close = () => {
    closed = true;
    transport.close();
  };

  const send = (message: BinaryOperation, call: CallSettings): Promise<number> =>
    transport.retriesUnavailable
      ? transport.calculate(message, call)
      : withRetries(() => transport.calculate(message, call), call.deadline, call.signal);

  const calculate = async (request: CalculateRequest, callOptions: CallOptions = {}): Promise<number> => {
    const { signal } = callOptions;
    if (signal?.aborted) throw abortedError(signal);
    const message = toBinaryOperation(request);
    if (closed) throw closedError();
    try {
      return await send(message, callSettings(callOptions, unaryDefaults));
    } catch (error) {
      throw signal?.aborted ? abortedError(signal, error) : error;
    }
  };
  const shortcut =
    (operation: Operation) =>
    (firstOperand: number, secondOperand: number, callOptions?: CallOptions): Promise<number> =>
      calculate({ firstOperand, secondOperand, operation }, callOptions);

  const calculateMany: CalculatorClient["calculateMany"] = (requests, callOptions = {}) => {
    const start = () => {
      if (closed) throw closedError();
      return callSettings(callOptions, streamDefaults);
    };
    if (transport.calculateMany) return transport.calculateMany(requests, callOptions.signal, start);
    return (async function* batched() {
      const { deadline } = start();
      // Without a deadline for the batch, each call gets the client's default one.
      const perCall = (signal: AbortSignal) =>
        deadline === undefined
          ? callSettings({ ...callOptions, signal }, unaryDefaults)
          : { ...callSettings({ ...callOptions, signal }, unaryDefaults), deadline };
      yield* calculateInBatches(
        (message, signal) => send(message, perCall(signal)),
        requests,
        callOptions.signal,
        deadline,
      );
    })();
  };

  return {
    target: transport.target,
    calculate,
    add: shortcut(Operation.ADD),
    subtract: shortcut(Operation.SUBTRACT),
    multiply: shortcut(Operation.MULTIPLY),
    divide: shortcut(Operation.DIVIDE),
    calculateMany,
    close,
    [asyncDispose]: () => {
      close();
      return Promise.resolve();
    },
  };
}
