// The image's start (issue 20): the compile cache written at build time is the one Node uses on a
// read-only root filesystem, docker run → SERVING is measured with and without it, and whatever is wrong
// with the cache, the server starts the slow way and answers: never a crash loop.
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCalculatorClient } from "@grpc-calculator/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { containerOutput, copyFromImage, docker } from "../src/docker.js";
import { recordMetrics } from "../src/report.js";
import { startServerContainer, type StartOptions } from "../src/server-container.js";

const e2e = inject("e2e");
const CACHE = "/app/compile-cache";
/** What Node prints (NODE_DEBUG_NATIVE=COMPILE_CACHE) when it runs the bundle from the cached code. */
const ACCEPTED = "V8 code cache for ESM file:///app/server.mjs was accepted";

interface LogEntry {
  severity?: string;
  message?: string;
}

/** Starts the image as Cloud Run does, asks 2 + 3, and returns its output (JSON log lines and Node's debug lines). */
async function startAndAsk(options: StartOptions): Promise<{ output: string; warnings: LogEntry[]; ms: number }> {
  const server = await startServerContainer(e2e.image, e2e.runId, options);
  try {
    const calculator = createCalculatorClient(server.address, { tls: false });
    try {
      expect(await calculator.add(2, 3)).toBe(5);
    } finally {
      calculator.close();
    }
    const output = await containerOutput(server.container.getId(), 200);
    const entries = output
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as LogEntry);
    return { output, warnings: entries.filter((entry) => entry.severity === "WARNING"), ms: server.startToServingMs };
  } finally {
    await server.container.stop({ timeout: 10_000 });
  }
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1] ?? NaN;

describe.skipIf(e2e.skip)("the image's start: its compile cache", () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), "grpc-calculator-e2e-cache-"));
  });
  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  /** A directory the server's user (65532) can read, to mount over the image's cache. */
  async function mountable(name: string): Promise<string> {
    const dir = join(scratch, name);
    await copyFromImage(e2e.image, CACHE, dir);
    await chmod(dir, 0o755);
    return dir;
  }

  it("is written for the server's user, owned by root, and read-only to the server", async () => {
    const listing = await docker([
      "run",
      "--rm",
      "--read-only",
      "--entrypoint",
      "/nodejs/bin/node",
      e2e.image,
      "-e",
      `const fs = require("node:fs"); for (const f of fs.readdirSync(${JSON.stringify(CACHE)}, { recursive: true })) {
         const s = fs.statSync(${JSON.stringify(CACHE)} + "/" + f); console.log(f, s.uid, (s.mode & 0o777).toString(8)); }`,
    ]);
    const entries = listing.trim().split("\n");
    // One directory named for this Node, its flags and the uid the server runs as, holding the bundle's entry.
    expect(entries[0]).toMatch(/^v24\.\d+\.\d+-x64-[0-9a-f]+-65532 0 755$/);
    expect(entries.slice(1)).toEqual([expect.stringMatching(/^v24[^/]*\/[0-9a-f]+ 0 644$/)]);
  });

  it("is used: Node accepts the cached code of /app/server.mjs on a read-only root filesystem, and nothing warns", async () => {
    const { output, warnings } = await startAndAsk({ env: { NODE_DEBUG_NATIVE: "COMPILE_CACHE" } });
    expect(output).toContain(ACCEPTED);
    expect(warnings).toEqual([]);
  });

  it("docker run → SERVING is measured with it and without it (NODE_DISABLE_COMPILE_CACHE=1)", async () => {
    const withCache: number[] = [];
    const withoutCache: number[] = [];
    for (let pair = 0; pair < 3; pair++) {
      const order = pair % 2 === 0 ? [true, false] : [false, true];
      for (const cached of order) {
        const { ms, warnings } = await startAndAsk({ env: cached ? {} : { NODE_DISABLE_COMPILE_CACHE: "1" } });
        expect(warnings).toEqual([]);
        (cached ? withCache : withoutCache).push(ms);
      }
    }
    // Recorded, not asserted: timing claims come from the bench (apps/bench cold-start --image).
    recordMetrics({
      startToServingWithCompileCacheMs: median(withCache),
      startToServingWithoutCompileCacheMs: median(withoutCache),
      startToServingSamples: { withCache, withoutCache },
    });
  });

  describe("whatever is wrong with it, the server starts without it and answers", () => {
    it("missing (an empty read-only directory over it): one warning line saying why", async () => {
      const dir = await mkdtemp(join(scratch, "empty-"));
      await chmod(dir, 0o755);
      const { warnings } = await startAndAsk({ readOnlyMounts: [{ source: dir, target: CACHE }] });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.message).toMatch(/^compile cache unavailable \(.+\): starting without it$/);
    });

    it("made for other V8 flags (NODE_OPTIONS changed at deploy with one that changes compiled code): one warning line saying why", async () => {
      // Heap sizes do not change V8's code (the cache still applies); --jitless does.
      const { warnings } = await startAndAsk({
        env: { NODE_OPTIONS: "--enable-source-maps --max-semi-space-size=8 --max-old-space-size=384 --jitless" },
      });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.message).toMatch(/^compile cache unavailable \(.+\): starting without it$/);
    });

    it("corrupt (every entry damaged): Node rejects the entry by its hash and compiles the bundle", async () => {
      const dir = await mountable("corrupt");
      const [version] = await readdir(dir);
      for (const file of await readdir(join(dir, version!))) {
        const path = join(dir, version!, file);
        const bytes = await readFile(path);
        for (let i = 64; i < bytes.length; i += 997) bytes[i] = (bytes[i] ?? 0) ^ 0x5a;
        await writeFile(path, bytes);
      }
      const { output } = await startAndAsk({
        env: { NODE_DEBUG_NATIVE: "COMPILE_CACHE" },
        readOnlyMounts: [{ source: dir, target: CACHE }],
      });
      expect(output).toMatch(/hash mismatch/);
      expect(output).not.toContain(ACCEPTED);
    });
  });
});
