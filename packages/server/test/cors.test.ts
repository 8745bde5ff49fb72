// CORS, closed by default: browsers on other origins may call only when CORS_ALLOWED_ORIGINS admits them.
import { cors } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer, StartServerOptions } from "../src/index.js";
import { startTestServer } from "./helpers.js";
import { httpVersions } from "./web-http.js";

const app = "https://app.example.com";
const call = { "content-type": "application/json" };
const body = '{"firstOperand": 2, "secondOperand": 3}';
const preflight = {
  origin: app,
  "access-control-request-method": "POST",
  "access-control-request-headers": "content-type,connect-protocol-version",
};

function serve(options: StartServerOptions): { server: RunningServer } {
  const served = {} as { server: RunningServer };
  beforeAll(async () => {
    served.server = await startTestServer(options);
  });
  afterAll(() => served.server.shutdown());
  return served;
}

describe.each(httpVersions)("CORS over %s", (_version, send) => {
  describe("closed by default", () => {
    const served = serve({});

    it("refuses a call from any browser origin with 403, and its preflight too", async () => {
      const refused = await send(served.server.port, { headers: { ...call, origin: app }, body });
      expect(refused.status).toBe(403);
      expect(refused.body.toString()).toContain(`origin ${app} is not allowed`);
      const preflightAnswer = await send(served.server.port, { method: "OPTIONS", headers: preflight });
      expect(preflightAnswer.status).toBe(403);
      expect(preflightAnswer.headers["access-control-allow-origin"]).toBeUndefined();
    });

    it("serves callers that are not browsers (no Origin header)", async () => {
      const answer = await send(served.server.port, { headers: call, body });
      expect(answer.status).toBe(200);
      expect(answer.headers["access-control-allow-origin"]).toBeUndefined();
    });
  });

  describe("with CORS_ALLOWED_ORIGINS listing an origin", () => {
    const served = serve({ corsAllowedOrigins: new Set([app]) });

    it("answers its preflight with the methods and headers Connect and gRPC-Web need", async () => {
      const answer = await send(served.server.port, { method: "OPTIONS", headers: preflight });
      expect(answer.status).toBe(204);
      expect(answer.headers).toMatchObject({
        "access-control-allow-origin": app,
        "access-control-allow-methods": cors.allowedMethods.join(", "),
        "access-control-max-age": "7200",
        vary: "Origin",
      });
      const allowed = String(answer.headers["access-control-allow-headers"]).split(", ");
      expect(allowed).toEqual(expect.arrayContaining([...cors.allowedHeaders, "authorization", "traceparent"]));
    });

    it("lets its calls through and exposes grpc-status and grpc-message to its scripts", async () => {
      const answer = await send(served.server.port, { headers: { ...call, origin: app }, body });
      expect(answer.status).toBe(200);
      expect(answer.body.toString()).toBe('{"result":5}');
      expect(answer.headers["access-control-allow-origin"]).toBe(app);
      expect(String(answer.headers["access-control-expose-headers"]).split(", ")).toEqual(
        expect.arrayContaining(["Grpc-Status", "Grpc-Message"]),
      );
    });

    it("adds the same headers to calls connect-es serves (a gzip-compressed body)", async () => {
      const { gzipSync } = await import("node:zlib");
      const answer = await send(served.server.port, {
        headers: { ...call, origin: app, "content-encoding": "gzip" },
        body: gzipSync(body),
      });
      expect(answer.status).toBe(200);
      expect(answer.headers["access-control-allow-origin"]).toBe(app);
    });

    it("refuses other origins", async () => {
      const answer = await send(served.server.port, { headers: { ...call, origin: "https://evil.example" }, body });
      expect(answer.status).toBe(403);
    });

    it("answers a flood of preflights, and calls still work after it", async () => {
      const answers = await Promise.all(
        Array.from({ length: 300 }, () => send(served.server.port, { method: "OPTIONS", headers: preflight })),
      );
      expect(answers.every((answer) => answer.status === 204)).toBe(true);
      const call2 = await send(served.server.port, { headers: { ...call, origin: app }, body });
      expect(call2.status).toBe(200);
    });
  });

  describe("with CORS_ALLOWED_ORIGINS=*", () => {
    const served = serve({ corsAllowedOrigins: "*" });

    it("admits any origin, naming it in Access-Control-Allow-Origin", async () => {
      const answer = await send(served.server.port, { headers: { ...call, origin: "http://localhost:5173" }, body });
      expect(answer.status).toBe(200);
      expect(answer.headers["access-control-allow-origin"]).toBe("http://localhost:5173");
    });
  });
});
