// The unary `Calculate(2 + 3)` call in each protocol a server can serve on its one port (gRPC, Connect
// with JSON, gRPC-Web, and ours alone: REST GET and POST from the contract's google.api.http rule): the
// request h2load sends (headers and a prebuilt body, none for a GET), and the check that an answer is
// right, made once against every server before any load is timed against it.
import { createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { BinaryOperation, CalculationResult, fileDescriptorSet, operationToJSON } from "@grpc-calculator/proto";
import { httpBindings, type HttpBinding } from "@grpc-calculator/rpc-server/rest";
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

export type ScenarioKey = "grpc" | "connect-json" | "grpc-web" | "rest-get" | "rest-post";

export interface UnaryScenario {
  key: ScenarioKey;
  label: string;
  /** The protocol as the server's log lines name it (`"protocol"`). */
  protocol: "grpc" | "connect" | "grpc-web" | "rest";
  path: string;
  /** Request headers besides the pseudo-headers (h2load adds its own user-agent and content-length). */
  headers: Readonly<Record<string, string>>;
  /** The POST body; undefined for a GET. */
  body: Buffer | undefined;
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

/** Throws, naming the protocol, unless `answer` is HTTP 200, JSON, carrying `{"result":5}`. */
function checkJsonResult(name: string, answer: Http2Answer): void {
  let result: unknown;
  try {
    result = (JSON.parse(answer.body.toString("utf8")) as { result?: unknown }).result;
  } catch {
    result = undefined;
  }
  const type = String(answer.headers["content-type"]);
  if (answer.status !== 200 || !type.startsWith("application/json") || result !== expectedResult)
    throw new Error(`${name}: ${describe(answer)}; expected HTTP 200 and {"result":${expectedResult}}`);
}

/** The sample operation in proto3 JSON (lowerCamel names, the enum by name). */
const sampleJson = BinaryOperation.toJSON(sampleOperation) as Record<string, unknown>;
sampleJson.operation = operationToJSON(sampleOperation.operation);

/** Connect's unary protocol with proto3 JSON, as `curl -H 'content-type: application/json' -d …` sends it. */
export const connectJsonUnary: UnaryScenario = {
  key: "connect-json",
  label: "Connect unary, JSON (application/json)",
  protocol: "connect",
  path: calculatePath,
  headers: { "content-type": "application/json" },
  body: Buffer.from(JSON.stringify(sampleJson)),
  check: (answer) => checkJsonResult("Connect JSON", answer),
};

/**
 * Calculate's REST bindings, read from the contract's google.api.http rule by the engine's own reader (the
 * paths are the contract's, not written here): its GET route with the operation in the query, and its
 * POST route with the operation as the JSON body.
 */
const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, fileDescriptorSet));
function restBinding(httpMethod: "GET" | "POST"): HttpBinding {
  const [, service = "", name = ""] = calculatePath.split("/");
  const method = registry.getService(service)?.methods.find((candidate) => candidate.name === name);
  const binding = method && httpBindings(method, registry).find((b) => b.httpMethod === httpMethod);
  if (!binding || binding.template.variables.length > 0 || (httpMethod === "POST" && binding.body !== "*")) {
    throw new Error(`the bench expects ${calculatePath} to have a plain ${httpMethod} route (google.api.http)`);
  }
  return binding;
}

const restGet = restBinding("GET");
/** `first_operand=2&second_operand=3&operation=ADD`: the fields by their proto names, as the README's curl line. */
const sampleQuery = new URLSearchParams(
  restGet.method.input.fields.map((field): [string, string] => [field.name, String(sampleJson[field.jsonName])]),
).toString();

/** REST GET of Calculate (google.api.http), the operation in the query string, as a browser's address bar sends it. */
export const restGetUnary: UnaryScenario = {
  key: "rest-get",
  label: `REST GET ${restGet.template.pattern}?…`,
  protocol: "rest",
  path: `${restGet.template.pattern}?${sampleQuery}`,
  headers: {},
  body: undefined,
  check: (answer) => checkJsonResult("REST GET", answer),
};

const restPost = restBinding("POST");
/** REST POST of Calculate (google.api.http, `body: "*"`), the operation as the JSON body. */
export const restPostUnary: UnaryScenario = {
  key: "rest-post",
  label: `REST POST ${restPost.template.pattern}`,
  protocol: "rest",
  path: restPost.template.pattern,
  headers: { "content-type": "application/json" },
  body: Buffer.from(JSON.stringify(sampleJson)),
  check: (answer) => checkJsonResult("REST POST", answer),
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

/** The protocols every server of the bench speaks (connect-node too): gRPC, Connect JSON, gRPC-Web. */
export const unaryScenarios: readonly UnaryScenario[] = [grpcUnary, connectJsonUnary, grpcWebUnary];

/** What only ours serves: the REST routes the engine transcodes from google.api.http. */
export const restScenarios: readonly UnaryScenario[] = [restGetUnary, restPostUnary];

/** Makes the scenario's call once on a fresh connection and checks the answer; resolves with its time in ms. */
export async function callOnce(port: number, scenario: UnaryScenario, timeoutMs = 5_000): Promise<number> {
  const began = performance.now();
  const answer = await http2Call(port, scenario.path, scenario.headers, scenario.body, timeoutMs);
  const ms = performance.now() - began;
  scenario.check(answer);
  return ms;
}
