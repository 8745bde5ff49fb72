// The user story, through a real registry: `npm install @grpc-calculator/client` by name, then use it.
// A local Verdaccio (loopback, its own storage, no uplinks) is started for the run; `pnpm publish` puts
// @grpc-calculator/proto and @grpc-calculator/client in it as a release would (workspace: ranges
// rewritten, prepack run). An empty project outside the workspace takes the @grpc-calculator scope from it
// (everything else from the npm registry npm is configured with), installs the SDK by name and uses it
// from ESM, CommonJS and TypeScript, and runs `npx @grpc-calculator/client 2 + 3 --target …` against a
// real server: the README's promise. The web entry too, over fetch against our server. Records the
// installed size.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import getPort from "get-port";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startRealServer } from "./helpers/real-server.js";
import type { TestServer } from "./helpers/test-server.js";

const packages = fileURLToPath(new URL("../../", import.meta.url));
const workspace = fileURLToPath(new URL("../../../", import.meta.url));
const verdaccioBin = join(dirname(createRequire(import.meta.url).resolve("verdaccio/package.json")), "bin/verdaccio");

function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
  timeout = 60_000,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, timeout, env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      error
        ? reject(new Error(`${command} ${args.join(" ")} failed: ${error.message}\n${stdout}\n${stderr}`))
        : resolve({ stdout, stderr }),
    );
  });
}

/** Verdaccio on a loopback port with its own storage; resolves once it logs its address. */
async function startRegistry(dir: string): Promise<{ url: string; process: ChildProcess }> {
  const port = await getPort({ host: "127.0.0.1" });
  const config = join(dir, "verdaccio.yaml");
  writeFileSync(
    config,
    [
      `storage: ${join(dir, "storage")}`,
      `auth: { htpasswd: { file: ${join(dir, "htpasswd")}, max_users: 1 } }`,
      "uplinks: {}", // never reaches out: anything not published here is not here
      "packages: { '**': { access: $all, publish: $authenticated } }",
      "web: { enable: false }",
      "log: { type: stdout, format: json, level: info }",
    ].join("\n"),
  );
  const registry = spawn(process.execPath, [verdaccioBin, "--config", config, "--listen", `127.0.0.1:${port}`], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("verdaccio did not start within 30 s")), 30_000);
    let log = "";
    registry.stdout?.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes("http address")) {
        clearTimeout(timer);
        resolve();
      }
    });
    registry.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
    registry.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`verdaccio exited with ${code}:\n${log}`));
    });
  });
  return { url: `http://127.0.0.1:${port}/`, process: registry };
}

let dir: string;
let app: string;
let registry: { url: string; process: ChildProcess } | undefined;
let server: TestServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "calculator-registry-"));
  app = join(dir, "app");
  mkdirSync(app);
  server = await startRealServer();
  registry = await startRegistry(dir);
  const host = registry.url.replace(/^http:/, "");
  // A publisher account, as `npm adduser` makes one.
  const user = await fetch(`${registry.url}-/user/org.couchdb.user:release`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "release", password: "release-password" }),
  });
  const { token } = (await user.json()) as { token: string };
  const publisherConfig = join(dir, "publisher.npmrc");
  writeFileSync(publisherConfig, `registry=${registry.url}\n${host}:_authToken=${token}\n`);
  for (const name of ["proto", "client"]) {
    // --provenance=false: provenance needs a CI identity (GitHub Actions' OIDC token), which a test does not have.
    await run(
      "pnpm",
      ["publish", "--registry", registry.url, "--no-git-checks", "--provenance=false"],
      join(packages, name),
      { NPM_CONFIG_USERCONFIG: publisherConfig, COREPACK_INTEGRITY_KEYS: "0" },
      120_000,
    );
  }
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "calculator-user", private: true }));
  writeFileSync(join(app, ".npmrc"), `@grpc-calculator:registry=${registry.url}\n`);
  await run(
    "npm",
    ["install", "--no-audit", "--no-fund", "--loglevel=error", "@grpc-calculator/client"],
    app,
    {},
    180_000,
  );
}, 300_000);

afterAll(async () => {
  registry?.process.kill();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it("installs @grpc-calculator/client and proto from the registry by name, with the workspace: range rewritten", async () => {
  const lock = JSON.parse(readFileSync(join(app, "package-lock.json"), "utf8")) as {
    packages: Record<string, { version: string; integrity: string }>;
  };
  for (const name of ["client", "proto"]) {
    // The installed tarball is the one this registry serves (same integrity), not one from elsewhere.
    const installed = lock.packages[`node_modules/@grpc-calculator/${name}`];
    const packument = (await (await fetch(`${registry?.url}@grpc-calculator%2f${name}`)).json()) as {
      versions: Record<string, { dist: { integrity: string } }>;
    };
    expect(installed?.integrity).toBeDefined();
    expect(installed?.integrity).toBe(packument.versions[installed?.version ?? ""]?.dist.integrity);
  }
  const manifest = JSON.parse(readFileSync(join(app, "node_modules/@grpc-calculator/client/package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  const proto = JSON.parse(readFileSync(join(packages, "proto/package.json"), "utf8")) as { version: string };
  expect(manifest.dependencies["@grpc-calculator/proto"]).toBe(`^${proto.version}`);
  expect(Object.values(manifest.dependencies).join(" ")).not.toMatch(/workspace:/);
});

it("ships the Apache-2.0 LICENSE in both published packages", () => {
  const license = readFileSync(join(workspace, "LICENSE"), "utf8");
  expect(license).toContain("Apache License\n                           Version 2.0, January 2004");
  for (const name of ["client", "proto"]) {
    expect(readFileSync(join(app, `node_modules/@grpc-calculator/${name}/LICENSE`), "utf8")).toBe(license);
  }
});

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
  console.log(`npm install @grpc-calculator/client: node_modules ${(kib / 1024).toFixed(1)} MiB`);
  expect(kib).toBeGreaterThan(0);
}, 30_000);

it("works through the web entry, over fetch (Connect) against the server", async () => {
  writeFileSync(
    join(app, "web.mjs"),
    `import { createCalculatorClient, isCalculatorError } from "@grpc-calculator/client/web";
const calculator = createCalculatorClient(process.argv[2]);
const sum = await calculator.add(2, 3);
const error = await calculator.divide(1, 0).catch((e) => e);
console.log(JSON.stringify({ sum, guard: isCalculatorError(error), details: error.details }));
`,
  );
  const { stdout } = await run("node", ["web.mjs", `http://127.0.0.1:${server.port}`], app);
  expect(JSON.parse(stdout)).toEqual({ sum: 5, guard: true, details: "division by zero: second_operand is 0" });
}, 30_000);

it("type-checks for both import and require (node16 resolution)", async () => {
  const use = `
const calculator = createCalculatorClient("localhost:50051", { timeoutMs: 1000, auth: () => "token" });
const result: Promise<number> = calculator.calculate({ firstOperand: 1, secondOperand: 2, operation: "ADD" });
const stream: AsyncIterable<number> = calculator.calculateMany([{ firstOperand: 1, secondOperand: 2, operation: Operation.DIVIDE }]);
const guard = (e: unknown): string | undefined => (isCalculatorError(e) ? e.codeName : undefined);
// @ts-expect-error -- not an operation name
void calculator.calculate({ firstOperand: 1, secondOperand: 2, operation: "NOT_AN_OPERATION" });
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

it("runs the CLI as the README says: npx @grpc-calculator/client 2 + 3 --target …", async () => {
  const target = `127.0.0.1:${server.port}`;
  const { stdout } = await run(
    "npx",
    ["--no-install", "@grpc-calculator/client", "2", "+", "3", "--target", target],
    app,
  );
  expect(stdout).toBe("5\n");
  const health = await run("npx", ["--no-install", "@grpc-calculator/client", "health", "--target", target], app);
  expect(health.stdout).toBe("SERVING\n");
}, 60_000);
