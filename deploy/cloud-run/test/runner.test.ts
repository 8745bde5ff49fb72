import { describe, expect, it } from "vitest";
import { spawnRunner } from "../src/index.js";

describe("spawnRunner", () => {
  it("captures a command's output and exit code without a shell", async () => {
    const result = await spawnRunner.run(
      [
        process.execPath,
        "-e",
        "process.stdout.write(process.argv[1]); console.error('oops'); process.exit(3)",
        "a b;$(no)",
      ],
      { cwd: process.cwd(), capture: true },
    );
    expect(result).toEqual({ code: 3, stdout: "a b;$(no)", stderr: "oops\n" });
  });

  it("reports a command that cannot start as exit 127 with the reason", async () => {
    const result = await spawnRunner.run(["/nonexistent/gcloud", "version"], { cwd: process.cwd(), capture: true });
    expect(result.code).toBe(127);
    expect(result.stderr).toContain("ENOENT");
  });
});
