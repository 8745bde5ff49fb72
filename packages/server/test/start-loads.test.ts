// What a start costs is what it loads: the web protocols' libraries (connect-es, protobuf-es's registry and
// reflection, the REST transcoder) load with the first web request (transport/web-loader.ts in the engine),
// never with a start or a gRPC call. A static import of any of them on the start path (a re-export from an
// index was one: 30 ms of every start on Node 24) fails here. The built server runs in a child Node with a
// module hook recording every module it resolves.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const entry = fileURLToPath(new URL("../dist/esm/index.js", import.meta.url));

const script = `
import { registerHooks } from "node:module";
import { credentials } from "@grpc/grpc-js";
import { CalculatorClient } from "@grpc-calculator/proto";
const loaded = new Set();
registerHooks({ resolve(specifier, context, next) { const result = next(specifier, context); loaded.add(result.url); return result; } });
const { startServer, createLogger } = await import(${JSON.stringify(entry)});
const server = await startServer({ host: "127.0.0.1", port: 0, logger: createLogger({ level: "silent" }) });
const client = new CalculatorClient("127.0.0.1:" + server.port, credentials.createInsecure());
const result = await new Promise((resolve, reject) =>
  client.calculate({ firstOperand: 2, secondOperand: 3, operation: 0 }, (error, response) => (error ? reject(error) : resolve(response))));
const afterGrpc = [...loaded];
const rest = await (await fetch("http://127.0.0.1:" + server.port + "/v1/calculate?first_operand=2&second_operand=3")).json();
client.close();
await server.shutdown();
console.log(JSON.stringify({ grpc: result.result, rest: rest.result, afterGrpc, afterWeb: [...loaded] }));
`;

/** The web protocols' libraries, by the URLs Node resolves them to. */
const webLibrary = /\/@connectrpc\/|\/@bufbuild\/protobuf\/dist\/esm\/(index|registry|reflect\/)|\/protocol-rest\//;

it("starts and answers gRPC without loading the web protocols' libraries, which the first web request loads", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    timeout: 30_000,
  });
  const run = JSON.parse(stdout) as { grpc: number; rest: number; afterGrpc: string[]; afterWeb: string[] };
  expect([run.grpc, run.rest]).toEqual([5, 5]);
  expect(run.afterGrpc.filter((url) => webLibrary.test(url))).toEqual([]);
  // The pattern names what the web protocols do load: it cannot pass by matching nothing.
  expect(run.afterWeb.filter((url) => webLibrary.test(url)).length).toBeGreaterThan(3);
});
