import { type BoundPorts, GenericContainer, type StartedTestContainer, type WaitStrategy } from "testcontainers";
import { containerOutput, inspectContainer } from "./docker.js";
import { waitUntilServing } from "./health.js";

/** The port Cloud Run injects as PORT (not the server's default 50051, so the test proves it is read). */
export const CLOUD_RUN_PORT = 8080;
/** Label on every container this suite starts, so teardown can remove leftovers. */
export const CONTAINER_LABEL = "org.grpc-calculator.e2e";

/** Readiness is a grpc.health.v1 SERVING answer: the image has no shell for testcontainers' port probe. */
class GrpcHealthWaitStrategy implements WaitStrategy {
  servingAt: Date | undefined;
  private startupTimeoutMs: number | undefined;

  async waitUntilReady(
    container: Parameters<WaitStrategy["waitUntilReady"]>[0],
    boundPorts: BoundPorts,
  ): Promise<void> {
    const address = `127.0.0.1:${boundPorts.getBinding(CLOUD_RUN_PORT)}`;
    // A server that exits at start (bad config, crash) fails the wait at once, with its output.
    const exited = (container.wait() as Promise<{ StatusCode: number }>).then(async ({ StatusCode }) => {
      const output = await containerOutput(container.id, 20).catch(() => "");
      throw new Error(`the server container exited with ${StatusCode} before SERVING${output ? `:\n${output}` : ""}`);
    });
    exited.catch(() => undefined);
    this.servingAt = await Promise.race([waitUntilServing(address, this.getStartupTimeout()), exited]);
  }

  withStartupTimeout(startupTimeoutMs: number): this {
    this.startupTimeoutMs = startupTimeoutMs;
    return this;
  }

  isStartupTimeoutSet(): boolean {
    return this.startupTimeoutMs !== undefined;
  }

  getStartupTimeout(): number {
    return this.startupTimeoutMs ?? 30_000;
  }
}

/** The container the way Cloud Run runs it: PORT injected, read-only root filesystem, the image's own user. */
class CloudRunStyleContainer extends GenericContainer {
  constructor(image: string, runId: string, readOnlyRootFilesystem: boolean, env: Record<string, string>) {
    super(image);
    this.withEnvironment({ ...env, PORT: String(CLOUD_RUN_PORT) })
      .withExposedPorts(CLOUD_RUN_PORT)
      .withLabels({ [CONTAINER_LABEL]: runId })
      .withStartupTimeout(30_000);
    // Loopback only: testcontainers would publish the port on every interface.
    this.hostConfig.PortBindings = { [`${CLOUD_RUN_PORT}/tcp`]: [{ HostIp: "127.0.0.1", HostPort: "0" }] };
    this.hostConfig.ReadonlyRootfs = readOnlyRootFilesystem;
  }
}

export interface ServerContainer {
  readonly container: StartedTestContainer;
  /** host:port of the published gRPC port on 127.0.0.1. */
  readonly address: string;
  /** From the container's start (docker's State.StartedAt) to the first SERVING health answer. */
  readonly startToServingMs: number;
}

export interface StartOptions {
  /** Default true. The hardening test also runs one writable container to see what the server writes. */
  readonly readOnlyRootFilesystem?: boolean;
  /** Extra environment (the service's configuration, e.g. CORS_ALLOWED_ORIGINS). */
  readonly env?: Record<string, string>;
  /** Host directories mounted read-only over paths of the image (e.g. a damaged compile cache). */
  readonly readOnlyMounts?: readonly { readonly source: string; readonly target: string }[];
}

export async function startServerContainer(
  image: string,
  runId: string,
  options: StartOptions = {},
): Promise<ServerContainer> {
  const wait = new GrpcHealthWaitStrategy();
  const container = await new CloudRunStyleContainer(
    image,
    runId,
    options.readOnlyRootFilesystem ?? true,
    options.env ?? {},
  )
    .withBindMounts((options.readOnlyMounts ?? []).map((mount) => ({ ...mount, mode: "ro" as const })))
    .withWaitStrategy(wait)
    .start();
  const { startedAt } = await inspectContainer(container.getId());
  const servingAt = wait.servingAt ?? new Date();
  return {
    container,
    address: `127.0.0.1:${container.getMappedPort(CLOUD_RUN_PORT)}`,
    startToServingMs: servingAt.getTime() - startedAt.getTime(),
  };
}
