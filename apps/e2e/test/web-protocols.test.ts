// The container answers browsers, curl and fetch on its one port: Connect (JSON and binary) and
// gRPC-Web over HTTP/1.1 and h2c directly, and over TLS HTTP/2 through the nginx front end, as on Cloud
// Run. Clients: Node's fetch (as a curl or edge-runtime user would call), and buf curl, an independent
// Go implementation of all three protocols. CORS is configured through the environment.
import { CalculatorService } from "@grpc-calculator/proto";
import { BadRequest, ErrorInfo } from "@grpc-calculator/proto/errors";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { bufCurl, publishedProto } from "../src/buf-curl.js";
import { type ServerContainer, startServerContainer } from "../src/server-container.js";
import { startTlsFrontEnd, type TlsFrontEnd } from "../src/tls-front-end.js";

const e2e = inject("e2e");
const appOrigin = "https://app.example.com";
const tutorialRequest = { first_operand: 2.0, second_operand: 3.0, operation: "ADD" };

describe.skipIf(e2e.skip)("web protocols from the container", () => {
  let server: ServerContainer;
  let frontEnd: TlsFrontEnd;
  let calculateUrl: string;

  beforeAll(async () => {
    server = await startServerContainer(e2e.image, e2e.runId, { env: { CORS_ALLOWED_ORIGINS: appOrigin } });
    frontEnd = await startTlsFrontEnd(server.address, e2e.runId);
    calculateUrl = `http://${server.address}${CalculatorService.calculate.path}`;
  });
  afterAll(async () => {
    await frontEnd?.stop();
    await server?.container.stop({ timeout: 10_000 });
  });

  it('answers the README\'s curl line with fetch (HTTP/1.1, JSON): {"result":5}', async () => {
    const response = await fetch(calculateUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ firstOperand: 2, secondOperand: 3, operation: "ADD" }),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('{"result":5}');
  });

  it("answers a division by zero with a Connect error body, its details and HTTP 400", async () => {
    const response = await fetch(calculateUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ firstOperand: 1, secondOperand: 0, operation: "DIVIDE" }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as {
      code: string;
      message: string;
      details: { type: string; value: string }[];
    };
    expect(body).toMatchObject({ code: "invalid_argument", message: "division by zero: second_operand is 0" });
    // Connect's details: each a type name and the message's bytes, base64.
    const bytes = (type: string) => Buffer.from(body.details.find((d) => d.type === type)?.value ?? "", "base64");
    expect(ErrorInfo.decode(bytes(ErrorInfo.$type))).toMatchObject({
      domain: "calculator",
      reason: "DIVISION_BY_ZERO",
    });
    expect(BadRequest.decode(bytes(BadRequest.$type)).fieldViolations).toMatchObject([{ field: "second_operand" }]);
  });

  it.each([
    ["connect", "1.1"],
    ["connect", "2"],
    ["grpcweb", "1.1"],
    ["grpcweb", "2"],
    ["grpc", "2"],
  ] as const)("answers buf curl --protocol %s over HTTP/%s: 2 + 3 = 5", async (protocol, httpVersion) => {
    expect(await bufCurl(calculateUrl, tutorialRequest, { schema: publishedProto, protocol, httpVersion })).toEqual({
      result: 5,
    });
  });

  it.each(["connect", "grpcweb", "grpc"] as const)(
    "answers buf curl --protocol %s through the TLS front end (HTTP/2): 2 + 3 = 5",
    async (protocol) => {
      const url = `${frontEnd.url}${CalculatorService.calculate.path}`;
      expect(
        await bufCurl(url, tutorialRequest, { schema: publishedProto, protocol, caFile: frontEnd.caFile }),
      ).toEqual({
        result: 5,
      });
    },
  );

  it("admits the origin CORS_ALLOWED_ORIGINS lists, and refuses others", async () => {
    const preflight = await fetch(calculateUrl, {
      method: "OPTIONS",
      headers: {
        origin: appOrigin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(appOrigin);
    const refused = await fetch(calculateUrl, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example" },
      body: "{}",
    });
    expect(refused.status).toBe(403);
  });
});
