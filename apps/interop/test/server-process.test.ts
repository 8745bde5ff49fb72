/**
 * `src/main.ts` as `pnpm interop:server` runs it (the built dist/main.js, in its own process): $PORT and
 * $HOST, the graceful stop on SIGTERM and SIGINT, and that no client can bring the process down.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import http2 from "node:http2";
import { fileURLToPath } from "node:url";
import { credentials, Metadata } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { TestServiceClient } from "../src/gen/grpc/testing/test.js";

const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));

interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  readonly port: number;
  /** Everything it printed so far. */
  output(): string;
  /** Its exit code (or signal name) once it exits. */
  readonly exited: Promise<number | string>;
}

const started: Running[] = [];

afterEach(() => {
  for (const { child } of started.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

function run(env: Record<string, string>): Running & { readonly listening: Promise<number> } {
  if (!existsSync(main))
    throw new Error(`${main} is missing: build first (pnpm --filter @grpc-calculator/interop build)`);
  const child = spawn(process.execPath, [main], { env: { ...process.env, ...env } });
  let output = "";
  const listening = new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const port = /listening on \S+ port (\d+)/.exec(output)?.[1];
      if (port !== undefined) resolve(Number(port));
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", () => reject(new Error(`the server exited before listening:\n${output}`)));
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  listening.catch(() => undefined);
  return { child, port: 0, output: () => output, exited, listening };
}

async function start(): Promise<Running> {
  const process = run({ PORT: "0", HOST: "127.0.0.1" });
  const port = await process.listening;
  const running = { ...process, port };
  started.push(running);
  return running;
}

function emptyCall(port: number): Promise<unknown> {
  const client = new TestServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
  return new Promise((resolve, reject) =>
    client.emptyCall({}, new Metadata(), { deadline: Date.now() + 5_000 }, (error, response) => {
      client.close();
      if (error) reject(error);
      else resolve(response);
    }),
  );
}

describe("pnpm interop:server (dist/main.js)", () => {
  it.each(["SIGTERM", "SIGINT"] as const)("serves on $PORT and $HOST, and %s drains it and exits 0", async (signal) => {
    const server = await start();
    expect(server.output()).toContain(`listening on 127.0.0.1 port ${server.port}`);
    await expect(emptyCall(server.port)).resolves.toEqual({});
    server.child.kill(signal);
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain(`${signal}: draining`);
    expect(server.output()).toContain("stopped");
  });

  it("refuses a PORT that is not a port number", async () => {
    const server = run({ PORT: "eighty" });
    expect(await server.exited).toBe(2);
    expect(server.output()).toContain('PORT must be a TCP port number, not "eighty"');
  });

  it.each(["UnaryCall", "FullDuplexCall", "UnimplementedCall"])(
    "survives clients that reset their %s calls (RST_STREAM INTERNAL_ERROR) as they start",
    async (method) => {
      const server = await start();
      const session = http2.connect(`http://127.0.0.1:${server.port}`);
      session.on("error", () => undefined);
      for (let call = 0; call < 300; call++) {
        const stream = session.request({
          ":method": "POST",
          ":path": `/grpc.testing.TestService/${method}`,
          "content-type": "application/grpc",
          te: "trailers",
          "grpc-timeout": "1S",
        });
        stream.on("error", () => undefined);
        stream.write(Buffer.from([0, 0, 0, 0, 0]));
        // Reset as the request starts, as connect-node does when a call's deadline passes. Whether the reset
        // reaches the server with the request's HEADERS or after them is timing: a few delays cover both.
        setTimeout(() => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR), call % 3);
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      session.destroy();
      const outcome = await Promise.race([
        server.exited.then((code) => `exited (${code})`),
        emptyCall(server.port).then(() => "answering"),
      ]);
      expect(outcome, server.output()).toBe("answering");
    },
  );
});
