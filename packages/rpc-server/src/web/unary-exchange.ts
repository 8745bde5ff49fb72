/**
 * How the web protocols' direct paths serve a unary call over an HttpExchange: read the body (within
 * the limit and the deadline), decode it, run the pipeline, answer. Each protocol brings its wire
 * format (protocol-connect/unary.ts, protocol-grpc-web/unary.ts); this is the part they share.
 */
import type { OutgoingHttpHeaders } from "node:http";
import { status } from "@grpc/grpc-js";
import type { BinaryOperation, CalculationResult } from "@grpc-calculator/proto";
import type { CallContext } from "../call-context.js";
import { CallError, toCallError } from "../call-error.js";
import type { CalculatorPipeline } from "../pipeline/pipeline.js";
import type { HttpExchange } from "./http-exchange.js";

/** A protocol's unary wire format. */
export interface UnaryWireFormat {
  /** The largest body accepted. */
  readonly maxBodyBytes: number;
  /** The request in a body, or the CallError that stands in for it. */
  decode(body: Buffer): BinaryOperation | CallError;
  /** The response: status, headers and body. */
  answer(response: CalculationResult): { status: number; headers: OutgoingHttpHeaders; body: Uint8Array };
  /** A failed call's response. */
  fail(error: CallError): { status: number; headers: OutgoingHttpHeaders; body: Uint8Array };
}

const DEADLINE_EXCEEDED = new CallError(status.DEADLINE_EXCEEDED, "Deadline exceeded");

/**
 * Serves one unary call. `context` carries its deadline; `extraHeaders` (CORS) go on the response.
 * The call passes through the pipeline exactly once, whatever happens on the wire.
 */
export function serveUnary(
  pipeline: CalculatorPipeline,
  exchange: HttpExchange,
  context: CallContext & { abort(reason: unknown): void },
  format: UnaryWireFormat,
  extraHeaders: OutgoingHttpHeaders | undefined,
): void {
  let done = false;
  const finish = (input: Buffer | CallError): void => {
    if (done) return;
    done = true;
    clearTimeout(deadline);
    if (input instanceof CallError) context.abort(input);
    const request = input instanceof CallError ? input : format.decode(input);
    let reply: ReturnType<UnaryWireFormat["answer"]>;
    try {
      reply = format.answer(pipeline.calculate(request, context));
    } catch (error) {
      reply = format.fail(toCallError(error));
    }
    exchange.respond(
      reply.status,
      extraHeaders === undefined ? reply.headers : { ...reply.headers, ...extraHeaders },
      reply.body,
    );
  };
  const remainingMs = context.deadline - Date.now();
  const deadline = Number.isFinite(remainingMs) ? setTimeout(() => finish(DEADLINE_EXCEEDED), remainingMs) : undefined;
  exchange.readBody(format.maxBodyBytes, finish);
}
