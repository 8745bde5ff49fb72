import { ServerCredentials, status as Status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCalculatorClient } from "../src/index.js";
import { nodeAllowsIpServerName } from "../src/node/connection.js";
import {
  defaultHandlers,
  startTestServer,
  statusError,
  type TestHandlers,
  type TestServer,
} from "./helpers/test-server.js";
import { selfSignedCertificate } from "./helpers/tls.js";

const certificate = selfSignedCertificate();
let tlsServer: TestServer;
let plainServer: TestServer;
const authorizations: (string | undefined)[] = [];

// Both servers answer only calls that carry a bearer token starting "tok-", as a private Cloud Run service would.
const checkingHandlers: TestHandlers = {
  calculate(call, callback) {
    const header = call.metadata.get("authorization")[0]?.toString();
    authorizations.push(header);
    if (!header?.startsWith("Bearer tok-"))
      return callback(statusError(Status.UNAUTHENTICATED, "missing bearer token"));
    callback(null, { result: call.request.firstOperand + call.request.secondOperand });
  },
  calculateStream(call) {
    const header = call.metadata.get("authorization")[0]?.toString();
    authorizations.push(header);
    if (!header?.startsWith("Bearer tok-"))
      return call.emit("error", statusError(Status.UNAUTHENTICATED, "missing bearer token"));
    defaultHandlers.calculateStream(call);
  },
};

beforeAll(async () => {
  tlsServer = await startTestServer(checkingHandlers, {
    credentials: ServerCredentials.createSsl(null, [{ cert_chain: certificate.cert, private_key: certificate.key }]),
  });
  plainServer = await startTestServer(checkingHandlers);
});
afterAll(async () => {
  await tlsServer.close();
  await plainServer.close();
  certificate.dispose();
});

const counter = () => {
  let n = 0;
  return () => `tok-${++n}`;
};

describe("TLS", () => {
  it("trusts a custom root CA (localhost)", async () => {
    await using calculator = createCalculatorClient(`localhost:${tlsServer.port}`, {
      rootCertificates: certificate.cert,
      auth: () => "tok-x",
    });
    expect(calculator.target.tls).toBe(true);
    expect(await calculator.add(2, 3)).toBe(5);
  });

  it("TLS to an IP address: trusts the custom root CA before Node 26; refused at once, naming why, on 26 and later", async () => {
    const target = `127.0.0.1:${tlsServer.port}`;
    if (!nodeAllowsIpServerName()) {
      expect(() => createCalculatorClient(target, { rootCertificates: certificate.cert })).toThrow(
        /TLS to an IP address \(127\.0\.0\.1\) does not work on Node 2\d.*Use a host name/,
      );
      return;
    }
    await using calculator = createCalculatorClient(target, {
      rootCertificates: certificate.cert,
      auth: () => "tok-x",
    });
    expect(calculator.target.tls).toBe(true);
    expect(await calculator.add(2, 3)).toBe(5);
  });

  it("accepts https:// with the CA", async () => {
    await using calculator = createCalculatorClient(`https://localhost:${tlsServer.port}`, {
      rootCertificates: certificate.cert.toString(),
      auth: () => "tok-x",
    });
    expect(await calculator.add(2, 3)).toBe(5);
  });

  it("rejects the self-signed certificate with the system roots", async () => {
    await using calculator = createCalculatorClient(`localhost:${tlsServer.port}`, { tls: true, timeoutMs: 5_000 });
    await expect(calculator.add(2, 3)).rejects.toMatchObject({ codeName: "UNAVAILABLE" });
  });

  it("fails a plaintext client against the TLS server", async () => {
    await using calculator = createCalculatorClient(`localhost:${tlsServer.port}`, { timeoutMs: 5_000 });
    await expect(calculator.add(2, 3)).rejects.toMatchObject({ codeName: "UNAVAILABLE" });
  });

  it("refuses a CA with a plaintext target", () => {
    expect(() => createCalculatorClient("http://localhost:1", { rootCertificates: certificate.cert })).toThrow(
      /contradicts/,
    );
  });
});

describe("auth", () => {
  it("sends authorization: Bearer <token> on each call over TLS, asking the token source each time", async () => {
    await using calculator = createCalculatorClient(`localhost:${tlsServer.port}`, {
      rootCertificates: certificate.cert,
      auth: counter(),
    });
    authorizations.length = 0;
    expect(await calculator.add(1, 2)).toBe(3);
    expect(await calculator.add(3, 4)).toBe(7);
    expect(authorizations).toEqual(["Bearer tok-1", "Bearer tok-2"]);
  });

  it("sends the header over plaintext too, when the caller chose plaintext, with an async source", async () => {
    await using calculator = createCalculatorClient(`127.0.0.1:${plainServer.port}`, {
      auth: async () => Promise.resolve("Bearer tok-async"),
    });
    authorizations.length = 0;
    expect(await calculator.add(1, 2)).toBe(3);
    expect(authorizations).toEqual(["Bearer tok-async"]);
  });

  it.each([
    ["TLS", true],
    ["plaintext", false],
  ])("sends the header on calculateMany streams too (%s)", async (_name, tls) => {
    await using calculator = createCalculatorClient(`localhost:${tls ? tlsServer.port : plainServer.port}`, {
      ...(tls ? { rootCertificates: certificate.cert } : {}),
      auth: () => "tok-stream",
    });
    authorizations.length = 0;
    const results: number[] = [];
    const operations = [1, 2, 3].map((n) => ({ firstOperand: n, secondOperand: n, operation: "ADD" as const }));
    for await (const result of calculator.calculateMany(operations)) results.push(result);
    expect(results).toEqual([2, 4, 6]);
    expect(authorizations).toEqual(["Bearer tok-stream"]);
  });

  it("without auth, the checking server answers UNAUTHENTICATED", async () => {
    await using calculator = createCalculatorClient(`127.0.0.1:${plainServer.port}`);
    await expect(calculator.add(1, 2)).rejects.toMatchObject({
      codeName: "UNAUTHENTICATED",
      details: "missing bearer token",
    });
  });

  it.each([
    ["TLS", true],
    ["plaintext", false],
  ])("a failing token source fails the call with UNAUTHENTICATED before it is sent (%s)", async (_name, tls) => {
    const port = tls ? tlsServer.port : plainServer.port;
    await using calculator = createCalculatorClient(`localhost:${port}`, {
      ...(tls ? { rootCertificates: certificate.cert } : {}),
      auth: () => Promise.reject(new Error("no credentials here")),
    });
    authorizations.length = 0;
    const error = await calculator.add(1, 2).catch((e: unknown) => e);
    expect(error).toMatchObject({ codeName: "UNAUTHENTICATED" });
    expect((error as Error).message).toMatch(/no credentials here/);
    expect(authorizations).toEqual([]);
  });

  it('auth: "google" loads google-auth-library lazily and reports missing credentials as UNAUTHENTICATED', async () => {
    // A key file that does not exist: google-auth-library fails locally, without any network.
    const previous = process.env.GOOGLE_APPLICATION_CREDENTIALS;
    process.env.GOOGLE_APPLICATION_CREDENTIALS = "/nonexistent/calculator-test-key.json";
    try {
      await using calculator = createCalculatorClient(`localhost:${tlsServer.port}`, {
        rootCertificates: certificate.cert,
        auth: "google",
      });
      authorizations.length = 0;
      const error = await calculator.add(1, 2).catch((e: unknown) => e);
      expect(error).toMatchObject({ codeName: "UNAUTHENTICATED" });
      expect((error as Error).message).toMatch(/calculator-test-key\.json/);
      expect(authorizations).toEqual([]);
    } finally {
      if (previous === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
      else process.env.GOOGLE_APPLICATION_CREDENTIALS = previous;
    }
  });
});
