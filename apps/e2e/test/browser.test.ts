// The calculator page (apps/web) in a real browser — Debian's Chromium driven by playwright-core — against
// the real container: the page served from its own loopback origin, calling the service cross-origin
// (CORS_ALLOWED_ORIGINS) over HTTP/1.1 directly and over TLS HTTP/2 through the nginx front end (as on Cloud
// Run), with the Connect and the gRPC-Web transport, driven as a person would. An origin the service does not
// admit is refused. The API reference page's try-it form calls the container's REST route. Screenshots go to
// .results/. Also: the SDK's web entry from Node's fetch (edge runtimes).
import { join } from "node:path";
import { createCalculatorClient, grpcWebProtocol } from "@grpc-calculator/client/web";
import { ApiPage, CalculatorPage, launchChromium, serveStatic, webDist } from "@grpc-calculator/web/testing";
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { resultsDir } from "../src/paths.js";
import { type ServerContainer, startServerContainer } from "../src/server-container.js";
import { startTlsFrontEnd, type TlsFrontEnd } from "../src/tls-front-end.js";

const e2e = inject("e2e");

describe.skipIf(e2e.skip)("the calculator page in Chromium against the container", () => {
  let browser: Browser;
  let site: Awaited<ReturnType<typeof serveStatic>>;
  let server: ServerContainer;
  let closedServer: ServerContainer;
  let frontEnd: TlsFrontEnd;
  const opened: (CalculatorPage | ApiPage)[] = [];

  beforeAll(async () => {
    site = await serveStatic(webDist);
    [server, closedServer] = await Promise.all([
      startServerContainer(e2e.image, e2e.runId, { env: { CORS_ALLOWED_ORIGINS: site.url } }),
      startServerContainer(e2e.image, e2e.runId),
    ]);
    frontEnd = await startTlsFrontEnd(server.address, e2e.runId);
    browser = await launchChromium();
  });
  afterEach(async () => {
    for (const page of opened.splice(0)) await page.close();
  });
  afterAll(async () => {
    await browser?.close();
    await frontEnd?.stop();
    await Promise.all([server?.container.stop({ timeout: 10_000 }), closedServer?.container.stop({ timeout: 10_000 })]);
    await site?.close();
  });

  const open = async (config: Parameters<typeof CalculatorPage.open>[2]) => {
    const page = await CalculatorPage.open(browser, site.url, config);
    opened.push(page);
    return page;
  };

  describe.each([
    ["HTTP/1.1, directly", () => `http://${server.address}`, false],
    ["TLS HTTP/2 through the front end", () => frontEnd.url, true],
  ])("%s", (_route, service, ignoreHTTPSErrors) => {
    it.each(["connect", "grpc-web"] as const)(
      "over %s: types, clicks, reads the answer and the service's error",
      async (protocol) => {
        const page = await open({ service: service(), protocol, ignoreHTTPSErrors });
        expect(await page.calculate("10", "DIVIDE", "4")).toBe("10 ÷ 4 = 2.5");
        expect(await page.calculate("1", "DIVIDE", "0")).toBe(
          "The service says: division by zero: second_operand is 0",
        );
        await page.screenshot(join(resultsDir, `browser-${protocol}-${ignoreHTTPSErrors ? "tls-h2" : "http1"}.png`));
      },
    );
  });

  it("the API reference page: Calculate tried through its form (GET /v1/calculate) through the front end", async () => {
    const page = await ApiPage.open(browser, site.url, { service: frontEnd.url, ignoreHTTPSErrors: true });
    opened.push(page);
    const answer = await page.tryIt("GET", "/v1/calculate", {
      parameters: { firstOperand: "2", secondOperand: "3", operation: "ADD" },
    });
    expect(answer).toMatchObject({ status: 200 });
    expect(JSON.parse(answer.body)).toEqual({ result: 5 });
    await page.screenshot(join(resultsDir, "api-page-tls-h2.png"), { method: "GET", path: "/v1/calculate" });
  });

  it("is refused by a container that does not admit the page's origin", async () => {
    const page = await open({ service: `http://${closedServer.address}` });
    expect(await page.calculate("2", "ADD", "3")).toBe("Network failure: the calculator service could not be reached.");
  });

  it("the SDK's web entry from Node's fetch (the edge-runtime case), Connect and gRPC-Web", async () => {
    const connect = createCalculatorClient(`http://${server.address}`);
    const grpcWeb = createCalculatorClient(`http://${server.address}`, { protocol: grpcWebProtocol });
    expect(await connect.add(2, 3)).toBe(5);
    expect(await grpcWeb.multiply(2.5, 4)).toBe(10);
    await expect(grpcWeb.divide(1, 0)).rejects.toMatchObject({ codeName: "INVALID_ARGUMENT" });
    connect.close();
    grpcWeb.close();
  });
});
