import { type BinaryOperation, Operation } from "@grpc-calculator/proto/messages";
import { callInBatches } from "./batch.js";
import {
  abortedError,
  type CallDefaults,
  type CallOptions,
  type CallSettings,
  callSettings,
  closedError,
} from "./call-options.js";
import { calculateOperations } from "./many.js";
import type { MethodDescriptors, MethodOf, ServiceMethods } from "./method.js";
import { type CalculateRequest, toBinaryOperation } from "./operation.js";
import { isRetried, withRetries } from "./retry.js";
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
 * The calculator API over a transport and the service's methods as its runtime describes them (the
 * generated contract): validation before the network, deadlines, aborts, the retry rule when the transport
 * has none, closing — the same in every runtime. A new unary method of the service needs only a
 * convenience method here, calling `unary(methods.theMethod, ...)`.
 */
export function createClient<D extends MethodDescriptors>(
  transport: Transport<D>,
  methods: ServiceMethods<D>,
  options: ClientDefaults = {},
): CalculatorClient {
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

  /** One call of a unary method, under the retry rule unless the transport runs it itself. */
  const send = <I, O>(method: MethodOf<D, I, O, "unary">, request: I, call: CallSettings): Promise<O> =>
    transport.retriesUnavailable || !isRetried("unary")
      ? transport.unary(method, request, call)
      : withRetries(() => transport.unary(method, request, call), call.deadline, call.signal);

  /** A unary call as the API makes it: aborts, closing, the client's default deadline. */
  const unary = async <I, O>(
    method: MethodOf<D, I, O, "unary">,
    request: () => I,
    callOptions: CallOptions,
  ): Promise<O> => {
    const { signal } = callOptions;
    if (signal?.aborted) throw abortedError(signal);
    const message = request();
    if (closed) throw closedError();
    try {
      return await send(method, message, callSettings(callOptions, unaryDefaults));
    } catch (error) {
      throw signal?.aborted ? abortedError(signal, error) : error;
    }
  };

  const calculate = async (request: CalculateRequest, callOptions: CallOptions = {}): Promise<number> =>
    (await unary(methods.calculate, () => toBinaryOperation(request), callOptions)).result;
  const shortcut =
    (operation: Operation) =>
    (firstOperand: number, secondOperand: number, callOptions?: CallOptions): Promise<number> =>
      calculate({ firstOperand, secondOperand, operation }, callOptions);

  const calculateMany: CalculatorClient["calculateMany"] = (requests, callOptions = {}) => {
    const { signal } = callOptions;
    const start = () => {
      if (closed) throw closedError();
      return callSettings(callOptions, streamDefaults);
    };
    const { bidiStream } = transport;
    if (bidiStream) {
      return calculateOperations(
        requests,
        async function* streamed(messages) {
          for await (const response of bidiStream(methods.calculateStream, messages, signal, start)) {
            yield response.result;
          }
        },
        signal,
      );
    }
    // Unary calls of Calculate in batches. Without a deadline for the batch, each call gets the client's default one.
    return calculateOperations(
      requests,
      async function* batched(messages) {
        const { deadline } = start();
        const perCall = (callSignal: AbortSignal): CallSettings => {
          const settings = callSettings({ ...callOptions, signal: callSignal }, unaryDefaults);
          return deadline === undefined ? settings : { ...settings, deadline };
        };
        const call = async (message: BinaryOperation, callSignal: AbortSignal) =>
          (await send(methods.calculate, message, perCall(callSignal))).result;
        yield* callInBatches(call, messages, signal, deadline);
      },
      signal,
    );
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
