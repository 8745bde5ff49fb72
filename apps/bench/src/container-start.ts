// Container start → first answer for one or more server images, run as Cloud Run runs the image (read-only
// root filesystem, PORT injected), the first answer a SERVING health answer (Cloud Run's startup probe) or
// a first gRPC `Calculate` result. Timed two ways: from docker's State.StartedAt (what the e2e suite
// reports) and from the `docker run` command (what a user waits through, creating the container included),
// both on the host clock. The CLI runs the images interleaved so every image sees the same machine, and
// prints medians and each image's ratio to the first one (from StartedAt to SERVING):
//
//   pnpm --filter @grpc-calculator/bench run container-start -- [--runs 7] IMAGE [IMAGE...]
//
// The cold-start run (src/cold-start.ts) uses `containerStart` for its image rows.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parseArgs } from "node:util";
import getPort from "get-port";
import { requireExecutable } from "@grpc-calculator/test-tools";
import { waitForFirstAnswer, type Readiness } from "./first-answer.js";
import { median, ratio } from "./stats.js";

const run = promisify(execFile);
const PORT = 8080;

async function docker(...args: string[]): Promise<string> {
  return (await run("docker", args, { timeout: 60_000 })).stdout.trim();
}

export interface ContainerStart {
  /** ms from the `docker run` command to the first ready answer. */
  fromRunMs: number;
  /** ms from the container's State.StartedAt to the first ready answer. */
  fromStartedMs: number;
}

export interface ContainerStartOptions {
  readiness?: Readiness;
  /** `--cpuset-cpus`: the container on these CPUs (e.g. the bench's server core), like one Cloud Run vCPU. */
  cpus?: string | undefined;
}

/**
 * One cold start of `image`, removed afterwards. The probe starts once `docker run -d` has returned (the
 * container has started): a connection through docker's port forwarding before the container's network is
 * up can hang for a second, where one after it is refused at once until the server listens.
 */
export async function containerStart(image: string, options: ContainerStartOptions = {}): Promise<ContainerStart> {
  const port = await getPort({ host: "127.0.0.1" });
  const cpus = options.cpus === undefined ? [] : ["--cpuset-cpus", options.cpus];
  const runAt = Date.now();
  const id = await docker(
    "run",
    "-d",
    "--read-only",
    ...cpus,
    "-e",
    `PORT=${PORT}`,
    "-p",
    `127.0.0.1:${port}:${PORT}`,
    image,
  );
  try {
    await waitForFirstAnswer(port, options.readiness ?? "health", performance.now(), 30_000, () => false);
    const answeredAt = Date.now();
    const startedAt = Date.parse(await docker("inspect", "-f", "{{.State.StartedAt}}", id));
    return { fromRunMs: answeredAt - runAt, fromStartedMs: answeredAt - startedAt };
  } finally {
    await docker("rm", "-f", id);
  }
}

async function main(): Promise<void> {
  const { values, positionals: images } = parseArgs({
    args: process.argv.slice(2).filter((arg) => arg !== "--"), // pnpm passes a separating "--" through
    options: { runs: { type: "string", default: "7" } },
    allowPositionals: true,
  });
  if (images.length === 0) throw new Error("usage: container-start [--runs N] IMAGE [IMAGE...]");
  requireExecutable("docker");
  const samples = new Map(images.map((image) => [image, [] as number[]]));
  for (const image of images) await containerStart(image); // warm the page cache once each
  for (let i = 0; i < Number(values.runs); i++) {
    for (const image of images) samples.get(image)?.push((await containerStart(image)).fromStartedMs);
  }
  const first = median(samples.get(images[0]!) ?? []);
  for (const [image, ms] of samples) {
    const m = median(ms);
    console.log(
      `${image}: median ${m.toFixed(0)} ms (${ms.map((v) => v.toFixed(0)).join(", ")}), ÷ ${images[0]} ${ratio(m, first).toFixed(2)}×`,
    );
  }
}

// Run as the CLI, not when imported.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await main();
