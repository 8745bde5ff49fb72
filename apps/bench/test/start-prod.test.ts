import path from "node:path";
import { describe, expect, test } from "vitest";
import { serverRoot } from "../src/servers.js";
import { oursStartProd, parseScript, readStartProd, startProdScript } from "../src/start-prod.js";
import type { NodeRuntime } from "../src/node-runtimes.js";

describe("reading start:prod", () => {
  test("the server's own script: its variables, `node` and dist/start.mjs", () => {
    const start = readStartProd();
    expect(start.parsed.command).toBe("node");
    expect(start.parsed.env.NODE_ENV).toBe("production");
    expect(start.parsed.env.NODE_OPTIONS).toMatch(/--max-old-space-size=\d+/);
    expect(start.entry).toBe(path.join(serverRoot, "dist/start.mjs"));
  });

  test("quotes are sh's: a quoted value keeps its spaces and loses its quotes", () => {
    expect(parseScript(`A=1 NODE_OPTIONS='--x --y=2' B="two words" node --flag dist/start.mjs`)).toEqual({
      env: { A: "1", NODE_OPTIONS: "--x --y=2", B: "two words" },
      command: "node",
      args: ["--flag", "dist/start.mjs"],
    });
  });

  test("anything more than one simple command is refused, not half-run", () => {
    for (const script of ["pnpm build && node x.mjs", "node a.mjs; node b.mjs", "node $ENTRY", "A='open node"])
      expect(() => parseScript(script)).toThrow();
    expect(() => parseScript("A=1")).toThrow(/no command/);
  });

  test("a package.json without start:prod says so", () => {
    expect(() => startProdScript('{"scripts":{"start":"node x"}}')).toThrow(/no scripts.start:prod/);
  });

  test("ours runs the script itself through /bin/sh in packages/server, the chosen Node first on PATH", () => {
    const start = readStartProd();
    const node: NodeRuntime = {
      key: "image",
      path: "/n/bin/node",
      dir: "/n/bin",
      version: "24.0.0",
    };
    const spec = oursStartProd(start, { node, readiness: "health", key: "k", label: "l" });
    expect([spec.command, ...spec.args]).toEqual(["/bin/sh", "-c", start.script]);
    expect(spec.cwd).toBe(serverRoot);
    expect(spec.env.PATH?.split(path.delimiter)[0]).toBe("/n/bin");
    expect(spec.viaShell).toBe(true);
  });
});
