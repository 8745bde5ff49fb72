/**
 * Hostile and malformed input for REST (calculator.proto's google.api.http routes: GET and POST
 * /v1/calculate), in the hostile-cases.ts table shape, part of the web cases. Each case is sent over
 * h2c and over HTTP/1.1 and must get, on both, the HTTP status and the google.rpc.Status code it
 * names (and the words its message must contain); `runCase` then checks that 2 + 3 still answers 5.
 */
import { status } from "@grpc/grpc-js";
import { limits } from "@grpc-calculator/server";
import type { CaseResult, HostileCase } from "./hostile-cases.js";
import { describeWeb, webRequestHttp1, webRequestOnce, type WebOutcome, type WebRequest } from "./web-client.js";

const json = { "content-type": "application/json" };
const calculate = "/v1/calculate";

/**
 * What a REST answer must be: HTTP 200 with a body; or a status with google.rpc.Status's code and
 * words of its message; or (a path no route matches) only the status the other protocols give it.
 */
type RestExpectation =
  | { readonly httpStatus: 200; readonly body: string }
  | { readonly httpStatus: number; readonly code: number; readonly says?: string }
  | { readonly httpStatus: number };

function statusOf(outcome: WebOutcome): { code?: number; message?: string } {
  if (outcome.kind !== "response") return {};
  try {
    return JSON.parse(outcome.body.toString()) as { code?: number; message?: string };
  } catch {
    return {};
  }
}

function meets(outcome: WebOutcome, expectation: RestExpectation): boolean {
  if (outcome.kind !== "response" || outcome.httpStatus !== expectation.httpStatus) return false;
  if ("body" in expectation) return outcome.body.toString() === expectation.body;
  if (!("code" in expectation)) return true;
  const { code, message } = statusOf(outcome);
  return code === expectation.code && (expectation.says === undefined || (message ?? "").includes(expectation.says));
}

function restCase(name: string, request: WebRequest, expectation: RestExpectation): HostileCase {
  const expected =
    "body" in expectation
      ? `HTTP 200 ${expectation.body}`
      : "code" in expectation
        ? `HTTP ${expectation.httpStatus}, google.rpc.Status ${status[expectation.code]}` +
          `${expectation.says === undefined ? "" : ` saying "${expectation.says}"`}`
        : `HTTP ${expectation.httpStatus}, as for any unknown path`;
  return {
    kind: "web",
    name: `REST: ${name}`,
    expected: `${expected}, over h2c and HTTP/1.1`,
    async run(target): Promise<CaseResult> {
      const outcomes = [await webRequestOnce(target, request), await webRequestHttp1(target, request)];
      const codes = outcomes.map((o) => statusOf(o).code).filter((c): c is number => c !== undefined);
      return {
        passed: outcomes.every((outcome) => meets(outcome, expectation)),
        observed: outcomes.map((o, i) => `${i === 0 ? "h2c" : "HTTP/1.1"}: ${describeWeb(o)}`).join("; "),
        statuses: codes,
      };
    },
  };
}

const get = (query: string, headers: Record<string, string> = {}): WebRequest => ({
  method: "GET",
  path: `${calculate}${query}`,
  headers,
});
const post = (body: string, headers: Record<string, string> = json): WebRequest => ({
  path: calculate,
  headers,
  body: [Buffer.from(body)],
});
const invalid = (says: string): RestExpectation => ({ httpStatus: 400, code: status.INVALID_ARGUMENT, says });
const notFound: RestExpectation = { httpStatus: 404 };

export const restCases: readonly HostileCase[] = [
  restCase(
    "a query string over the 8 KiB limit",
    get(`?first_operand=2&second_operand=3&padding=${"a".repeat(9000)}`),
    { httpStatus: 414, code: status.RESOURCE_EXHAUSTED, says: "more than the limit of 8192" },
  ),
  restCase("a malformed percent-escape in the query", get("?first_operand=%zz"), invalid("malformed query string")),
  restCase(
    "invalid UTF-8 in the query (an overlong '.')",
    get("?first_operand=%C0%AE"),
    invalid("malformed query string"),
  ),
  restCase(
    "unknown query parameters",
    get("?first_operand=2&precision=3&colour=red"),
    invalid('unknown query parameters "precision", "colour"'),
  ),
  restCase(
    "a singular parameter given twice",
    get("?first_operand=2&first_operand=3"),
    invalid('query parameter "first_operand" is given more than once'),
  ),
  restCase(
    "a parameter given under both its names",
    get("?first_operand=2&firstOperand=3"),
    invalid("is given more than once"),
  ),
  restCase("an operand that is not a number", get("?first_operand=two"), invalid("query parameter first_operand")),
  restCase("an operand beyond float32 (1e39)", get("?first_operand=1e39"), invalid("query parameter first_operand")),
  restCase("an operation the contract lacks", get("?operation=POWER"), invalid("query parameter operation")),
  restCase("an operation number outside the enum", get("?operation=7"), invalid("operation 7 is not a known")),
  restCase("a malformed grpc-timeout", get("?first_operand=2", { "grpc-timeout": "soon" }), invalid("grpc-timeout")),
  restCase("path traversal (/v1/x/../calculate)", { method: "GET", path: "/v1/x/../calculate" }, notFound),
  restCase(
    "an encoded slash in a literal segment (/v1%2Fcalculate)",
    { method: "GET", path: "/v1%2Fcalculate" },
    notFound,
  ),
  restCase(
    "encoded dot segments (/v1/%2e%2e/v1/calculate)",
    { method: "GET", path: "/v1/%2e%2e/v1/calculate" },
    notFound,
  ),
  restCase(
    "an encoded unreserved letter, the same resource (/v1/calcul%61te)",
    { method: "GET", path: "/v1/calcul%61te?first_operand=2&second_operand=3" },
    { httpStatus: 200, body: '{"result":5}' },
  ),
  restCase(
    "a body on GET",
    { method: "GET", path: calculate, headers: { ...json, "content-length": "2" }, body: [Buffer.from("{}")] },
    invalid("GET /v1/calculate takes no request body"),
  ),
  restCase(
    "the wrong HTTP method (DELETE)",
    { method: "DELETE", path: calculate },
    { httpStatus: 405, code: status.UNIMPLEMENTED, says: "it takes GET, POST" },
  ),
  restCase(
    "a form body (curl -d's default content type)",
    post("first_operand=2", { "content-type": "application/x-www-form-urlencoded" }),
    { httpStatus: 415, code: status.INVALID_ARGUMENT, says: "must be JSON" },
  ),
  restCase("JSON that does not parse", post('{"firstOperand": 2,'), invalid("cannot decode message")),
  restCase("JSON that is not an object", post("[2, 3]"), invalid("cannot decode message")),
  restCase(
    "a JSON field the contract lacks",
    post('{"firstOperand": 2, "precision": 3}'),
    invalid('key "precision" is unknown'),
  ),
  restCase("a JSON field given twice", post('{"firstOperand": 2, "firstOperand": 3}'), invalid("firstOperand")),
  restCase(
    `a body over the ${limits.MAX_RECEIVE_MESSAGE_BYTES / 1024} KiB message limit`,
    post(`{"firstOperand": 2${" ".repeat(limits.MAX_RECEIVE_MESSAGE_BYTES)}}`),
    { httpStatus: 413, code: status.RESOURCE_EXHAUSTED, says: "is larger than configured readMaxBytes" },
  ),
  restCase(
    "a body declaring 1 GiB, left open",
    { path: calculate, headers: { ...json, "content-length": String(2 ** 30) }, body: [], endStream: false },
    { httpStatus: 413, code: status.RESOURCE_EXHAUSTED, says: "1073741824" },
  ),
];
