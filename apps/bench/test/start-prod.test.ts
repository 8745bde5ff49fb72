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

  test("ours runs the script's command in packages/server on the chosen Node, with the script's variables", () => {
    const start = readStartProd();
    const node: NodeRuntime = {
      key: "image",
      path: "/n/bin/node",
      dir: "/n/bin",
      version: "24.0.0",
    };
    const spec = oursStartProd(start, {
      node,
      readiness: "health",
      key: "k",
      label: "l",
      env: { NODE_ENV: "x", A: "1" },
    });
    expect([spec.command, ...spec.args]).toEqual(["/n/bin/node", ...parseScript(start.script).args]);
    expect(spec.args.at(-1)).toBe("dist/start.mjs");
    expect(spec.cwd).toBe(serverRoot);
    expect(spec.entry).toBe(path.join(serverRoot, "dist/start.mjs"));
    // The script's own assignments win over the caller's, as in sh.
    expect(spec.env).toEqual({ A: "1", ...parseScript(start.script).env });
    expect(spec.env.NODE_ENV).toBe("production");
  });
});
