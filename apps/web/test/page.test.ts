// The calculator page in a real browser: the built page (dist/) served from its own loopback origin, calling
// an independent server of the contract (connect-node, HTTP/1.1) cross-origin with CORS, over Connect and
// gRPC-Web, driven as a person would. Screenshots go to .results/.
import { mkdirSync } from "node:fs";
import { type ConnectTestServer, startConnectTestServer } from "@grpc-calculator/connect-test-server";
import { operationNames } from "@grpc-calculator/client/web";
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CalculatorPage, launchChromium, serveStatic, webDist } from "../testing/index.js";

let browser: Browser;
let site: Awaited<ReturnType<typeof serveStatic>>;
let api: ConnectTestServer;
let withoutCors: ConnectTestServer;
let refusedUrl: string;
const opened: CalculatorPage[] = [];

beforeAll(async () => {
  mkdirSync(".results", { recursive: true });
  site = await serveStatic(webDist);
  api = await startConnectTestServer({ corsOrigins: [site.url] });
  withoutCors = await startConnectTestServer();
  const gone = await startConnectTestServer();
  refusedUrl = gone.url;
  await gone.close();
  browser = await launchChromium();
});
afterEach(async () => {
  for (const page of opened.splice(0)) await page.close();
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([site?.close(), api?.close(), withoutCors?.close()]);
});

const open = async (config: Parameters<typeof CalculatorPage.open>[2]) => {
  const page = await CalculatorPage.open(browser, site.url, config);
  opened.push(page);
  return page;
};

describe.each(["connect", "grpc-web"] as const)("over %s", (protocol) => {
  it("types two numbers, picks an operator, clicks, reads the answer", async () => {
    const page = await open({ service: api.url, protocol });
    expect(await page.calculate("10", "DIVIDE", "4")).toBe("10 ÷ 4 = 2.5");
    expect(await page.calculate("0.1", "ADD", "0.2")).toBe("0.1 + 0.2 = 0.3");
    expect(await page.page.locator("#service").textContent()).toBe(`Service: ${api.url} (${protocol})`);
    await page.screenshot(`.results/calculator-${protocol}.png`);
  });

  it("shows the service's message for a division by zero", async () => {
    const page = await open({ service: api.url, protocol });
    expect(await page.calculate("1", "DIVIDE", "0")).toBe("The service says: division by zero: second_operand is 0");
    await page.screenshot(`.results/division-by-zero-${protocol}.png`);
  });

  it("says so when the network fails", async () => {
    const page = await open({ service: refusedUrl, protocol });
    expect(await page.calculate("2", "ADD", "3")).toBe("Network failure: the calculator service could not be reached.");
    await page.screenshot(`.results/network-failure-${protocol}.png`);
  });
});

it("is refused by a service that does not allow the page's origin (CORS)", async () => {
  const page = await open({ service: withoutCors.url });
  const before = withoutCors.calls;
  expect(await page.calculate("2", "ADD", "3")).toBe("Network failure: the calculator service could not be reached.");
  expect(withoutCors.calls).toBe(before); // the preflight failed: no call reached Calculate
});

it("offers every operation of the contract, in the proto's order", async () => {
  const page = await open({ service: api.url });
  expect(await page.operators()).toEqual(operationNames);
  expect(operationNames).toContain("MULTIPLY"); // the keyboard test below picks it
});

it("works with the keyboard alone", async () => {
  const page = await open({ service: api.url });
  // The first operator is selected; MULTIPLY is this many arrow-key steps down.
  expect(await page.calculateWithKeyboard("-3", operationNames.indexOf("MULTIPLY"), "2.5")).toBe("-3 × 2.5 = -7.5");
});

it("asks for two numbers without calling the service", async () => {
  const page = await open({ service: api.url });
  const before = api.calls;
  expect(await page.calculate("two", "ADD", "3")).toBe("Enter two numbers.");
  expect(api.calls).toBe(before);
});
