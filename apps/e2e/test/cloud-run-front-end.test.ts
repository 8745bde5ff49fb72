// Cloud Run's front end terminates TLS and speaks HTTP/2 to the container in plaintext. nginx does the
// same here, with a certificate made for the test: the SDK (https:// target, the test CA), the `calculator`
// CLI (--ca-file), buf curl and the health check all reach the container through it.
import { createCalculatorClient, type CalculatorClient } from "@grpc-calculator/client";
import { CalculatorService } from "@grpc-calculator/proto";
import { credentials } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { bufCurl } from "../src/buf-curl.js";
import { runCalculatorCli } from "../src/calculator-cli.js";
import { checkHealth } from "../src/health.js";
import { type ServerContainer, startServerContainer } from "../src/server-container.js";
import { startTlsFrontEnd, type TlsFrontEnd } from "../src/tls-front-end.js";

const e2e = inject("e2e");

describe.skipIf(e2e.skip)("through a TLS-terminating HTTP/2 front end, as on Cloud Run", () => {
  let server: ServerContainer;
  let frontEnd: TlsFrontEnd;
  let calculator: CalculatorClient;

  beforeAll(async () => {
    server = await startServerContainer(e2e.image, e2e.runId);
    frontEnd = await startTlsFrontEnd(server.address, e2e.runId);
    calculator = createCalculatorClient(frontEnd.url, { rootCertificates: frontEnd.caPem });
  });
  afterAll(async () => {
    calculator?.close();
    await frontEnd?.stop();
    await server?.container.stop({ timeout: 10_000 });
  });

  it("answers health SERVING over TLS", async () => {
    const tls = credentials.createSsl(Buffer.from(frontEnd.caPem));
    expect(await checkHealth(`localhost:${frontEnd.port}`, 5_000, { credentials: tls })).toBe("SERVING");
  });

  it("calculates through the SDK with the test CA", async () => {
    expect(calculator.target.tls).toBe(true);
    expect(await calculator.add(2, 3)).toBe(5);
    expect(await calculator.divide(1, 4)).toBe(0.25);
    await expect(calculator.divide(1, 0)).rejects.toMatchObject({ codeName: "INVALID_ARGUMENT" });
    const results: number[] = [];
    for await (const result of calculator.calculateMany(
      [1, 2, 3].map((n) => ({ firstOperand: n, secondOperand: n, operation: "MULTIPLY" as const })),
    )) {
      results.push(result);
    }
    expect(results).toEqual([1, 4, 9]);
  });

  it("refuses a client that does not trust the certificate", async () => {
    const untrusting = createCalculatorClient(frontEnd.url, { timeoutMs: 5_000 });
    try {
      await expect(untrusting.add(2, 3)).rejects.toMatchObject({ codeName: "UNAVAILABLE" });
    } finally {
      untrusting.close();
    }
  });

  it("answers buf curl over TLS: 2 + 3 = 5", async () => {
    const url = `${frontEnd.url}${CalculatorService.calculate.path}`;
    expect(
      await bufCurl(url, { first_operand: 2.0, second_operand: 3.0, operation: "ADD" }, { caFile: frontEnd.caFile }),
    ).toEqual({
      result: 5,
    });
  });

  it("answers the calculator CLI with --ca-file: health and 2 + 3", async () => {
    const connection = ["--target", frontEnd.url, "--ca-file", frontEnd.caFile];
    expect(await runCalculatorCli(["health", ...connection])).toEqual({ status: "SERVING" });
    expect(await runCalculatorCli(["2", "+", "3", ...connection])).toEqual({ result: 5 });
  });
});
