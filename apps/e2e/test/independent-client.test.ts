// The container called by a client that is not ours: `buf curl`, once with the published .proto as its
// schema and once with only what the server's reflection tells it (v1 and v1alpha), as in the tutorial.
import { CalculatorService } from "@grpc-calculator/proto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { bufCurl, publishedProto } from "../src/buf-curl.js";
import { type ServerContainer, startServerContainer } from "../src/server-container.js";

const e2e = inject("e2e");
const tutorialRequest = { first_operand: 2.0, second_operand: 3.0, operation: "ADD" };

describe.skipIf(e2e.skip)("buf curl, an independent client", () => {
  let server: ServerContainer;
  let calculateUrl: string;

  beforeAll(async () => {
    server = await startServerContainer(e2e.image, e2e.runId);
    calculateUrl = `http://${server.address}${CalculatorService.calculate.path}`;
  });
  afterAll(async () => {
    await server?.container.stop({ timeout: 10_000 });
  });

  it("with --schema pointing at the published calculator.proto: 2 + 3 = 5", async () => {
    expect(await bufCurl(calculateUrl, tutorialRequest, { schema: publishedProto })).toEqual({ result: 5 });
  });

  it("through server reflection (grpc-v1): 2 + 3 = 5", async () => {
    expect(await bufCurl(calculateUrl, tutorialRequest, { reflectProtocol: "grpc-v1" })).toEqual({ result: 5 });
  });

  it("through server reflection (grpc-v1alpha): 2 + 3 = 5", async () => {
    expect(await bufCurl(calculateUrl, tutorialRequest, { reflectProtocol: "grpc-v1alpha" })).toEqual({ result: 5 });
  });

  it("calls the health service through reflection: SERVING", async () => {
    const url = `http://${server.address}/grpc.health.v1.Health/Check`;
    expect(await bufCurl(url, {})).toEqual({ status: "SERVING" });
  });
});
