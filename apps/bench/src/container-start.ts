// Container start → first SERVING health answer for one or more server images, measured the way the
// e2e suite reports it (docker's State.StartedAt to the first SERVING answer, host clock), run as Cloud
// Run runs the image (read-only root filesystem, PORT injected), interleaved so every image sees the
// same machine. Prints medians and each image's ratio to the first one:
//
//   pnpm --filter @grpc-calculator/bench run container-start -- [--runs 7] IMAGE [IMAGE...]
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { parseArgs } from "node:util";
import { requireExecutable } from "@grpc-calculator/test-tools";
import { waitForFirstAnswer } from "./first-answer.js";
import { median, ratio } from "./stats.js";

const run = promisify(execFile);
const PORT = 8080;

async function docker(...args: string[]): Promise<string> {
  return (await run("docker", args, { timeout: 60_000 })).stdout.trim();
}

/** One cold start of `image`: milliseconds from the container's start to its first SERVING answer. */
export async function containerStartToServing(image: string): Promise<number> {
  const id = await docker("run", "-d", "--read-only", "-e", `PORT=${PORT}`, "-p", `127.0.0.1::${PORT}`, image);
  try {
    const port = Number((await docker("port", id, `${PORT}/tcp`)).split("\n")[0]?.split(":").pop());
    await waitForFirstAnswer(port, "health", performance.now(), 30_000, () => false);
    const servingAt = Date.now();
    const startedAt = Date.parse(await docker("inspect", "-f", "{{.State.StartedAt}}", id));
    return servingAt - startedAt;
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
  for (const image of images) await containerStartToServing(image); // warm the page cache once each
  for (let i = 0; i < Number(values.runs); i++) {
    for (const image of images) samples.get(image)?.push(await containerStartToServing(image));
  }
  const first = median(samples.get(images[0]!) ?? []);
  for (const [image, ms] of samples) {
    const m = median(ms);
    console.log(
      `${image}: median ${m.toFixed(0)} ms (${ms.map((v) => v.toFixed(0)).join(", ")}), ÷ ${images[0]} ${ratio(m, first).toFixed(2)}×`,
    );
  }
}

await main();
