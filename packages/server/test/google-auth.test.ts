// Google's endpoint: application default credentials through google-auth-library, all on loopback. A
// local stand-in for Cloud Run's metadata server hands out the token; the bundle, with no credentials to
// be found (and metadata-server detection off), logs why and serves on.
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { calculateOnce, calculatorClient, listeningPort, spawnServer } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "grpc-calculator-adc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("googleCredentials (src/telemetry/google-auth.ts)", () => {
  it("on Cloud Run: the runtime service account's token and project from the metadata server", async () => {
    // A stand-in for the metadata server on loopback (gcp-metadata honours GCE_METADATA_HOST).
    const asked: string[] = [];
    const metadata = createServer((request, response) => {
      asked.push(String(request.url));
      const answers: Record<string, string> = {
        "/computeMetadata/v1/instance/service-accounts/default/token": JSON.stringify({
          access_token: "token-from-metadata",
          expires_in: 3600,
          token_type: "Bearer",
        }),
        "/computeMetadata/v1/project/project-id": "metadata-project",
      };
      const answer = answers[String(request.url).split("?")[0] ?? ""];
      if (request.headers["metadata-flavor"] !== "Google" || answer === undefined) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { "metadata-flavor": "Google", "content-type": "application/json" }).end(answer);
    });
    metadata.listen(0, "127.0.0.1");
    await once(metadata, "listening");
    const { port } = metadata.address() as { port: number };
    Object.assign(process.env, {
      GCE_METADATA_HOST: `127.0.0.1:${port}`,
      METADATA_SERVER_DETECTION: "assume-present",
      HOME: dir, // no gcloud application-default login to find
    });
    try {
      const { googleCredentials } = await import("../src/telemetry/google-auth.js");
      const credentials = await googleCredentials();
      expect(credentials.projectId).toBe("metadata-project");
      await expect(credentials.headers()).resolves.toMatchObject({ authorization: "Bearer token-from-metadata" });
      // Cached until it expires: one token request for many exports.
      await credentials.headers();
      expect(asked.filter((url) => url.includes("/token")).length).toBe(1);
    } finally {
      metadata.close();
    }
  });

  it("the bundle without credentials for Google's endpoint logs why telemetry is off and serves on", async () => {
    const bundle = fileURLToPath(new URL("../dist/server.mjs", import.meta.url));
    const server = spawnServer(bundle, {
      OTEL_EXPORTER_OTLP_ENDPOINT: "https://telemetry.googleapis.com",
      // No metadata server here: google-auth-library must not go looking for one.
      METADATA_SERVER_DETECTION: "none",
      HOME: dir,
    });
    const port = await listeningPort(server);
    const client = calculatorClient(port);
    await expect(calculateOnce(client, { firstOperand: 1, secondOperand: 2 })).resolves.toBe(3);
    const line = await server.waitForLine((candidate) => String(candidate.message).includes("could not start"));
    expect(line).toMatchObject({ severity: "ERROR" });
    expect(JSON.stringify(line.err)).toMatch(/default credentials/);
    await expect(calculateOnce(client, { firstOperand: 2, secondOperand: 2 })).resolves.toBe(4);
    client.close();
    server.child.kill("SIGTERM");
    await expect(server.exited).resolves.toMatchObject({ code: 0 });
  });
});
