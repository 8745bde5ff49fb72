// What a browser bundle of the SDK contains and weighs: esbuild (as Vite and others use it) builds small pages
// for the browser from the built package, resolved through its `exports` like any app would, splitting off
// what is loaded on demand (`import()`) as bundlers do: a page's weight is what it loads up front.
import { mkdirSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join, relative } from "node:path";
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

interface Bundle {
  /** The page's own file and the chunks it imports statically: what a browser loads before any call. */
  readonly upFront: Uint8Array[];
  /** The chunks it loads only when the code asks for them (`import()`). */
  readonly onDemand: Uint8Array[];
  readonly inputs: string[];
}

async function bundle(page: string, target: Target = { platform: "browser" }): Promise<Bundle> {
  const outdir = join(packageDir, ".results/bundle"); // nothing is written there
  const result = await build({
    // Resolved from this package, as an app depending on it would, whatever directory vitest runs in.
    stdin: { contents: page, resolveDir: packageDir, loader: "ts", sourcefile: "page.ts" },
    bundle: true,
    minify: true,
    format: "esm",
    splitting: true,
    outdir,
    platform: target.platform,
    ...(target.conditions ? { conditions: target.conditions } : {}),
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const meta: Metafile = result.metafile;
  const code = new Map(result.outputFiles.map((file) => [relative(packageDir, file.path), file.contents]));
  const entry = Object.keys(meta.outputs).find((path) => meta.outputs[path]?.entryPoint !== undefined);
  if (entry === undefined) throw new Error("esbuild wrote no page");
  const upFront = new Set([entry]);
  for (const path of upFront) {
    for (const imported of meta.outputs[path]?.imports ?? []) {
      if (imported.kind === "import-statement") upFront.add(imported.path);
    }
  }
  const files = (paths: string[]) => paths.map((path) => code.get(path) ?? new Uint8Array());
  return {
    upFront: files([...upFront]),
    onDemand: files([...code.keys()].filter((path) => !upFront.has(path))),
    inputs: Object.keys(meta.inputs),
  };
}

const packageDir = fileURLToPath(new URL("..", import.meta.url));

/** Bytes over the wire, each file compressed on its own as a server sends it. */
const gzipped = (files: Uint8Array[]) => files.reduce((sum, code) => sum + gzipSync(code, { level: 9 }).length, 0);

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
      const { upFront, onDemand, inputs } = await bundle(page, target);
      expect(inputs.filter((input) => nodeOnly.test(input))).toEqual([]);
      expect(inputs.some((input) => input.endsWith("dist/esm/web.js"))).toBe(true);
      for (const code of [...upFront, ...onDemand]) {
        expect(new TextDecoder().decode(code)).not.toMatch(/grpc-js|makeGenericClientConstructor/);
      }
    },
  );

  it("control: for Node the package root is the grpc-js entry, and the same checks see it", async () => {
    const { inputs } = await bundle(pages.root, { platform: "node" });
    expect(inputs.some((input) => input.endsWith("dist/esm/index.js"))).toBe(true);
    expect(inputs.filter((input) => nodeOnly.test(input))).not.toEqual([]);
  });

  it(`of a page calling add stays within ${Math.round((BUDGET - 1) * 100)} % of bare connect-web (min + gzip)`, async () => {
    const page = await bundle(pages.root);
    const ours = gzipped(page.upFront);
    const bare = gzipped((await bundle(pages.bare)).upFront);
    // The decoders of error details (google.rpc's ErrorInfo and BadRequest), loaded on the first error that has any.
    const details = gzipped(page.onDemand);
    const ratio = ours / bare;
    mkdirSync(".results", { recursive: true });
    writeFileSync(
      ".results/bundle-size.json",
      `${JSON.stringify({ oursBytes: ours, bareBytes: bare, ratio, errorDetailsBytes: details }, null, 2)}\n`,
    );
    console.log(
      `browser page calling add, min+gz: SDK ${ours} B, bare connect-web ${bare} B (${ratio.toFixed(3)}×); ` +
        `error details' decoders on demand ${details} B`,
    );
    expect(ratio).toBeLessThanOrEqual(BUDGET);
    expect(details).toBeGreaterThan(0); // split off: not in what the page loads up front
  });
});
