import { Client, type ChannelCredentials, Metadata, credentials as grpcCredentials, status } from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";

interface HealthMethod {
  path: string;
  requestSerialize: (request: { service: string }) => Buffer;
  responseDeserialize: (bytes: Buffer) => { status: string };
}
/** grpc.health.v1 Health/Check and Watch, as the maintained grpc-health-check package defines them. */
const check = healthService.Check as unknown as HealthMethod;
const watch = healthService.Watch as unknown as HealthMethod;

export interface HealthOptions {
  /** Default: plaintext. */
  readonly credentials?: ChannelCredentials;
  /** The service to ask about; "" (the server as a whole) by default. */
  readonly service?: string;
}

/**
 * Waits until the server at `address` (host:port) answers SERVING, and returns when it did.
 *
 * One Check call with `waitForReady`: grpc-js keeps connecting (every 50-100 ms here) until the port
 * answers, so there is no sleep loop; NOT_SERVING answers are asked again. Fails after `timeoutMs`.
 */
export async function waitUntilServing(address: string, timeoutMs: number, options: HealthOptions = {}): Promise<Date> {
  const client = new Client(address, options.credentials ?? grpcCredentials.createInsecure(), {
    "grpc.initial_reconnect_backoff_ms": 50,
    "grpc.max_reconnect_backoff_ms": 100,
  });
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  try {
    for (let attempt = 0; Date.now() < deadline && attempt < 1000; attempt++) {
      try {
        const answer = await checkOnce(client, options.service ?? "", deadline, true);
        if (answer === "SERVING") return new Date();
        last = answer;
      } catch (error) {
        last = (error as Error).message;
        if ((error as { code?: number }).code === status.DEADLINE_EXCEEDED) break;
      }
    }
  } finally {
    client.close();
  }
  throw new Error(`${address} was not SERVING within ${timeoutMs} ms (last: ${last})`);
}

/** One Check call on a fresh channel: the serving status, or the call's error. */
export async function checkHealth(address: string, timeoutMs: number, options: HealthOptions = {}): Promise<string> {
  const client = new Client(address, options.credentials ?? grpcCredentials.createInsecure());
  try {
    return await checkOnce(client, options.service ?? "", Date.now() + timeoutMs, false);
  } finally {
    client.close();
  }
}

function checkOnce(client: Client, service: string, deadline: number, waitForReady: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      check.path,
      check.requestSerialize,
      check.responseDeserialize,
      { service },
      new Metadata({ waitForReady }),
      { deadline },
      (error, response) => (error || !response ? reject(error ?? new Error("empty answer")) : resolve(response.status)),
    );
  });
}

export interface HealthWatch {
  /** Resolves with the first status other than SERVING, or with how the stream ended if it ended first. */
  readonly leftServing: Promise<string>;
  /** Cancels the Watch call and closes its channel. */
  close(): void;
}

/**
 * Opens a Health/Watch stream and resolves once the server reported SERVING on it; from then on
 * `leftServing` tells, as the server pushes it, when it stops serving (a readiness signal, no polling).
 */
export async function watchWhileServing(
  address: string,
  timeoutMs: number,
  options: HealthOptions = {},
): Promise<HealthWatch> {
  const client = new Client(address, options.credentials ?? grpcCredentials.createInsecure());
  const call = client.makeServerStreamRequest(watch.path, watch.requestSerialize, watch.responseDeserialize, {
    service: options.service ?? "",
  });
  const close = () => {
    call.cancel();
    client.close();
  };
  let serving!: () => void;
  let notServing!: (how: string) => void;
  const servingSeen = new Promise<void>((resolve) => (serving = resolve));
  const leftServing = new Promise<string>((resolve) => (notServing = resolve));
  call.on("data", ({ status: answer }: { status: string }) => (answer === "SERVING" ? serving() : notServing(answer)));
  call.on("error", (error: Error) => notServing(`stream ended: ${error.message}`));
  call.on("end", () => notServing("stream ended"));
  const timer = setTimeout(() => notServing("timed out"), timeoutMs);
  leftServing.finally(() => clearTimeout(timer)).catch(() => undefined);
  const first = await Promise.race([servingSeen.then(() => "SERVING"), leftServing]);
  if (first !== "SERVING") {
    close();
    throw new Error(`Health/Watch on ${address} did not report SERVING (${first})`);
  }
  return { leftServing, close };
}
