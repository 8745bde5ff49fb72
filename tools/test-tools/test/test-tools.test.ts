import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { MissingToolError, findExecutable, nodeBinary, nodeRuntimes, requireExecutable } from "../src/index.mjs";

const run = promisify(execFile);
const matrix = fileURLToPath(new URL("../bin/node-matrix.mjs", import.meta.url));

describe("the Node test runtimes", () => {
  it("declares the maintained majors 22, 24 and 26, each pinned to an exact version", () => {
    expect(Object.keys(nodeRuntimes).map(Number)).toEqual([22, 24, 26]);
    for (const [major, version] of Object.entries(nodeRuntimes))
      expect(version).toMatch(new RegExp(`^${major}\\.\\d+\\.\\d+$`));
  });

  it.each(Object.entries(nodeRuntimes))("Node %s runs and is the pinned version", async (major, version) => {
    const { stdout } = await run(nodeBinary(Number(major)), ["--version"]);
    expect(stdout.trim()).toBe(`v${version}`);
  });

  it("node-matrix runs the command on each major with that node first on PATH, and fails when one fails", async () => {
    const { stdout } = await run(process.execPath, [
      matrix,
      "22",
      "26",
      "--",
      "node",
      "-p",
      "process.version + ' {major}'",
    ]);
    expect(stdout).toContain(`v${nodeRuntimes[22]} 22`);
    expect(stdout).toContain(`v${nodeRuntimes[26]} 26`);
    const failing = await run(process.execPath, [matrix, "24", "--", "node", "-e", "process.exit(3)"]).catch(
      (error: unknown) => error as { code: number },
    );
    expect(failing).toMatchObject({ code: 3 });
  });
});

describe("external programs", () => {
  it("finds programs on PATH", () => {
    expect(findExecutable("node")).toMatch(/\/node$/);
    expect(findExecutable("node", "/nonexistent")).toBeUndefined();
  });

  it("names the setup command when a program is missing", () => {
    expect(() => requireExecutable("no-such-tool-grpc-calculator")).toThrow(
      new MissingToolError("no-such-tool-grpc-calculator"),
    );
    expect(() => requireExecutable("no-such-tool-grpc-calculator")).toThrow(
      "no-such-tool-grpc-calculator not found — run `bash .ci/setup.sh --tests`",
    );
  });
});
