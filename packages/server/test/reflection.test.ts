import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../src/index.js";
import { startTestServer } from "./helpers.js";

const buf = fileURLToPath(new URL("../node_modules/.bin/buf", import.meta.url));
let server: RunningServer;

async function bufCurl(protocol: string, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(
    buf,
    ["curl", "--http2-prior-knowledge", "--protocol", "grpc", "--reflect-protocol", protocol, ...args],
    {
      timeout: 15_000,
    },
  );
  return stdout;
}

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.shutdown());

describe.each(["grpc-v1", "grpc-v1alpha"])("server reflection through buf curl (%s)", (protocol) => {
  it("lists the services, Calculator under its own name", async () => {
    const services = (await bufCurl(protocol, "--list-services", `http://127.0.0.1:${server.port}`)).trim().split("\n");
    expect(services).toEqual(expect.arrayContaining(["Calculator", "grpc.health.v1.Health"]));
  });

  it("lists the methods", async () => {
    const methods = (await bufCurl(protocol, "--list-methods", `http://127.0.0.1:${server.port}`)).trim().split("\n");
    expect(methods).toEqual(
      expect.arrayContaining([
        "Calculator/Calculate",
        "Calculator/CalculateStream",
        "grpc.health.v1.Health/Check",
        "grpc.health.v1.Health/Watch",
      ]),
    );
  });

  it("calls Calculate with only the reflected schema", async () => {
    const out = await bufCurl(
      protocol,
      "-d",
      '{"first_operand": 2, "second_operand": 3, "operation": "ADD"}',
      `http://127.0.0.1:${server.port}/Calculator/Calculate`,
    );
    expect(JSON.parse(out)).toEqual({ result: 5 });
  });

  it("calls the health service with only the reflected schema", async () => {
    const check = await bufCurl(
      protocol,
      "-d",
      '{"service": "Calculator"}',
      `http://127.0.0.1:${server.port}/grpc.health.v1.Health/Check`,
    );
    expect(JSON.parse(check)).toEqual({ status: "SERVING" });
    const list = await bufCurl(protocol, `http://127.0.0.1:${server.port}/grpc.health.v1.Health/List`);
    expect(JSON.parse(list)).toEqual({ statuses: { "": { status: "SERVING" }, Calculator: { status: "SERVING" } } });
  });
});
