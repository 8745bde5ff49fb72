// The unary `Calculate(2 + 3)` call in each protocol a server can serve on its one port (gRPC, Connect
// with JSON, gRPC-Web): the request h2load sends (headers and a prebuilt body), and the check that an
// answer is right, made once against every server before any load is timed against it.
import { CalculationResult, operationToJSON } from "@grpc-calculator/proto";
import { http2Call, type Http2Answer } from "./http2-call.js";
import {
  asGrpc,
  calculatePath,
  checkGrpcAnswer,
  envelopes,
  expectedResult,
  grpcRequestHeaders,
  sampleOperation,
  unaryBody,
} from "./grpc-wire.js";

export type ScenarioKey = "grpc" | "connect-json" | "grpc-web";

export interface UnaryScenario {
  key: ScenarioKey;
  label: string;
  /** The protocol as the server's log lines name it (`"protocol"`). */
  protocol: "grpc" | "connect" | "grpc-web";
  path: string;
  /** Request headers besides the pseudo-headers (h2load adds its own user-agent and content-length). */
  headers: Readonly<Record<string, string>>;
  body: Buffer;
  /** Throws, saying what came back, unless `answer` is HTTP 200 carrying result 5 (and grpc-status 0). */
  check(answer: Http2Answer): void;
}

const describe = (answer: Http2Answer): string =>
  `HTTP ${answer.status}, ${JSON.stringify(answer.headers["content-type"])}, body ${JSON.stringify(answer.body.toString("latin1").slice(0, 200))}`;

export const grpcUnary: UnaryScenario = {
  key: "grpc",
  label: "gRPC unary (application/grpc)",
  protocol: "grpc",
  path: calculatePath,
  headers: grpcRequestHeaders,
  body: unaryBody(),
  check: (answer) => checkGrpcAnswer(calculatePath, asGrpc(answer), 1),
};

/** Connect's unary protocol with proto3 JSON, as `curl -H 'content-type: application/json' -d …` sends it. */
export const connectJsonUnary: UnaryScenario = {
  key: "connect-json",
  label: "Connect unary, JSON (application/json)",
  protocol: "connect",
  path: calculatePath,
  headers: { "content-type": "application/json" },
  body: Buffer.from(
    JSON.stringify({
      firstOperand: sampleOperation.firstOperand,
      secondOperand: sampleOperation.secondOperand,
      operation: operationToJSON(sampleOperation.operation),
    }),
  ),
  check(answer) {
    let result: unknown;
    try {
      result = (JSON.parse(answer.body.toString("utf8")) as { result?: unknown }).result;
    } catch {
      result = undefined;
    }
    const type = String(answer.headers["content-type"]);
    if (answer.status !== 200 || !type.startsWith("application/json") || result !== expectedResult)
      throw new Error(`Connect JSON: ${describe(answer)}; expected HTTP 200 and {"result":${expectedResult}}`);
  },
};

/** The trailer frame of a gRPC-Web body (flag 0x80): HTTP/1-style header lines. */
function grpcWebTrailer(data: Buffer): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of data.toString("latin1").split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) fields[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return fields;
}

/** gRPC-Web as browsers' clients send it: the same enveloped message as gRPC, status in a trailer frame. */
export const grpcWebUnary: UnaryScenario = {
  key: "grpc-web",
  label: "gRPC-Web unary (application/grpc-web+proto)",
  protocol: "grpc-web",
  path: calculatePath,
  headers: { "content-type": "application/grpc-web+proto" },
  body: unaryBody(),
  check(answer) {
    const frames = envelopes(answer.body);
    const messages = frames.filter((f) => (f.flags & 0x80) === 0);
    const trailer = frames.find((f) => (f.flags & 0x80) !== 0);
    const grpcStatus = trailer === undefined ? undefined : grpcWebTrailer(trailer.data)["grpc-status"];
    const results = messages.map((m) => CalculationResult.decode(m.data).result);
    if (answer.status !== 200 || grpcStatus !== "0" || results.length !== 1 || results[0] !== expectedResult)
      throw new Error(
        `gRPC-Web: ${describe(answer)}; expected HTTP 200, one result ${expectedResult}, trailer grpc-status 0`,
      );
  },
};

export const unaryScenarios: readonly UnaryScenario[] = [grpcUnary, connectJsonUnary, grpcWebUnary];

/** Makes the scenario's call once on a fresh connection and checks the answer; resolves with its time in ms. */
export async function callOnce(port: number, scenario: UnaryScenario, timeoutMs = 5_000): Promise<number> {
  const began = performance.now();
  const answer = await http2Call(port, scenario.path, scenario.headers, scenario.body, timeoutMs);
  const ms = performance.now() - began;
  scenario.check(answer);
  return ms;
}
