import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ServerCredentials } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OperationName, operationNames } from "../src/index.js";
import { startRealServer } from "./helpers/real-server.js";
import { startTestServer, statusError, type TestServer } from "./helpers/test-server.js";
import { selfSignedCertificate } from "./helpers/tls.js";
import { expectEndedAtDeadline } from "./helpers/timing.js";

// The CLI as users run it: the built bin (turbo builds before `test`).
const cli = fileURLToPath(new URL("../dist/esm/cli.js", import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function calculator(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const env = { ...process.env, CALCULATOR_TARGET: "", CALCULATOR_TOKEN: "" };
    execFile(process.execPath, [cli, ...args], { timeout: 20_000, env }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

const certificate = selfSignedCertificate();
let real: TestServer;
let notServing: TestServer;
let hanging: TestServer;
let tlsServer: TestServer;
let privateServer: TestServer;
let target: string;

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`pnpm build\` first`);
  real = await startRealServer();
  target = `127.0.0.1:${real.port}`;
  notServing = await startTestServer({}, { health: { "": "NOT_SERVING" } });
  hanging = await startTestServer({ calculate: () => {} });
  privateServer = await startTestServer({
    calculate(call, callback) {
      if (call.metadata.get("authorization")[0] !== "Bearer secret-token") {
        return callback(statusError(16, "the request does not have valid authentication credentials"));
      }
      callback(null, { result: call.request.firstOperand + call.request.secondOperand });
    },
  });
  tlsServer = await startTestServer(
    {},
    {
      credentials: ServerCredentials.createSsl(null, [{ cert_chain: certificate.cert, private_key: certificate.key }]),
    },
  );
});
afterAll(async () => {
  await Promise.all([real.close(), notServing.close(), hanging.close(), tlsServer.close(), privateServer.close()]);
  certificate.dispose();
});

describe("calculator <first> <operator> <second>", () => {
  it.each([
    [["2", "+", "3"], "5"],
    [["10", "/", "4"], "2.5"],
    [["0.1", "+", "0.2"], "0.3"], // the float32 result, printed as the shortest decimal that reads back as it
    [["-3", "x", "-2"], "6"],
    [["2", "*", "3.5"], "7"],
    [["7", "divide", "2"], "3.5"],
    [["5", "SUBTRACT", "8"], "-3"],
  ])("%j prints %s and exits 0", async (args, output) => {
    expect(await calculator(...args, "--target", target)).toEqual({ code: 0, stdout: `${output}\n`, stderr: "" });
  });

  it("takes the name of every operation of the contract as a word", async () => {
    const answers = { ADD: "9", SUBTRACT: "3", MULTIPLY: "18", DIVIDE: "2" } satisfies Record<OperationName, string>;
    for (const name of operationNames) {
      expect(await calculator("6", name.toLowerCase(), "3", "--target", target)).toEqual({
        code: 0,
        stdout: `${answers[name]}\n`,
        stderr: "",
      });
    }
  });

  it("prints JSON with --json", async () => {
    expect(await calculator("10", "/", "4", "--json", "--target", target)).toMatchObject({
      code: 0,
      stdout: '{"result":2.5}\n',
    });
  });

  it("prints the server's message and the field it refused for a division by zero, exit 1", async () => {
    expect(await calculator("1", "/", "0", "--target", target)).toEqual({
      code: 1,
      stdout: "",
      stderr: "calculator: division by zero: second_operand is 0 (INVALID_ARGUMENT, field second_operand)\n",
    });
  });

  it("says when the connection is refused, exit 1", async () => {
    const closed = await startTestServer();
    await closed.close();
    expect(await calculator("2", "+", "3", "--target", `127.0.0.1:${closed.port}`)).toEqual({
      code: 1,
      stdout: "",
      stderr: `calculator: cannot connect to 127.0.0.1:${closed.port}: connection refused (is the server running?)\n`,
    });
  });

  it("gives up at --timeout", async () => {
    const started = performance.now();
    const run = await calculator("2", "+", "3", "--target", `127.0.0.1:${hanging.port}`, "--timeout", "200");
    const ms = performance.now() - started;
    expect(run).toMatchObject({ code: 1, stdout: "" });
    expectEndedAtDeadline(ms, 200); // the process's start is in it too; 5 s holds it on a loaded machine
    expect(run.stderr).toBe(`calculator: no answer from 127.0.0.1:${hanging.port} within 200 ms (DEADLINE_EXCEEDED)\n`);
  });

  it.each([
    [["2", "pow", "3"], /operator.*use \+ - x \* \/ or add, subtract, multiply, divide/],
    [["abc", "+", "1"], /not a finite number: abc/],
    [["Infinity", "+", "1"], /Infinity must be finite, got Infinity/],
    [["1e39", "+", "1"], /1e39 is outside the float32 range/],
    [["2", "toString", "3"], /operator.*use \+ - x \* \//],
    [["2", "+"], /missing required argument 'second'/],
    [["2", "+", "3", "--timeout", "0"], /--timeout/],
  ])("rejects %j with one line, exit 2", async (args, message) => {
    const run = await calculator(...args, "--target", target);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("TLS options", () => {
  it("trusts --ca-file", async () => {
    const run = await calculator(
      "2",
      "+",
      "3",
      "--target",
      `localhost:${tlsServer.port}`,
      "--ca-file",
      certificate.certPath,
    );
    expect(run).toEqual({ code: 0, stdout: "5\n", stderr: "" });
  });

  it("fails against a certificate the system roots don't trust", async () => {
    const run = await calculator("2", "+", "3", "--target", `https://localhost:${tlsServer.port}`);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^calculator: cannot connect to https:\/\/localhost:\d+: .*certificate/);
  });

  it("refuses --plaintext with an https:// target", async () => {
    const run = await calculator("2", "+", "3", "--target", "https://localhost:1", "--plaintext");
    expect(run).toMatchObject({ code: 1, stdout: "" });
    expect(run.stderr).toMatch(/contradicts/);
  });
});

describe("auth", () => {
  it("sends --token as a bearer token", async () => {
    const privateTarget = `127.0.0.1:${privateServer.port}`;
    expect(await calculator("2", "+", "3", "--target", privateTarget, "--token", "secret-token")).toMatchObject({
      code: 0,
      stdout: "5\n",
    });
    const denied = await calculator("2", "+", "3", "--target", privateTarget);
    expect(denied).toMatchObject({ code: 1, stdout: "" });
    expect(denied.stderr).toMatch(/valid authentication credentials \(UNAUTHENTICATED\)/);
  });
});

describe("calculator health", () => {
  it("prints SERVING and exits 0", async () => {
    expect(await calculator("health", "--target", target)).toEqual({ code: 0, stdout: "SERVING\n", stderr: "" });
    expect(await calculator("health", "--json", "--target", target)).toMatchObject({
      code: 0,
      stdout: '{"status":"SERVING"}\n',
    });
  });

  it("exits 1 when the server is not serving", async () => {
    expect(await calculator("health", "--target", `127.0.0.1:${notServing.port}`)).toEqual({
      code: 1,
      stdout: "NOT_SERVING\n",
      stderr: "",
    });
  });

  it("reports an unknown service as NOT_FOUND", async () => {
    const run = await calculator("health", "--service", "nope", "--target", target);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/NOT_FOUND/);
  });
});
