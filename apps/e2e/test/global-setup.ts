import { requireExecutable } from "@grpc-calculator/test-tools";
import type { TestProject } from "vitest/node";
import { generateOpenapiTypes } from "../scripts/openapi-types.mjs";
import { dockerAvailable, inspectImage, removeContainersLabelled } from "../src/docker.js";
import { buildServerImage, resolveBaseImages, serverImage } from "../src/image.js";
import { mib, recordMetrics, resetMetrics, writeReport } from "../src/report.js";
import { CONTAINER_LABEL } from "../src/server-container.js";
import { removeLeftoverFrontEnds } from "../src/tls-front-end.js";

export interface E2eContext {
  /** E2E_SKIP_CONTAINER=1: every test is skipped (and reported as skipped). */
  readonly skip: boolean;
  readonly image: string;
  readonly runtimeImage: string;
  /** Label value on this run's containers. */
  readonly runId: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    e2e: E2eContext;
  }
}

/** Builds the server image once per run from the real Dockerfile; the teardown removes this run's containers. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runId = `${process.pid}-${Date.now()}`;
  const suiteStarted = Date.now();
  resetMetrics();
  if (process.env.E2E_SKIP_CONTAINER === "1") {
    console.log(
      "e2e: SKIPPED: E2E_SKIP_CONTAINER=1, the container suite did not run (its tests count as skipped, not passed)",
    );
    project.provide("e2e", { skip: true, image: "", runtimeImage: "", runId });
    recordMetrics({ skipped: "E2E_SKIP_CONTAINER=1" });
    return () => Promise.resolve(void writeReport());
  }
  requireExecutable("docker", "or set E2E_SKIP_CONTAINER=1 to skip the container suite");
  if (!(await dockerAvailable())) {
    const error = new Error(
      "e2e: the Docker engine does not answer (`docker info`): start it (`bash .ci/setup.sh --tests` does), or set E2E_SKIP_CONTAINER=1 to skip the container suite",
    );
    error.stack = error.message;
    throw error;
  }

  // The REST client's types, fresh from the published OpenAPI document (test/openapi-client.test.ts).
  await generateOpenapiTypes();
  const base = await resolveBaseImages();
  const buildStarted = Date.now();
  await buildServerImage(base);
  const buildMs = Date.now() - buildStarted;
  const [image, runtime] = await Promise.all([inspectImage(serverImage), inspectImage(base.runtimeImage)]);
  recordMetrics({
    baseImages: base.kind,
    runtimeBaseImage: base.runtimeImage,
    imageBuildMs: buildMs,
    imageSizeMiB: mib(image.size),
    runtimeBaseSizeMiB: mib(runtime.size),
    appLayerKiB: Math.round((image.size - runtime.size) / 1024),
  });
  project.provide("e2e", { skip: false, image: serverImage, runtimeImage: base.runtimeImage, runId });

  return async () => {
    const removed = await removeContainersLabelled(`${CONTAINER_LABEL}=${runId}`);
    if (removed > 0) console.log(`e2e: removed ${removed} leftover container(s)`);
    const frontEnds = await removeLeftoverFrontEnds(runId);
    if (frontEnds > 0) console.log(`e2e: removed ${frontEnds} leftover TLS front end(s)`);
    recordMetrics({ suiteMs: Date.now() - suiteStarted });
    writeReport();
  };
}
