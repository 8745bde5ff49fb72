import { CalculatorClient as GrpcCalculatorClient, Operation } from "@grpc-calculator/proto";
import { status as Status } from "@grpc/grpc-js";
import { CalculatorError } from "./calculator-error.js";
import type { CalculatorTarget } from "./target.js";
import { type CalculateRequest, toBinaryOperation } from "./operation.js";
import { abortedError, type CallOptions, grpcCallArgs, toCalculatorError } from "./private/call.js";
import { calculateMany } from "./private/calculate-many.js";
import { type ConnectionOptions, resolveConnection } from "./private/connection.js";

/** Options of {@link createCalculatorClient}. */
export interface CalculatorClientOptions extends ConnectionOptions {
  /** Default time allowed for each unary call, in milliseconds. Default 10 000. Streams have none by default. */
  readonly timeoutMs?: number | undefined;
  /** Default `waitForReady` for calls: wait for a connection until the deadline instead of failing fast. Default false. */
  readonly waitForReady?: boolean | undefined;
}

/** The calculator, as promises. Create it with {@link createCalculatorClient}; `close()` it (or `await using`). */
export interface CalculatorClient extends AsyncDisposable {
  /** Where the client connects: host, port, TLS. */
  readonly target: CalculatorTarget;
  /** `firstOperand <operation> secondOperand`, computed by the server (a float32 result, as a number). */
  calculate(request: CalculateRequest, options?: CallOptions): Promise<number>;
  add(a: number, b: number, options?: CallOptions): Promise<number>;
  subtract(a: number, b: number, options?: CallOptions): Promise<number>;
  multiply(a: number, b: number, options?: CallOptions): Promise<number>;
  divide(a: number, b: number, options?: CallOptions): Promise<number>;
  /**
   * Many calculations over one `CalculateStream` call: results in input order, read and written with
   * backpressure. The first failure ends the iteration with a CalculatorError whose `index` names the
   * operation. No deadline unless `timeoutMs`/`deadline` is given. The call starts when iteration does.
   */
  calculateMany(
    requests: Iterable<CalculateRequest> | AsyncIterable<CalculateRequest>,
    options?: CallOptions,
  ): AsyncGenerator<number, void, undefined>;
  /** Closes the channel; calls in flight finish, new calls fail with CANCELLED "the client is closed". Idempotent. */
  close(): void;
}

// `Symbol.asyncDispose` exists from Node 20.4 (and 18.18); on an older runtime fall back to the
// registered symbol that TypeScript's `await using` helper also looks up.
const asyncDispose: typeof Symbol.asyncDispose =
  Symbol.asyncDispose ?? (Symbol.for("Symbol.asyncDispose") as typeof Symbol.asyncDispose);

/**
 * Creates a calculator client.
 *
 * ```ts
 * const calculator = createCalculatorClient("localhost:50051");
 * console.log(await calculator.add(2, 3)); // 5
 * ```
 *
 * `target`: `host:port`, `dns:///host:port`, `https://host` (port 443, TLS) or `http://host:port`
 * (plaintext). Loopback targets are plaintext by default, everything else TLS with the system roots.
 */
export function createCalculatorClient(target: string, options: CalculatorClientOptions = {}): CalculatorClient {
  const connection = resolveConnection(target, options);
  const grpc = new GrpcCalculatorClient(connection.target.address, connection.credentials, connection.clientOptions);
  const unaryDefaults = { timeoutMs: options.timeoutMs ?? 10_000, waitForReady: options.waitForReady ?? false };
  const streamDefaults = { timeoutMs: undefined, waitForReady: unaryDefaults.waitForReady };
  let closed = false;
  // As grpc-go answers calls on a closed connection (grpc-js would throw a plain Error).
  const closedError = () => new CalculatorError(Status.CANCELLED, "the client is closed");
  const close = () => {
    closed = true;
    grpc.close();
  };

  const calculate = (request: CalculateRequest, callOptions: CallOptions = {}): Promise<number> =>
    new Promise((resolve, reject) => {
      const { signal } = callOptions;
      if (signal?.aborted) return reject(abortedError(signal));
      const message = toBinaryOperation(request);
      if (closed) return reject(closedError());
      const { metadata, callOptions: grpcOptions } = grpcCallArgs(callOptions, unaryDefaults);
      const onAbort = () => call.cancel();
      const call = grpc.calculate(message, metadata, grpcOptions, (error, response) => {
        signal?.removeEventListener("abort", onAbort);
        if (!error) resolve(response.result);
        else reject(signal?.aborted ? abortedError(signal, error) : toCalculatorError(error));
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  const shortcut =
    (operation: Operation) =>
    (firstOperand: number, secondOperand: number, callOptions?: CallOptions): Promise<number> =>
      calculate({ firstOperand, secondOperand, operation }, callOptions);

  return {
    target: connection.target,
    calculate,
    add: shortcut(Operation.ADD),
    subtract: shortcut(Operation.SUBTRACT),
    multiply: shortcut(Operation.MULTIPLY),
    divide: shortcut(Operation.DIVIDE),
    calculateMany(requests, callOptions = {}) {
      const open = () => {
        if (closed) throw closedError();
        const { metadata, callOptions: grpcOptions } = grpcCallArgs(callOptions, streamDefaults);
        return grpc.calculateStream(metadata, grpcOptions);
      };
      return calculateMany(open, requests, callOptions.signal);
    },
    close,
    [asyncDispose]: () => {
      close();
      return Promise.resolve();
    },
  };
}
