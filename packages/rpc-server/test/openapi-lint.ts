// An OpenAPI document through Redocly CLI's linter (pinned devDependency, bundled: no download, no
// network with telemetry and the update check off), for the tests that check a generated document is
// valid OpenAPI 3.1: the engine's own, and packages/proto's for the calculator.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

export interface LintProblem {
  readonly ruleId: string;
  readonly severity: "error" | "warn";
  readonly message: string;
  readonly location: readonly { readonly pointer: string }[];
}

export interface LintResult {
  readonly errors: number;
  readonly warnings: number;
  readonly problems: readonly LintProblem[];
}

const cli = join(dirname(createRequire(import.meta.url).resolve("@redocly/cli/package.json")), "bin/cli.js");

/**
 * Lints `document` with Redocly's rules: the given redocly.yaml, or its `recommended` ruleset.
 * Resolves with the totals and every problem (a failing lint is a result, not an exception).
 */
export async function lintOpenApi(document: unknown, config?: string): Promise<LintResult> {
  const dir = await mkdtemp(join(tmpdir(), "openapi-lint-"));
  try {
    const file = join(dir, "openapi.json");
    await writeFile(file, JSON.stringify(document));
    const configFile = config ?? join(dir, "redocly.yaml");
    if (config === undefined) await writeFile(configFile, "extends:\n  - recommended\n");
    const output = await promisify(execFile)(
      process.execPath,
      [cli, "lint", file, "--format=json", `--config=${configFile}`],
      {
        env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
        maxBuffer: 16 * 1024 * 1024,
      },
    ).catch((error: unknown) => {
      // The linter exits 1 when it finds errors; its report is on stdout all the same.
      if (error instanceof Error && "stdout" in error && typeof error.stdout === "string") {
        return { stdout: error.stdout };
      }
      throw error;
    });
    const report = JSON.parse(output.stdout) as {
      totals: { errors: number; warnings: number };
      problems: LintProblem[];
    };
    return { errors: report.totals.errors, warnings: report.totals.warnings, problems: report.problems };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
