// The runtime image holds the Node runtime of its base and the bundle, nothing else: no shell, no package
// manager, no dev dependencies, no secrets; and the server writes nothing to its filesystem.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCalculatorClient } from "@grpc-calculator/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { copyFromImage, docker, imageFiles, inspectImage } from "../src/docker.js";
import { buildStageImage } from "../src/image.js";
import { repoRoot } from "../src/paths.js";
import { recordMetrics } from "../src/report.js";
import { startServerContainer } from "../src/server-container.js";

const e2e = inject("e2e");
const BUNDLE = "app/server.mjs";
const SOURCE_MAP = "app/server.mjs.map";
/** Loaded by the bundle only when OpenTelemetry is on; with its source map. */
const TELEMETRY = "app/telemetry.mjs";
const TELEMETRY_SOURCE_MAP = "app/telemetry.mjs.map";
/** The image's CMD: the compile cache, then the bundle (see cold-start.test.ts). */
const ENTRY = "app/start.mjs";
/** The build step that writes the compile cache. */
const CACHE_WRITER = "app/write-compile-cache.mjs";
const COMPILE_CACHE = "app/compile-cache";
const base = (path: string) => path.slice(path.lastIndexOf("/") + 1);

/** The npm packages a source map's sources come from (`.../node_modules/@scope/name/...` → `@scope/name`). */
function packagesOf(sources: readonly string[]): string[] {
  const names = sources.flatMap((source) => {
    const at = source.lastIndexOf("node_modules/");
    if (at < 0) return [];
    const [first = "", second = ""] = source.slice(at + "node_modules/".length).split("/");
    return [first.startsWith("@") ? `${first}/${second}` : first];
  });
  // (a package's own map may point into its build folders, e.g. "@js-sdsl/.build-data")
  return [...new Set(names.filter((name) => !name.includes("/.")))].sort();
}

async function dependencyNames(manifest: string, field: "dependencies" | "devDependencies"): Promise<string[]> {
  const json = JSON.parse(await readFile(join(repoRoot, manifest), "utf8")) as Record<string, Record<string, string>>;
  return Object.keys(json[field] ?? {});
}

describe.skipIf(e2e.skip)("the runtime image, hardened", () => {
  let files: string[];
  let baseFiles: Set<string>;
  let bundle: string;

  beforeAll(async () => {
    [files, baseFiles] = await Promise.all([
      imageFiles(e2e.image),
      imageFiles(e2e.runtimeImage).then((list) => new Set(list)),
    ]);
    bundle = await readFile(await copyOut(e2e.image, `/${BUNDLE}`), "utf8");
  });
  afterAll(async () => {
    const added = files?.filter((file) => !baseFiles.has(file)) ?? [];
    recordMetrics({
      imageFileCount: files?.length,
      baseFileCount: baseFiles?.size,
      filesAddedToBase: added,
      imageFiles: files,
    });
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  let scratch: string | undefined;
  async function copyOut(image: string, path: string): Promise<string> {
    scratch ??= await mkdtemp(join(tmpdir(), "grpc-calculator-e2e-bundle-"));
    const destination = join(scratch, `${image.replace(/\W/g, "_")}${path.replace(/\//g, "_")}`);
    await copyFromImage(image, path, destination);
    return destination;
  }

  it("adds only the entry, the two bundle files, their source maps, the cache writer and the compile cache to the runtime base", () => {
    const added = files.filter((file) => !baseFiles.has(file)).sort();
    const [cacheDirectory, cacheEntry, ...more] = added.filter((file) => file.startsWith(`${COMPILE_CACHE}/`));
    expect(more).toEqual([]);
    expect(cacheEntry).toMatch(new RegExp(`^${cacheDirectory}/[0-9a-f]+$`));
    expect(added).toEqual(
      [
        "app",
        BUNDLE,
        SOURCE_MAP,
        TELEMETRY,
        TELEMETRY_SOURCE_MAP,
        ENTRY,
        CACHE_WRITER,
        COMPILE_CACHE,
        cacheDirectory,
        cacheEntry,
      ].sort(),
    );
    expect([...baseFiles].filter((file) => !files.includes(file))).toEqual([]);
  });

  it("has no shell and no package manager", () => {
    const shells = new Set(["sh", "bash", "dash", "ash", "zsh", "busybox"]);
    const packageManagers = new Set(["npm", "npx", "corepack", "pnpm", "yarn", "apt", "apt-get", "dpkg", "apk"]);
    expect(files).not.toContain("bin/sh");
    expect(files.filter((file) => shells.has(base(file)))).toEqual([]);
    expect(files.filter((file) => packageManagers.has(base(file)))).toEqual([]);
    expect(files.filter((file) => file.split("/").includes("node_modules"))).toEqual([]);
  });

  it("holds no secrets", () => {
    expect(files.filter((file) => /(^|\/)(\.env|\.npmrc|id_rsa|id_ed25519)$|\.(pem|key)$/.test(file))).toEqual([]);
    expect(bundle).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
  });

  it("bundles no dev dependency (read from the bundle's source map, which the image ships)", async () => {
    const built = await readFile(await copyOut(buildStageImage, "/repo/packages/server/dist/server.mjs"), "utf8");
    expect(built).toBe(bundle); // the image holds the build stage's bundle
    const map = JSON.parse(await readFile(await copyOut(e2e.image, `/${SOURCE_MAP}`), "utf8")) as {
      sources: string[];
    };
    const telemetryMap = JSON.parse(await readFile(await copyOut(e2e.image, `/${TELEMETRY_SOURCE_MAP}`), "utf8")) as {
      sources: string[];
    };
    const bundled = packagesOf([...map.sources, ...telemetryMap.sources]);
    recordMetrics({ bundledPackages: bundled });
    expect(bundled).toContain("@grpc/grpc-js");
    expect(bundled).toContain("@opentelemetry/sdk-trace");
    // Dev-only: the server's and the root's devDependencies that no package the server runs on (the
    // engine) needs in production (the server's tests use the engine's connect-es as their client too).
    const runtime = await dependencyNames("packages/rpc-server/package.json", "dependencies");
    const devOnly = [
      ...(await dependencyNames("packages/server/package.json", "devDependencies")),
      ...(await dependencyNames("package.json", "devDependencies")),
    ].filter((name) => !runtime.includes(name));
    expect(bundled.filter((name) => devOnly.includes(name))).toEqual([]);
  });

  it("runs as a non-root user", async () => {
    const { user } = await inspectImage(e2e.image);
    expect(user).not.toMatch(/^(|0|root)(:|$)/);
  });

  it("writes nothing to its filesystem while serving (docker diff of a writable container is empty)", async () => {
    const server = await startServerContainer(e2e.image, e2e.runId, { readOnlyRootFilesystem: false });
    try {
      const calculator = createCalculatorClient(server.address, { tls: false });
      expect(await calculator.add(2, 3)).toBe(5);
      await expect(calculator.divide(1, 0)).rejects.toThrow();
      const results: number[] = [];
      for await (const result of calculator.calculateMany([{ firstOperand: 1, secondOperand: 1, operation: "ADD" }])) {
        results.push(result);
      }
      expect(results).toEqual([2]);
      calculator.close();
      expect((await docker(["diff", server.container.getId()])).trim()).toBe("");
    } finally {
      await server.container.stop({ timeout: 10_000 });
    }
  });
});
