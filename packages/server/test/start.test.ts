// The production entry, dist/start.mjs (src/start.ts): Node's compile cache beside the bundle, then the
// server; `start:prod` runs it exactly as the image does.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Operation } from "@grpc-calculator/proto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dockerfile, productionNodeOptions } from "../scripts/production-node-options.mjs";
import { calculateOnce, calculatorClient, listeningPort, spawnServer, type ChildServer } from "./helpers.js";

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
const packageJson = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  scripts: Record<string, string>;
};
/** What Node prints (NODE_DEBUG_NATIVE=COMPILE_CACHE) when it runs the bundle from the cached code. */
const accepted = (dir: string) => `V8 code cache for ESM file://${join(dir, "server.mjs")} was accepted`;

describe("start:prod", () => {
  it("runs dist/start.mjs with the Dockerfile's NODE_ENV and NODE_OPTIONS, as the image's CMD does", () => {
    const script = packageJson.scripts["start:prod"] ?? "";
    const image = readFileSync(dockerfile, "utf8");
    expect(image).toMatch(/^ENV NODE_ENV=production$/m);
    expect(image).toMatch(/^CMD \["\/app\/start\.mjs"\]$/m);
    expect(script).toBe(`NODE_ENV=production NODE_OPTIONS='${productionNodeOptions().join(" ")}' node dist/start.mjs`);
  });
});

describe("dist/start.mjs and its compile cache", () => {
  let dir: string;
  const running: ChildServer[] = [];
  const start = (env: Record<string, string> = {}): ChildServer => {
    const server = spawnServer(
      join(dir, "start.mjs"),
      { NODE_OPTIONS: productionNodeOptions().join(" "), ...env },
      dir,
    );
    running.push(server);
    return server;
  };
  /** Starts it, asks 2 + 3, stops it; its log lines and stderr (where Node's debug lines go). */
  const serveOnce = async (env: Record<string, string> = {}) => {
    const server = start(env);
    const client = calculatorClient(await listeningPort(server));
    try {
      await expect(
        calculateOnce(client, { firstOperand: 2, secondOperand: 3, operation: Operation.ADD }),
      ).resolves.toBe(5);
    } finally {
      client.close();
    }
    server.child.kill("SIGTERM");
    const { code, stderr } = await server.exited;
    expect(code).toBe(0);
    return { lines: server.lines, stderr, warnings: server.lines.filter((line) => line.severity === "WARNING") };
  };
  /** As the image builds it: start.mjs --write-compile-cache, exit 0. */
  const writeCache = () => {
    const result = spawnSync(process.execPath, [join(dir, "start.mjs"), "--write-compile-cache"], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", NODE_OPTIONS: productionNodeOptions().join(" ") },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(result.status, result.stderr).toBe(0);
  };

  beforeEach(() => {
    // Only the files the image holds: no node_modules, no telemetry.mjs (off unless OTEL_* is set).
    dir = mkdtempSync(join(tmpdir(), "grpc-calculator-start-"));
    for (const file of ["start.mjs", "server.mjs"]) copyFileSync(join(dist, file), join(dir, file));
  });
  afterEach(() => {
    for (const server of running.splice(0)) server.child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("--write-compile-cache writes the cache and exits 0; the next start runs the bundle from it, warning of nothing", async () => {
    writeCache();
    expect(readdirSync(join(dir, "compile-cache"))).toEqual([expect.stringMatching(/^v\d+\.\d+\.\d+-/)]);
    const { stderr, warnings } = await serveOnce({ NODE_DEBUG_NATIVE: "COMPILE_CACHE" });
    expect(stderr).toContain(accepted(dir));
    expect(warnings).toEqual([]);
  });

  it("NODE_DISABLE_COMPILE_CACHE=1 (Node's switch) starts without it, silently", async () => {
    writeCache();
    const { stderr, warnings } = await serveOnce({
      NODE_DISABLE_COMPILE_CACHE: "1",
      NODE_DEBUG_NATIVE: "COMPILE_CACHE",
    });
    expect(stderr).not.toContain(accepted(dir));
    expect(warnings).toEqual([]);
  });

  it("a cache that cannot be opened (a file where its directory should be): one warning line, then it serves", async () => {
    writeFileSync(join(dir, "compile-cache"), "not a directory");
    const { warnings } = await serveOnce();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.compileCache).toBe(join(dir, "compile-cache"));
    expect(warnings[0]?.message).toMatch(/^compile cache unavailable \(.+\): starting without it$/);
  });

  it("a corrupt cache: Node rejects the entry by its hash, compiles the bundle and serves", async () => {
    writeCache();
    const [version] = readdirSync(join(dir, "compile-cache"));
    for (const file of readdirSync(join(dir, "compile-cache", version!))) {
      const path = join(dir, "compile-cache", version!, file);
      const bytes = readFileSync(path);
      for (let i = 64; i < bytes.length; i += 997) bytes[i] = (bytes[i] ?? 0) ^ 0x5a;
      writeFileSync(path, bytes);
    }
    const { stderr } = await serveOnce({ NODE_DEBUG_NATIVE: "COMPILE_CACHE" });
    expect(stderr).toMatch(/hash mismatch/);
    expect(stderr).not.toContain(accepted(dir));
  });

  it("a bundle rebuilt after the cache was written: Node sees the change and compiles the new one", async () => {
    writeCache();
    writeFileSync(join(dir, "server.mjs"), `${readFileSync(join(dir, "server.mjs"), "utf8")}\n// rebuilt\n`);
    const { stderr } = await serveOnce({ NODE_DEBUG_NATIVE: "COMPILE_CACHE" });
    expect(stderr).not.toContain(accepted(dir));
  });
});

describe("dist/write-compile-cache.mjs (the image build's step, as root)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "grpc-calculator-cache-writer-"));
    chmodSync(dir, 0o755); // the server's user reads the bundle from it
    for (const file of ["start.mjs", "server.mjs", "write-compile-cache.mjs"]) {
      copyFileSync(join(dist, file), join(dir, file));
    }
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const writer = (...args: string[]) =>
    spawnSync(process.execPath, [join(dir, "write-compile-cache.mjs"), ...args], {
      env: { PATH: process.env.PATH ?? "", NODE_OPTIONS: productionNodeOptions().join(" ") },
      encoding: "utf8",
      timeout: 30_000,
    });

  it.runIf(process.getuid?.() === 0)(
    "writes the cache as the server's user, under that user's name, then hands it to root, read-only",
    () => {
      const result = writer("--user", "65532:65532");
      expect(result.status, result.stderr).toBe(0);
      const cache = join(dir, "compile-cache");
      const [version, ...others] = readdirSync(cache);
      expect(others).toEqual([]);
      expect(version).toMatch(/-65532$/);
      for (const path of [cache, join(cache, version!)]) {
        const stat = statSync(path);
        expect([stat.uid, stat.gid, stat.mode & 0o777]).toEqual([0, 0, 0o755]);
      }
      const entries = readdirSync(join(cache, version!));
      expect(entries.length).toBeGreaterThan(0);
      for (const entry of entries) {
        const stat = statSync(join(cache, version!, entry));
        expect([stat.uid, stat.mode & 0o777]).toEqual([0, 0o644]);
      }
    },
  );

  it("without --user UID:GID: exit 1, one line saying so", () => {
    const result = writer();
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("write-compile-cache: --user UID:GID is required (the image's USER), got undefined\n");
  });
});
