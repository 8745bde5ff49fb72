import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** The `calculator` bin of @grpc-calculator/client, found the way npm links it: from its package.json. */
function calculatorBin(): string {
  const manifestPath = createRequire(import.meta.url).resolve("@grpc-calculator/client/package.json");
  const { bin } = JSON.parse(readFileSync(manifestPath, "utf8")) as { bin: { calculator: string } };
  return join(dirname(manifestPath), bin.calculator);
}

/** Runs `calculator <args> --json` with node and returns its parsed JSON output; rejects on a non-zero exit. */
export async function runCalculatorCli(args: readonly string[]): Promise<unknown> {
  const { stdout } = await execFileAsync(process.execPath, [calculatorBin(), ...args, "--json"], { timeout: 30_000 });
  return JSON.parse(stdout) as unknown;
}
