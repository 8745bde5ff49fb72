// The API reference page (api.html: Swagger UI over the OpenAPI document @grpc-calculator/proto publishes) in
// a real browser: the built page served from its own loopback origin, its try-it form calling this repository's
// server (started in-process: the REST routes are ours, not Connect's) cross-origin with CORS, driven as a
// person would. Screenshots go to .results/.
import { mkdirSync } from "node:fs";
import { createLogger, type RunningServer, startServer } from "@grpc-calculator/server";
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ApiPage, CalculatorPage, launchChromium, serveStatic, webDist } from "../testing/index.js";

let browser: Browser;
let site: Awaited<ReturnType<typeof serveStatic>>;
let server: RunningServer;
let service: string;
const opened: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  mkdirSync(".results", { recursive: true });
  site = await serveStatic(webDist);
  server = await startServer({
    host: "127.0.0.1",
    port: 0,
    logger: createLogger({ level: "silent" }),
    corsAllowedOrigins: new Set([site.url]),
  });
  service = `http://127.0.0.1:${server.port}`;
  browser = await launchChromium();
});
afterEach(async () => {
  for (const page of opened.splice(0)) await page.close();
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([site?.close(), server?.shutdown()]);
});

const open = async () => {
  const page = await ApiPage.open(browser, site.url, { service });
  opened.push(page);
  return page;
};

describe("the API reference page in Chromium against the server", () => {
  it("tries Calculate through its form (GET /v1/calculate) against the configured service: 2 + 3 = 5", async () => {
    const page = await open();
    expect(await page.servers()).toEqual([service]);
    expect(await page.operations()).toEqual(expect.arrayContaining(["GET /v1/calculate", "POST /v1/calculate"]));
    const answer = await page.tryIt("GET", "/v1/calculate", {
      parameters: { firstOperand: "2", secondOperand: "3", operation: "ADD" },
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ result: 5 });
    await page.screenshot(".results/api-try-it.png", { method: "GET", path: "/v1/calculate" });
    // Everything the page needs is in the build: no font, script or validator from anywhere else.
    const origins = new Set(page.requests.map((url) => new URL(url).origin));
    expect([...origins].sort()).toEqual([site.url, service].sort());
  });

  it("POST /v1/calculate with a JSON body typed over the example", async () => {
    const page = await open();
    const answer = await page.tryIt("POST", "/v1/calculate", {
      body: JSON.stringify({ firstOperand: 10, secondOperand: 4, operation: "DIVIDE" }),
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ result: 2.5 });
  });

  it("shows a division by zero as HTTP 400 with the BadRequest violation naming second_operand", async () => {
    const page = await open();
    const answer = await page.tryIt("GET", "/v1/calculate", {
      parameters: { firstOperand: "1", secondOperand: "0", operation: "DIVIDE" },
    });
    expect(answer.status).toBe(400);
    // google.rpc.Status as JSON: the code, the message, and a BadRequest among its details.
    const status = JSON.parse(answer.body) as { code: number; message: string; details: Record<string, unknown>[] };
    expect(status).toMatchObject({ code: 3, message: "division by zero: second_operand is 0" });
    const badRequest = status.details.find((detail) => detail["@type"] === "type.googleapis.com/google.rpc.BadRequest");
    expect(badRequest).toMatchObject({ fieldViolations: [{ field: "second_operand" }] });
    await page.screenshot(".results/api-division-by-zero.png", { method: "GET", path: "/v1/calculate" });
  });

  it("is linked from the calculator page, for the same service", async () => {
    const calculator = await CalculatorPage.open(browser, site.url, { service });
    opened.push(calculator);
    const page = await ApiPage.follow(calculator.page, "API reference");
    expect(await page.servers()).toEqual([service]);
  });
});
