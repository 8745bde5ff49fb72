// What a browser bundle of the SDK contains and weighs: esbuild (as Vite and others use it) builds small pages
// for the browser from the built package, resolved through its `exports` like any app would.
import { mkdirSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { build, type Metafile } from "esbuild";
import { describe, expect, it } from "vitest";

/** The budget: a page calling `add` through the SDK within 10 % of the same call with bare connect-web. */
const BUDGET = 1.1;

const pages = {
  // The SDK through the package root: a browser build must get the web entry by the `browser` condition.
  root: `
    import { createCalculatorClient } from "@grpc-calculator/client";
    const calculator = createCalculatorClient(location.origin);
    calculator.add(2, 3).then((result) => (document.body.textContent = String(result)));`,
  web: `
    import { createCalculatorClient } from "@grpc-calculator/client/web";
    const calculator = createCalculatorClient(location.origin);
    calculator.add(2, 3).then((result) => (document.body.textContent = String(result)));`,
  // The same call with a bare @connectrpc/connect-web client, on the same generated service descriptor
  // (what protoc-gen-es would emit for calculator.proto).
  bare: `
    import { createClient } from "@connectrpc/connect";
    import { createConnectTransport } from "@connectrpc/connect-web";
    import { CalculatorDesc } from "@grpc-calculator/proto/protobuf-es";
    const client = createClient(CalculatorDesc, createConnectTransport({ baseUrl: location.origin }));
    client.calculate({ firstOperand: 2, secondOperand: 3 }).then((r) => (document.body.textContent = String(r.result)));`,
};

interface Target {
  readonly platform: "browser" | "neutral" | "node";
  readonly conditions?: string[];
}

async function bundle(
  page: string,
  target: Target = { platform: "browser" },
): Promise<{ code: Uint8Array; inputs: string[] }> {
  const result = await build({
    // Resolved from this package, as an app depending on it would, whatever directory vitest runs in.
    stdin: { contents: page, resolveDir: packageDir, loader: "ts", sourcefile: "page.ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: target.platform,
    ...(target.conditions ? { conditions: target.conditions } : {}),
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error("esbuild wrote nothing");
  const meta: Metafile = result.metafile;
  return { code: output.contents, inputs: Object.keys(meta.inputs) };
}

const packageDir = fileURLToPath(new URL("..", import.meta.url));

const gzipped = (code: Uint8Array) => gzipSync(code, { level: 9 }).length;

const nodeOnly = /grpc-js|node:|google-auth|commander/;

describe("a browser bundle", () => {
  it.each([
    ["the package root (browser condition)", pages.root, { platform: "browser" }],
    ["./web", pages.web, { platform: "browser" }],
    // No `browser` condition here: only the runtime's own, as Wrangler and Deno resolve packages.
    ["the package root for workers (worker condition)", pages.root, { platform: "neutral", conditions: ["worker"] }],
    ["the package root for Deno (deno condition)", pages.root, { platform: "neutral", conditions: ["deno"] }],
  ] satisfies [string, string, Target][])(
    "of %s builds with no grpc-js and no Node built-in",
    async (_name, page, target) => {
      // esbuild fails a browser or neutral build on any Node built-in it meets, so a success proves there is none.
      const { code, inputs } = await bundle(page, target);
      expect(inputs.filter((input) => nodeOnly.test(input))).toEqual([]);
      expect(inputs.some((input) => input.endsWith("dist/esm/web.js"))).toBe(true);
      expect(new TextDecoder().decode(code)).not.toMatch(/grpc-js|makeGenericClientConstructor/);
    },
  );

  it("control: for Node the package root is the grpc-js entry, and the same checks see it", async () => {
    const { inputs } = await bundle(pages.root, { platform: "node" });
    expect(inputs.some((input) => input.endsWith("dist/esm/index.js"))).toBe(true);
    expect(inputs.filter((input) => nodeOnly.test(input))).not.toEqual([]);
  });

  it(`of a page calling add stays within ${Math.round((BUDGET - 1) * 100)} % of bare connect-web (min + gzip)`, async () => {
    const ours = gzipped((await bundle(pages.root)).code);
    const bare = gzipped((await bundle(pages.bare)).code);
    const ratio = ours / bare;
    mkdirSync(".results", { recursive: true });
    writeFileSync(
      ".results/bundle-size.json",
      `${JSON.stringify({ oursBytes: ours, bareBytes: bare, ratio }, null, 2)}\n`,
    );
    console.log(`browser page calling add, min+gz: SDK ${ours} B, bare connect-web ${bare} B (${ratio.toFixed(3)}×)`);
    expect(ratio).toBeLessThanOrEqual(BUDGET);
  });
});
