import { Client, type ChannelCredentials, Metadata, credentials as grpcCredentials, status } from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";

/** grpc.health.v1 Health/Check, as the maintained grpc-health-check package defines it. */
const check = healthService.Check as unknown as {
  path: string;
  requestSerialize: (request: { service: string }) => Buffer;
  responseDeserialize: (bytes: Buffer) => { status: string };
};

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
