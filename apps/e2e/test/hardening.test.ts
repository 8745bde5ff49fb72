// The runtime image holds the Node runtime of its base and the bundle, nothing else: no shell, no package
// manager, no dev dependencies, no secrets; and the server writes nothing to its filesystem.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createCalculatorClient } from "@grpc-calculator/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { docker, imageFiles, inspectImage } from "../src/docker.js";
import { repoRoot } from "../src/paths.js";
import { recordMetrics } from "../src/report.js";
import { startServerContainer } from "../src/server-container.js";

const e2e = inject("e2e");
const BUNDLE = "app/server.mjs";
const base = (path: string) => path.slice(path.lastIndexOf("/") + 1);

describe.skipIf(e2e.skip)("the runtime image, hardened", () => {
  let files: string[];
  let baseFiles: Set<string>;
  let bundle: string;

  beforeAll(async () => {
    [files, baseFiles] = await Promise.all([imageFiles(e2e.image), imageFiles(e2e.runtimeImage).then((list) => new Set(list))]);
    const id = (await docker(["create", e2e.image])).trim();
    try {
      bundle = await docker(["cp", `${id}:/${BUNDLE}`, "-"]); // a tar stream holding the one file; text is enough here
    } finally {
      await docker(["rm", id]);
    }
  });
  afterAll(() => {
    const added = files?.filter((file) => !baseFiles.has(file)) ?? [];
    recordMetrics({ imageFileCount: files?.length, baseFileCount: baseFiles?.size, filesAddedToBase: added, imageFiles: files });
  });

  it("adds only the bundle to the runtime base", () => {
    const added = files.filter((file) => !baseFiles.has(file)).sort();
    expect(added).toEqual(["app", BUNDLE]);
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

  it("holds no secrets and no dev dependencies", async () => {
    expect(files.filter((file) => /(^|\/)(\.env|\.npmrc|id_rsa|id_ed25519)$|\.(pem|key)$/.test(file))).toEqual([]);
    expect(bundle).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
    const { devDependencies = {} } = JSON.parse(await readFile(join(repoRoot, "packages/server/package.json"), "utf8")) as {
      devDependencies?: Record<string, string>;
    };
    for (const name of Object.keys(devDependencies)) {
      expect(bundle, `${name} is bundled`).not.toContain(`node_modules/.pnpm/${name.replace("/", "+")}@`);
    }
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
