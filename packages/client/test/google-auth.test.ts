// auth: "google" with google-auth-library replaced by a fake (no network): which audience is asked
// for, and that its header reaches the server on each call.
import { ServerCredentials, status as Status } from "@grpc/grpc-js";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { createCalculatorClient, parseTarget } from "../src/index.js";
import { defaultAudience } from "../src/node/connection.js";
import { startTestServer, statusError, type TestServer } from "./helpers/test-server.js";
import { selfSignedCertificate } from "./helpers/tls.js";

const google = vi.hoisted(() => ({ audiences: [] as string[], constructed: 0 }));
vi.mock("google-auth-library", () => ({
  GoogleAuth: class {
    constructor() {
      google.constructed += 1;
    }
    getIdTokenClient(audience: string) {
      google.audiences.push(audience);
      return Promise.resolve({
        getRequestHeaders: () => Promise.resolve(new Headers({ authorization: `Bearer id-token-for-${audience}` })),
      });
    }
  },
}));

const certificate = selfSignedCertificate();
let server: TestServer;
const headers: (string | undefined)[] = [];

beforeAll(async () => {
  server = await startTestServer(
    {
      calculate(call, callback) {
        const header = call.metadata.get("authorization")[0]?.toString();
        headers.push(header);
        if (!header?.startsWith("Bearer id-token-for-"))
          return callback(statusError(Status.UNAUTHENTICATED, "no ID token"));
        callback(null, { result: call.request.firstOperand + call.request.secondOperand });
      },
    },
    {
      credentials: ServerCredentials.createSsl(null, [{ cert_chain: certificate.cert, private_key: certificate.key }]),
    },
  );
});
afterAll(async () => {
  await server.close();
  certificate.dispose();
});

it("asks for an ID token whose audience is the service URL, and sends it on every call", async () => {
  await using calculator = createCalculatorClient(`https://localhost:${server.port}`, {
    rootCertificates: certificate.cert,
    auth: "google",
  });
  headers.length = 0;
  expect(await calculator.add(1, 2)).toBe(3);
  expect(await calculator.add(2, 2)).toBe(4);
  const audience = `https://localhost:${server.port}`;
  expect(headers).toEqual([`Bearer id-token-for-${audience}`, `Bearer id-token-for-${audience}`]);
  expect(google.audiences).toEqual([audience]); // one ID token client per channel; it caches and refreshes tokens
});

it("takes an explicit audience", async () => {
  await using calculator = createCalculatorClient(`localhost:${server.port}`, {
    rootCertificates: certificate.cert,
    auth: "google",
    audience: "https://grpc-calculator-xxxx-uc.a.run.app",
  });
  headers.length = 0;
  expect(await calculator.add(1, 2)).toBe(3);
  expect(headers).toEqual(["Bearer id-token-for-https://grpc-calculator-xxxx-uc.a.run.app"]);
});

it.each([
  ["grpc-calculator-xxxx-uc.a.run.app", "https://grpc-calculator-xxxx-uc.a.run.app"],
  ["https://grpc-calculator-xxxx-uc.a.run.app", "https://grpc-calculator-xxxx-uc.a.run.app"],
  ["grpc-calculator-xxxx-uc.a.run.app:443", "https://grpc-calculator-xxxx-uc.a.run.app"],
  ["calc.example.com:8443", "https://calc.example.com:8443"],
])("the default audience for %s is %s", (target, audience) => {
  expect(defaultAudience(parseTarget(target))).toBe(audience);
});
