import type { Browser, Locator, Page } from "playwright-core";

/** What the try-it form shows after Execute: the HTTP status and the response body, as the page prints them. */
export interface TryItAnswer {
  /** The status code; NaN when the call got no HTTP answer (Swagger UI then says "Failed to fetch"). */
  readonly status: number;
  /** The response body as the page prints it ("" for none). */
  readonly body: string;
}

/** What to type into an operation's try-it form. */
export interface TryItInput {
  /** Parameter values by name, typed into their fields (or picked, for an enum's select). */
  readonly parameters?: Readonly<Record<string, string>>;
  /** The JSON request body, typed over the example Swagger UI puts in the body's text area. */
  readonly body?: string;
}

/**
 * The API reference page (`api.html`: Swagger UI over the published OpenAPI document) in a fresh browser
 * context, driven as a person uses it: open an operation, "Try it out", fill the form, "Execute", read the
 * answer. It knows Swagger UI's page, not the contract: methods, paths and fields come from the caller.
 */
export class ApiPage {
  /** Every URL the page requested, in order (to prove it loads nothing from anywhere but the site and the service). */
  readonly requests: string[] = [];

  private constructor(readonly page: Page) {
    page.on("request", (request) => this.requests.push(request.url()));
  }

  /** Opens `api.html` at `siteUrl` configured (`?service=`) for `service`. */
  static async open(
    browser: Browser,
    siteUrl: string,
    config: { service?: string; ignoreHTTPSErrors?: boolean } = {},
  ): Promise<ApiPage> {
    const context = await browser.newContext({ ignoreHTTPSErrors: config.ignoreHTTPSErrors ?? false });
    const api = new ApiPage(await context.newPage());
    const query = new URLSearchParams();
    if (config.service) query.set("service", config.service);
    await api.page.goto(`${siteUrl}/api.html?${query.toString()}`);
    await api.ready();
    return api;
  }

  /** Follows the calculator page's link to this page (the page must be on the calculator). */
  static async follow(page: Page, linkName: string): Promise<ApiPage> {
    const api = new ApiPage(page);
    await page.getByRole("link", { name: linkName }).click();
    await api.ready();
    return api;
  }

  /** Resolves once Swagger UI has rendered the document's operations. */
  private async ready(): Promise<void> {
    await this.page.locator(".opblock").first().waitFor();
  }

  /** The servers the try-it form can call (Swagger UI's "Servers" select), by URL. */
  async servers(): Promise<string[]> {
    const options = await this.page.locator(".servers select option").all();
    return Promise.all(options.map(async (option) => (await option.getAttribute("value")) ?? ""));
  }

  /** The operations the page lists, as "METHOD /path". */
  async operations(): Promise<string[]> {
    const summaries = await this.page.locator(".opblock-summary").all();
    return Promise.all(
      summaries.map(async (summary) => {
        const method = (await summary.locator(".opblock-summary-method").textContent()) ?? "";
        const path = (await summary.locator(".opblock-summary-path").getAttribute("data-path")) ?? "";
        return `${method} ${path}`;
      }),
    );
  }

  /** Opens `method path`, clicks "Try it out", fills `input`, clicks "Execute" and returns what the page shows. */
  async tryIt(method: string, path: string, input: TryItInput = {}): Promise<TryItAnswer> {
    const operation = this.operation(method, path);
    if (!(await operation.locator(".opblock-body").isVisible())) await operation.locator(".opblock-summary").click();
    const tryItOut = operation.getByRole("button", { name: "Try it out" });
    if (await tryItOut.isVisible()) await tryItOut.click();
    for (const [name, value] of Object.entries(input.parameters ?? {})) {
      const field = operation.locator(`tr[data-param-name="${name}"]`).locator("input, select");
      if ((await field.evaluate((element) => element.tagName)) === "SELECT") await field.selectOption(value);
      else await field.fill(value);
    }
    if (input.body !== undefined) await operation.locator("textarea.body-param__text").fill(input.body);
    // A previous answer would otherwise be read as this one's.
    const clear = operation.getByRole("button", { name: "Clear" });
    if (await clear.isVisible()) await clear.click();
    await operation.getByRole("button", { name: "Execute" }).click();
    const answer = operation.locator(".live-responses-table .response");
    await answer.waitFor({ timeout: 15_000 });
    // "400", or "400Undocumented" for a status the document does not list.
    const statusText = (await answer.locator(".response-col_status").textContent()) ?? "";
    const status = Number(/^\s*(\d{3})/.exec(statusText)?.[1] ?? Number.NaN);
    // "Response body": the one highlighted code block (the headers are plain text). An empty body has none; the
    // answer is rendered whole, so what is not there now never comes.
    const body = answer.locator(".response-col_description .highlight-code code");
    return { status, body: (await body.count()) === 0 ? "" : ((await body.textContent()) ?? "") };
  }

  private operation(method: string, path: string): Locator {
    return this.page
      .locator(`.opblock.opblock-${method.toLowerCase()}`)
      .filter({ has: this.page.locator(`.opblock-summary-path[data-path="${path}"]`) });
  }

  /** The whole page, or only one operation's block (the form and its answer: the page itself is very long). */
  async screenshot(file: string, operation?: { method: string; path: string }): Promise<void> {
    if (operation) await this.operation(operation.method, operation.path).screenshot({ path: file });
    else await this.page.screenshot({ path: file, fullPage: true });
  }

  async close(): Promise<void> {
    await this.page.context().close();
  }
}
