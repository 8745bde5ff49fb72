/**
 * Driving the calculator page in a real browser, for this package's suite and for any other (the container
 * e2e suite): Debian's Chromium through playwright-core (no browser download), a static server for the built
 * page, and the page driven as a person uses it (labels, typing, clicking or the keyboard, reading the answer).
 *
 * ```ts
 * const browser = await launchChromium();
 * const site = await serveStatic(webDist);
 * const page = await CalculatorPage.open(browser, site.url, { service: "http://127.0.0.1:8080", protocol: "grpc-web" });
 * expect(await page.calculate("10", "DIVIDE", "4")).toBe("10 ÷ 4 = 2.5");
 *
 * const api = await ApiPage.open(browser, site.url, { service: "http://127.0.0.1:8080" });
 * const answer = await api.tryIt("GET", "/v1/calculate", { parameters: { firstOperand: "2", secondOperand: "3" } });
 * expect(JSON.parse(answer.body)).toEqual({ result: 5 });
 * ```
 */
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import type { OperationName } from "@grpc-calculator/client/web";
import { type Browser, chromium, type Page } from "playwright-core";

export { ApiPage, type TryItAnswer, type TryItInput } from "./api-page.js";

/** The built page (`pnpm --filter @grpc-calculator/web build`). */
export const webDist = fileURLToPath(new URL("../dist", import.meta.url));

/** Debian's `chromium` package (`.ci/setup.sh --tests` installs it); `CHROMIUM_PATH` points elsewhere. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Headless Chromium; `ignoreHTTPSErrors` goes on each page's context (a front end with a test CA). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true });
}

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** Serves a directory on a loopback port (its own origin, so the page calls the API cross-origin). */
export async function serveStatic(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://x").pathname;
    const file = normalize(join(dir, path.endsWith("/") ? `${path}index.html` : path));
    if (!file.startsWith(dir)) return void response.writeHead(403).end();
    readFile(file).then(
      (body) =>
        response
          .writeHead(200, { "content-type": contentTypes[extname(file)] ?? "application/octet-stream" })
          .end(body),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** One calculator page in a fresh browser context (a new page per case: reusing one after a failure is flaky). */
export class CalculatorPage {
  private constructor(readonly page: Page) {}

  /** Opens the page at `siteUrl` configured (query parameters) for `service` and `protocol`. */
  static async open(
    browser: Browser,
    siteUrl: string,
    config: { service?: string; protocol?: "connect" | "grpc-web"; ignoreHTTPSErrors?: boolean } = {},
  ): Promise<CalculatorPage> {
    const context = await browser.newContext({ ignoreHTTPSErrors: config.ignoreHTTPSErrors ?? false });
    const page = await context.newPage();
    const query = new URLSearchParams();
    if (config.service) query.set("service", config.service);
    if (config.protocol) query.set("protocol", config.protocol);
    await page.goto(`${siteUrl}/?${query.toString()}`);
    await page.getByRole("button", { name: "Calculate" }).waitFor();
    return new CalculatorPage(page);
  }

  /** Fills the form by its labels, clicks Calculate and returns the answer the page shows. */
  /** `operator`: one of the SDK's operation names (the contract's, from its generated enum), as the page offers them. */
  async calculate(first: string, operator: OperationName, second: string): Promise<string> {
    await this.page.getByLabel("First number").fill(first);
    await this.page.getByLabel("Operator").selectOption(operator);
    await this.page.getByLabel("Second number").fill(second);
    await this.page.getByRole("button", { name: "Calculate" }).click();
    return this.answer();
  }

  /** The same with the keyboard alone: type, Tab, arrow keys on the operator, Enter to submit. */
  async calculateWithKeyboard(first: string, operatorSteps: number, second: string): Promise<string> {
    await this.page.getByLabel("First number").focus();
    await this.page.keyboard.type(first);
    await this.page.keyboard.press("Tab");
    for (let step = 0; step < operatorSteps; step += 1) await this.page.keyboard.press("ArrowDown");
    await this.page.keyboard.press("Tab");
    await this.page.keyboard.type(second);
    await this.page.keyboard.press("Enter");
    return this.answer();
  }

  /** The operators the page offers, by the operation names they send, top to bottom. */
  async operators(): Promise<string[]> {
    const options = await this.page.getByLabel("Operator").locator("option").all();
    return Promise.all(options.map(async (option) => (await option.getAttribute("value")) ?? ""));
  }

  /** The answer once the call has settled. */
  async answer(): Promise<string> {
    // A string, evaluated in the page: importers of this module need not compile with the DOM's types.
    await this.page.waitForFunction(
      `!document.forms[0]?.hasAttribute("aria-busy") && document.getElementById("answer")?.textContent !== "…"`,
      undefined,
      { timeout: 15_000 },
    );
    return (await this.page.locator("#answer").textContent()) ?? "";
  }

  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path, fullPage: true });
  }

  async close(): Promise<void> {
    await this.page.context().close();
  }
}
