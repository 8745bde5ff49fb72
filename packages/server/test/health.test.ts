import { credentials, Metadata, status, type ServiceError } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { HealthClient, ServingStatus } from "../src/index.js";
import { startTestServer } from "./helpers.js";

function check(client: HealthClient, service: string): Promise<ServingStatus> {
  return new Promise((resolve, reject) => {
    client.check({ service }, (error: ServiceError | null, response) =>
      error === null ? resolve(response.status) : reject(error),
    );
  });
}

describe("grpc.health.v1.Health", () => {
  it('answers SERVING for "" and "Calculator", NOT_FOUND for other services', async () => {
    const server = await startTestServer();
    const client = new HealthClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
    try {
      await expect(check(client, "")).resolves.toBe(ServingStatus.SERVING);
      await expect(check(client, "Calculator")).resolves.toBe(ServingStatus.SERVING);
      await expect(check(client, "Nope")).rejects.toMatchObject({
        code: status.NOT_FOUND,
        details: 'unknown service "Nope"',
      });
    } finally {
      client.close();
      await server.shutdown();
    }
  });

  it("Watch follows the status: SERVING, then NOT_SERVING as shutdown starts, then the call ends", async () => {
    const server = await startTestServer();
    const client = new HealthClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
    try {
      const seen: ServingStatus[] = [];
      const watch = client.watch({ service: "Calculator" }, new Metadata());
      const ended = new Promise<number>((resolve) => watch.on("status", (s: { code: number }) => resolve(s.code)));
      watch.on("error", () => undefined);
      const firstStatus = new Promise<void>((resolve) =>
        watch.on("data", (response: { status: ServingStatus }) => {
          seen.push(response.status);
          resolve();
        }),
      );
      await firstStatus;
      const unknown = client.watch({ service: "Other" });
      const unknownStatus = await new Promise<ServingStatus>((resolve) =>
        unknown.once("data", (r: { status: ServingStatus }) => resolve(r.status)),
      );
      unknown.cancel();
      unknown.on("error", () => undefined);
      expect(unknownStatus).toBe(ServingStatus.SERVICE_UNKNOWN);

      await server.shutdown();
      await expect(ended).resolves.toBe(status.OK);
      expect(seen).toEqual([ServingStatus.SERVING, ServingStatus.NOT_SERVING]);
      expect(server.health.get("")).toBe(ServingStatus.NOT_SERVING);
      // The server no longer accepts calls.
      await expect(check(client, "")).rejects.toMatchObject({ code: status.UNAVAILABLE });
    } finally {
      client.close();
    }
  });

  it("List reports every service", async () => {
    const server = await startTestServer();
    const client = new HealthClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
    try {
      const statuses = await new Promise((resolve, reject) =>
        client.list({}, (error: ServiceError | null, response) =>
          error === null ? resolve(response.statuses) : reject(error),
        ),
      );
      expect(statuses).toEqual({
        "": { status: ServingStatus.SERVING },
        Calculator: { status: ServingStatus.SERVING },
      });
    } finally {
      client.close();
      await server.shutdown();
    }
  });
});
