import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** Runs the docker CLI and returns its stdout; rejects with its stderr on a non-zero exit. */
export async function docker(args: readonly string[], timeoutMs = 60_000): Promise<string> {
  try {
    const { stdout } = await execFileAsync("docker", args, { timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`docker ${args.join(" ")} failed${stderr ? `: ${stderr}` : ""}`, { cause: error });
  }
}

/** A container's output, stdout and stderr together (the last `tail` lines of each). */
export async function containerOutput(id: string, tail = 50): Promise<string> {
  const { stdout, stderr } = await execFileAsync("docker", ["logs", "--tail", String(tail), id], { timeout: 30_000 });
  return `${stdout}${stderr}`.trim();
}

/** Whether a Docker engine answers. */
export async function dockerAvailable(): Promise<boolean> {
  try {
    await docker(["info", "--format", "{{.ServerVersion}}"], 15_000);
    return true;
  } catch {
    return false;
  }
}

export interface ImageFacts {
  /** Total size in bytes, base layers included. */
  readonly size: number;
  /** The user the image runs as (`Config.User`), "" for root. */
  readonly user: string;
  readonly entrypoint: readonly string[] | null;
  readonly cmd: readonly string[] | null;
  readonly env: readonly string[];
}

export async function inspectImage(image: string): Promise<ImageFacts> {
  const [info] = JSON.parse(await docker(["image", "inspect", image])) as {
    Size: number;
    Config: { User?: string; Entrypoint: string[] | null; Cmd: string[] | null; Env?: string[] };
  }[];
  if (!info) throw new Error(`no image ${image}`);
  return {
    size: info.Size,
    user: info.Config.User ?? "",
    entrypoint: info.Config.Entrypoint,
    cmd: info.Config.Cmd,
    env: info.Config.Env ?? [],
  };
}

/** Every path in an image's filesystem (`docker export | tar -t`), without a leading "./" or trailing "/". */
export async function imageFiles(image: string): Promise<string[]> {
  const id = (await docker(["create", image])).trim();
  try {
    return await new Promise<string[]>((resolve, reject) => {
      const exporter = spawn("docker", ["export", id], { stdio: ["ignore", "pipe", "inherit"] });
      const tar = spawn("tar", ["-t"], { stdio: ["pipe", "pipe", "inherit"] });
      exporter.stdout.pipe(tar.stdin);
      let listing = "";
      tar.stdout.setEncoding("utf8").on("data", (chunk: string) => (listing += chunk));
      exporter.on("error", reject);
      tar.on("error", reject);
      tar.on("close", (code) => {
        if (code !== 0) reject(new Error(`tar -t exited with ${code}`));
        else
          resolve(
            listing
              .split("\n")
              .filter(Boolean)
              .map((p) => p.replace(/^\.\//, "").replace(/\/$/, "")),
          );
      });
    });
  } finally {
    await docker(["rm", id]);
  }
}

/** Copies one file out of an image (through a created, never started, container). */
export async function copyFromImage(image: string, path: string, destination: string): Promise<void> {
  const id = (await docker(["create", image])).trim();
  try {
    await docker(["cp", `${id}:${path}`, destination]);
  } finally {
    await docker(["rm", id]);
  }
}

export interface ContainerState {
  readonly running: boolean;
  readonly exitCode: number;
  readonly pid: number;
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

export async function inspectContainer(id: string): Promise<ContainerState> {
  const [info] = JSON.parse(await docker(["container", "inspect", id])) as {
    State: { Running: boolean; ExitCode: number; Pid: number; StartedAt: string; FinishedAt: string };
  }[];
  if (!info) throw new Error(`no container ${id}`);
  return {
    running: info.State.Running,
    exitCode: info.State.ExitCode,
    pid: info.State.Pid,
    startedAt: new Date(info.State.StartedAt),
    finishedAt: new Date(info.State.FinishedAt),
  };
}

/** Removes every container carrying a label (`key=value`), running or not. */
export async function removeContainersLabelled(label: string): Promise<number> {
  const ids = (await docker(["ps", "-aq", "--filter", `label=${label}`])).split("\n").filter(Boolean);
  if (ids.length > 0) await docker(["rm", "-f", "-v", ...ids]);
  return ids.length;
}
