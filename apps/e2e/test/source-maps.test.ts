// A stack trace the container logs names the TypeScript source, file and line: the image ships the
// bundle's source map and its NODE_OPTIONS enable source maps, so a bug's ERROR line in Cloud Logging
// points at src/*.ts, not at column 40 000 of the minified bundle. The server survives the bug: the
// caller gets INTERNAL and the next call is served.
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
// bundle are unchanged) makes Math.fround throw, so every Calculate call throws inside calculate().
const fault = `data:text/javascript,${encodeURIComponent('Math.fround = () => { throw new Error("injected fault"); };')}`;

describe.skipIf(e2e.skip)("source maps in the image", () => {
  let id: string;
  let output: string;
  let failure: unknown;
  let stack: string;

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
      "/app/start.mjs",
    ]);
    const address = `127.0.0.1:${(await docker(["port", id, `${CLOUD_RUN_PORT}/tcp`])).trim().split("\n")[0]?.split(":").pop()}`;
    await waitUntilServing(address, 30_000);
    const calculator = createCalculatorClient(address, { tls: false, timeoutMs: 5_000 });
    failure = await calculator.add(2, 3).catch((error: unknown) => error);
    // Still serving: health answers after the bug.
    await waitUntilServing(address, 5_000);
    calculator.close();
    const logs = await run("docker", ["logs", id]);
    output = `${logs.stdout}${logs.stderr}`;
    const bug = output
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { severity?: string; err?: { stack?: string } })
      .find((line) => line.severity === "ERROR");
    stack = bug?.err?.stack ?? "";
  });
  afterAll(async () => {
    if (id) await docker(["rm", "-f", id]);
  });

  it("a bug answers the caller INTERNAL and logs an ERROR line whose stack names src/service/calculate.ts and the line", async () => {
    expect(failure).toMatchObject({ codeName: "INTERNAL", details: "internal error: injected fault" });
    const source = await readFile(join(repoRoot, "packages/server/src/service/calculate.ts"), "utf8");
    const line = source.split("\n").findIndex((text) => text.includes("Math.fround(first)")) + 1;
    expect(line).toBeGreaterThan(0);
    expect(stack).toContain("Error: injected fault");
    expect(stack).toMatch(new RegExp(`at calculate \\(\\S*/src/service/calculate\\.ts:${line}:\\d+\\)`));
  });

  it("the frames below it name the direct path's src/*.ts files too, none the minified bundle", () => {
    const frames = stack.split("\n").filter((text) => /^\s+at /.test(text));
    expect(frames.some((frame) => /\/src\/protocol-grpc\/unary\.ts:\d+:\d+/.test(frame))).toBe(true);
    expect(frames.filter((frame) => frame.includes("/app/server.mjs"))).toEqual([]);
    expect(output).not.toContain("/app/server.mjs:");
  });
});
