// The user story: `npm install @grpc-calculator/client` outside this workspace. Packs proto and client
// with `pnpm pack` (which rewrites `workspace:` ranges), installs both tarballs with plain npm into a
// fresh project under the OS temp dir, and there runs an ESM script, a CJS script and `npx calculator`
// against a real server, and the web entry against a Connect server. Records the installed size.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ConnectTestServer, startConnectTestServer } from "@grpc-calculator/connect-test-server";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startRealServer } from "./helpers/real-server.js";
import type { TestServer } from "./helpers/test-server.js";

const packages = fileURLToPath(new URL("../../", import.meta.url));
const workspace = fileURLToPath(new URL("../../../", import.meta.url));

function run(
  command: string,
  args: string[],
  cwd: string,
  timeout = 60_000,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd, timeout, env: { ...process.env, COREPACK_INTEGRITY_KEYS: "0" } },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`${command} ${args.join(" ")} failed: ${error.message}\n${stderr}`))
          : resolve({ stdout, stderr }),
    );
  });
}

let dir: string;
let app: string;
let server: TestServer;
let connectServer: ConnectTestServer;

beforeAll(async () => {
  connectServer = await startConnectTestServer();
  dir = mkdtempSync(join(tmpdir(), "calculator-pack-"));
  app = join(dir, "app");
  mkdirSync(app);
  server = await startRealServer();
  await run("pnpm", ["pack", "--pack-destination", dir], join(packages, "proto"));
  await run("pnpm", ["pack", "--pack-destination", dir], join(packages, "client"));
  const tarballs = readdirSync(dir)
    .filter((name) => name.endsWith(".tgz"))
    .map((name) => join(dir, name));
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "calculator-user", private: true }));
  await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...tarballs], app, 180_000);
}, 240_000);

afterAll(async () => {
  await server?.close();
  await connectServer?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it("packs without workspace: ranges", async () => {
  const { stdout } = await run(
    "node",
    ["-p", "JSON.stringify(require('@grpc-calculator/client/package.json').dependencies)"],
    app,
  );
  const dependencies = JSON.parse(stdout) as Record<string, string>;
  expect(dependencies["@grpc-calculator/proto"]).toMatch(/^\^\d+\.\d+\.\d+$/);
  expect(Object.values(dependencies).join(" ")).not.toMatch(/workspace:/);
}, 30_000);

const script = (load: string) => `
${load}
(async () => {
  const calculator = createCalculatorClient(process.argv[2]);
  const sum = await calculator.add(2, 3);
  const product = await calculator.calculate({ firstOperand: 4, secondOperand: 2.5, operation: Operation.MULTIPLY });
  const many = [];
  for await (const r of calculator.calculateMany([{ firstOperand: 1, secondOperand: 1, operation: "ADD" }, { firstOperand: 9, secondOperand: 3, operation: "DIVIDE" }])) many.push(r);
  const error = await calculator.divide(1, 0).catch((e) => e);
  calculator.close();
  console.log(JSON.stringify({ sum, product, many, guard: isCalculatorError(error), code: error.codeName }));
})();
`;
const expected = { sum: 5, product: 10, many: [2, 3], guard: true, code: "INVALID_ARGUMENT" };

it("works from an ES module", async () => {
  writeFileSync(
    join(app, "esm.mjs"),
    script('import { createCalculatorClient, isCalculatorError, Operation } from "@grpc-calculator/client";'),
  );
  const { stdout } = await run("node", ["esm.mjs", `127.0.0.1:${server.port}`], app);
  expect(JSON.parse(stdout)).toEqual(expected);
}, 30_000);

it("works from CommonJS", async () => {
  writeFileSync(
    join(app, "cjs.cjs"),
    script('const { createCalculatorClient, isCalculatorError, Operation } = require("@grpc-calculator/client");'),
  );
  const { stdout } = await run("node", ["cjs.cjs", `127.0.0.1:${server.port}`], app);
  expect(JSON.parse(stdout)).toEqual(expected);
}, 30_000);

it("records the installed size of the SDK's dependency tree", async () => {
  const { stdout } = await run("du", ["-sk", "node_modules"], app);
  const kib = Number(stdout.split("\t")[0]);
  mkdirSync(join(packages, "client/.results"), { recursive: true });
  writeFileSync(join(packages, "client/.results/install-size.json"), `${JSON.stringify({ kib })}\n`);
  console.log(`npm install of the packed proto + client: node_modules ${(kib / 1024).toFixed(1)} MiB`);
  expect(kib).toBeGreaterThan(0);
}, 30_000);

it("works through the web entry, over fetch with the Connect protocol", async () => {
  writeFileSync(
    join(app, "web.mjs"),
    `import { createCalculatorClient, isCalculatorError } from "@grpc-calculator/client/web";
const calculator = createCalculatorClient(process.argv[2]);
const sum = await calculator.add(2, 3);
const error = await calculator.divide(1, 0).catch((e) => e);
console.log(JSON.stringify({ sum, guard: isCalculatorError(error), details: error.details }));
`,
  );
  const { stdout } = await run("node", ["web.mjs", connectServer.url], app);
  expect(JSON.parse(stdout)).toEqual({ sum: 5, guard: true, details: "division by zero: second_operand is 0" });
}, 30_000);

it("type-checks for both import and require (node16 resolution)", async () => {
  const use = `
const calculator = createCalculatorClient("localhost:50051", { timeoutMs: 1000, auth: () => "token" });
const result: Promise<number> = calculator.calculate({ firstOperand: 1, secondOperand: 2, operation: "ADD" });
const stream: AsyncIterable<number> = calculator.calculateMany([{ firstOperand: 1, secondOperand: 2, operation: Operation.DIVIDE }]);
const guard = (e: unknown): string | undefined => (isCalculatorError(e) ? e.codeName : undefined);
// @ts-expect-error -- not an operation name
void calculator.calculate({ firstOperand: 1, secondOperand: 2, operation: "POWER" });
export { result, stream, guard };
`;
  // If the types did not resolve (any), the @ts-expect-error line would fail the check.
  writeFileSync(
    join(app, "check-esm.mts"),
    `import { createCalculatorClient, isCalculatorError, Operation } from "@grpc-calculator/client";\n${use}`,
  );
  writeFileSync(
    join(app, "check-cjs.cts"),
    `import client = require("@grpc-calculator/client");\nconst { createCalculatorClient, isCalculatorError, Operation } = client;\n${use}`,
  );
  // One CalculatorClient type: the web entry's client is the Node entry's type, and it takes web options.
  writeFileSync(
    join(app, "check-web.mts"),
    `import type { CalculatorClient } from "@grpc-calculator/client";
import { createCalculatorClient, grpcWebProtocol } from "@grpc-calculator/client/web";
export const calculator: CalculatorClient = createCalculatorClient("https://calc.example.com", { protocol: grpcWebProtocol });
// @ts-expect-error -- a Node-only option
createCalculatorClient("https://calc.example.com", { rootCertificates: "" });
`,
  );
  writeFileSync(
    join(app, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        module: "node16",
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        target: "es2022",
        lib: ["es2022", "esnext.disposable"],
        typeRoots: [join(workspace, "node_modules/@types")],
        types: ["node"],
      },
      files: ["check-esm.mts", "check-cjs.cts", "check-web.mts"],
    }),
  );
  await run(process.execPath, [join(workspace, "node_modules/typescript/bin/tsc"), "-p", "."], app);
}, 60_000);

it("runs the CLI through npx", async () => {
  const { stdout } = await run(
    "npx",
    ["--no-install", "calculator", "10", "/", "4", "--target", `127.0.0.1:${server.port}`],
    app,
  );
  expect(stdout).toBe("2.5\n");
  const health = await run(
    "npx",
    ["--no-install", "calculator", "health", "--target", `127.0.0.1:${server.port}`],
    app,
  );
  expect(health.stdout).toBe("SERVING\n");
}, 60_000);
