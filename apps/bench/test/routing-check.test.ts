import { expect, test } from "vitest";
import { readRouting, type LoggedCall } from "../src/routing-check.js";
import { connectJsonUnary, grpcUnary, grpcWebUnary } from "../src/unary-scenarios.js";

const start = (protocolRouter: boolean) =>
  JSON.stringify({ severity: "INFO", protocolRouter, message: "listening on 127.0.0.1:1" });
const line = (protocol: string, servedBy: string) =>
  JSON.stringify({ severity: "DEBUG", method: "/Calculator/Calculate", protocol, servedBy, message: "calculated" });
const direct: LoggedCall[] = [
  { scenario: grpcUnary, log: `${line("grpc", "direct")}\n` },
  { scenario: connectJsonUnary, log: `${line("connect", "direct")}\n` },
  { scenario: grpcWebUnary, log: `${line("grpc-web", "direct")}\n` },
];

test("every call answered by the direct path, in the protocol it was made in, with the router engaged", () => {
  const routing = readRouting(`${start(true)}\n`, direct);
  expect(routing.allDirect).toBe(true);
  expect(routing.calls.map((c) => [c.scenario, c.protocol, c.servedBy])).toEqual([
    ["grpc", "grpc", "direct"],
    ["connect-json", "connect", "direct"],
    ["grpc-web", "grpc-web", "direct"],
  ]);
});

test("a router that did not engage, a call grpc-js served, a wrong answer or no line is not all direct", () => {
  expect(readRouting(start(false), direct)).toMatchObject({ protocolRouter: false, allDirect: false });
  expect(readRouting("", direct)).toMatchObject({ protocolRouter: undefined, allDirect: false });
  const viaGrpcJs = [{ scenario: grpcUnary, log: line("grpc", "grpc-js") }, ...direct.slice(1)];
  expect(readRouting(start(true), viaGrpcJs)).toMatchObject({
    allDirect: false,
    calls: [{ servedBy: "grpc-js" }, { servedBy: "direct" }, { servedBy: "direct" }],
  });
  const refused = [...direct.slice(0, 1), { scenario: connectJsonUnary, log: "", failure: "HTTP 415" }];
  expect(readRouting(start(true), refused)).toMatchObject({
    allDirect: false,
    calls: [{ servedBy: "direct" }, { servedBy: undefined, failure: "HTTP 415" }],
  });
});
