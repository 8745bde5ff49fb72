// Raw gRPC over HTTP/2 for the load tools and probes: length-prefixed frames, and one call made with
// node:http2 so a server can be checked (and timed) without any gRPC library's connection backoff.
import http2 from "node:http2";
import { BinaryOperation, CalculationResult, CalculatorService, Operation } from "@grpc-calculator/proto";

/** gRPC's 5-byte message prefix (compressed flag 0, big-endian length) followed by the message. */
export function frame(message: Uint8Array): Buffer {
  const out = Buffer.alloc(5 + message.length);
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

/** Splits a response body into its messages. */
export function unframe(body: Buffer): Buffer[] {
  const messages: Buffer[] = [];
  let offset = 0;
  while (offset + 5 <= body.length) {
    const length = body.readUInt32BE(offset + 1);
    messages.push(body.subarray(offset + 5, offset + 5 + length));
    offset += 5 + length;
  }
  return messages;
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

/** One gRPC call with prior-knowledge HTTP/2 over loopback; rejects on connection errors or timeout. */
export function rawCall(port: number, path: string, body: Buffer, timeoutMs: number): Promise<RawCallResult> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const timer = setTimeout(() => finish(new Error(`no answer from ${path} within ${timeoutMs} ms`)), timeoutMs);
    let settled = false;
    function finish(error: Error | undefined, result?: RawCallResult): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      if (error) reject(error);
      else resolve(result!);
    }
    session.on("error", (error: Error) => finish(error));
    const request = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc",
      te: "trailers",
    });
    const chunks: Buffer[] = [];
    let headers: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    request.on("response", (h: http2.IncomingHttpHeaders) => (headers = h));
    request.on("trailers", (t: http2.IncomingHttpHeaders) => (trailers = t));
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("error", (error: Error) => finish(error));
    request.on("end", () => {
      const header = (name: string): string | undefined => {
        const value = trailers[name] ?? headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      finish(undefined, {
        httpStatus: Number(headers[":status"]),
        grpcStatus: header("grpc-status"),
        grpcMessage: header("grpc-message"),
        messages: unframe(Buffer.concat(chunks)),
      });
    });
    request.end(body);
  });
}

/**
 * Checks that `port` answers the load's request body the way the load assumes: `count` results of 5 and
 * grpc-status 0. Throws with what came back otherwise, so no load is ever timed against errors.
 */
export async function verifyCalculate(port: number, path: string, body: Buffer, count: number): Promise<void> {
  const answer = await rawCall(port, path, body, 5_000);
  const results = answer.messages.map((m) => CalculationResult.decode(m).result);
  if (answer.grpcStatus !== "0" || results.length !== count || results.some((r) => r !== expectedResult)) {
    throw new Error(
      `${path} answered HTTP ${answer.httpStatus}, grpc-status ${answer.grpcStatus} ` +
        `(${answer.grpcMessage ?? ""}), results [${results.slice(0, 3).join(", ")}${results.length > 3 ? ", …" : ""}] ` +
        `(${results.length}); expected ${count} × ${expectedResult} and grpc-status 0`,
    );
  }
}
