// A stack trace the container prints names the TypeScript source, file and line: the image ships the
// bundle's source map and its NODE_OPTIONS enable source maps, so a crash in Cloud Logging points at
// src/*.ts, not at column 40 000 of the minified bundle.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { createCalculatorClient } from "@grpc-calculator/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { docker } from "../src/docker.js";
import { waitUntilServing } from "../src/health.js";
import { repoRoot } from "../src/paths.js";
import { CLOUD_RUN_PORT, CONTAINER_LABEL } from "../src/server-container.js";

const e2e = inject("e2e");
const run = promisify(execFile);

// The fault: a preload (one `--import` on node's command line; the image's entrypoint, NODE_OPTIONS and
// bundle are unchanged) makes Math.fround throw, so the first Calculate call throws inside calculate().
const fault = `data:text/javascript,${encodeURIComponent('Math.fround = () => { throw new Error("injected fault"); };')}`;

describe.skipIf(e2e.skip)("source maps in the image", () => {
  let id: string;
  let output: string;

  beforeAll(async () => {
    id = await docker([
      "run",
      "-d",
      "--read-only",
      "--label",
      `${CONTAINER_LABEL}=${e2e.runId}`,
      "-e",
      `PORT=${CLOUD_RUN_PORT}`,
      "-p",
      `127.0.0.1::${CLOUD_RUN_PORT}`,
      e2e.image,
      `--import=${fault}`,
      "/app/server.mjs",
    ]);
    const address = `127.0.0.1:${(await docker(["port", id, `${CLOUD_RUN_PORT}/tcp`])).trim().split("\n")[0]?.split(":").pop()}`;
    await waitUntilServing(address, 30_000);
    const calculator = createCalculatorClient(address, { tls: false, timeoutMs: 5_000 });
    await calculator.add(2, 3).catch(() => undefined); // the server crashes on it
    calculator.close();
    const exitCode = Number((await docker(["wait", id], 30_000)).trim());
    expect(exitCode).not.toBe(0);
    const logs = await run("docker", ["logs", id]);
    output = `${logs.stdout}${logs.stderr}`;
  });
  afterAll(async () => {
    if (id) await docker(["rm", "-f", id]);
  });

  it("a crash prints a stack trace naming src/calculate.ts and the line of the failing call", async () => {
    const source = await readFile(join(repoRoot, "packages/server/src/calculate.ts"), "utf8");
    const line = source.split("\n").findIndex((text) => text.includes("Math.fround(exact)")) + 1;
    expect(line).toBeGreaterThan(0);
    expect(output).toContain("Error: injected fault");
    expect(output).toMatch(new RegExp(`at calculate \\(\\S*/src/calculate\\.ts:${line}:\\d+\\)`));
  });

  it("the frames below it name the fast path's src/*.ts files too, none the minified bundle", () => {
    const frames = output.split("\n").filter((text) => /^\s+at /.test(text));
    expect(frames.some((frame) => /\/src\/calculate-unary\.ts:\d+:\d+/.test(frame))).toBe(true);
    expect(frames.filter((frame) => frame.includes("/app/server.mjs"))).toEqual([]);
  });
});
