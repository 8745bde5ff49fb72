import { execFile } from "node:child_process";
import { type WriteStream, createWriteStream } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { spawn } from "node:child_process";
import { baseImagesScript, dockerfile, repoRoot, resultsDir } from "./paths.js";

const execFileAsync = promisify(execFile);

/** The image the suite builds and runs. */
export const serverImage = "grpc-calculator-server:e2e";
/** Its build stage (the repository after `turbo run build`), kept for the bundle's source map. */
export const buildStageImage = "grpc-calculator-server:e2e-build";

export interface BaseImages {
  /** The build args to pass (empty: the Dockerfile's public defaults). */
  readonly buildArgs: Readonly<Record<string, string>>;
  /** The runtime base, to tell the app layer from it. */
  readonly runtimeImage: string;
  /** "local" stand-ins or the "public" images. */
  readonly kind: "local" | "public";
}

/**
 * The base images: by default local stand-ins built from this machine's Node (no registry needed);
 * `E2E_BASE_IMAGES=public` uses the Dockerfile's public defaults (needs a registry).
 */
export async function resolveBaseImages(): Promise<BaseImages> {
  const choice = process.env.E2E_BASE_IMAGES ?? "local";
  if (choice === "public") {
    const text = await readFile(join(repoRoot, dockerfile), "utf8");
    const runtimeImage = /^ARG RUNTIME_IMAGE=(\S+)$/m.exec(text)?.[1];
    if (!runtimeImage) throw new Error(`${dockerfile} has no ARG RUNTIME_IMAGE default`);
    return { buildArgs: {}, runtimeImage, kind: "public" };
  }
  if (choice !== "local") throw new Error(`E2E_BASE_IMAGES must be "local" or "public", not ${JSON.stringify(choice)}`);
  // The script is idempotent: a second run only checks the images' labels.
  const { stdout } = await execFileAsync(baseImagesScript, [], { timeout: 240_000, maxBuffer: 16 * 1024 * 1024 });
  const buildArgs = Object.fromEntries(
    stdout
      .split("\n")
      .map((line) => /^(BUILD_IMAGE|RUNTIME_IMAGE)=(\S+)$/.exec(line.trim()))
      .filter((match) => match !== null)
      .map((match) => [match[1] as string, match[2] as string]),
  );
  const runtimeImage = buildArgs.RUNTIME_IMAGE;
  if (!buildArgs.BUILD_IMAGE || !runtimeImage) throw new Error(`${baseImagesScript} printed no image names`);
  return { buildArgs, runtimeImage, kind: "local" };
}

/**
 * Builds the server image from the repository's Dockerfile with the docker CLI, then tags its build stage
 * too (every step cached by then) so tests can read the bundle's source map there. The build log goes to
 * .results/docker-build.log. (testcontainers' `GenericContainer.fromDockerfile` drops the build's error
 * output and, when the build fails, finds an older image of the same tag and carries on with it; the CLI
 * fails loudly and uses the daemon's layer cache all the same.)
 */
export async function buildServerImage(base: BaseImages): Promise<void> {
  await mkdir(resultsDir, { recursive: true });
  const logPath = join(resultsDir, "docker-build.log");
  const log = createWriteStream(logPath);
  try {
    await dockerBuild(base, ["-t", serverImage], log, logPath);
    await dockerBuild(base, ["--target", "build", "-t", buildStageImage], log, logPath);
  } finally {
    await new Promise((resolve) => log.end(resolve));
  }
}

async function dockerBuild(
  base: BaseImages,
  extraArgs: readonly string[],
  log: WriteStream,
  logPath: string,
): Promise<void> {
  const args = ["build", "-f", dockerfile, ...extraArgs];
  for (const [name, value] of Object.entries(base.buildArgs)) args.push("--build-arg", `${name}=${value}`);
  args.push(".");
  let tail = "";
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn("docker", args, { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    const timer = setTimeout(() => child.kill("SIGTERM"), 240_000);
    const collect = (chunk: Buffer) => {
      log.write(chunk);
      tail = (tail + chunk.toString("utf8")).slice(-4000);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", reject);
    child.on("close", (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  if (code !== 0) {
    throw new Error(`docker ${args.join(" ")} failed (exit ${code}); full log: ${logPath}\n${tail}`);
  }
}
