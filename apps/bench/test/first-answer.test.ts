import { once } from "node:events";
import { existsSync } from "node:fs";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, test } from "vitest";
import { waitForFirstAnswer } from "../src/first-answer.js";
import { makeTempDir, startServer } from "../src/servers.js";

interface Seen {
  path: string | undefined;
  contentType: string | undefined;
  body: unknown;
}

/** A loopback h2c server whose nth answer is `answers[n]` (the last one repeated), recording each request. */
async function localServer(answers: { status: number; body: string }[]) {
  const seen: Seen[] = [];
  const server = http2.createServer();
  server.on("stream", (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => {
      const text = Buffer.concat(chunks).toString();
      seen.push({ path: headers[":path"], contentType: headers["content-type"], body: JSON.parse(text) as unknown });
      const answer = answers[Math.min(seen.length, answers.length) - 1]!;
      stream.respond({ ":status": answer.status, "content-type": "application/json" });
      stream.end(answer.body);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { port: (server.address() as AddressInfo).port, seen, close };
}

let closeServer: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeServer?.();
  closeServer = undefined;
});

describe('readiness "connect-json"', () => {
  test('ready at the first HTTP 200 carrying {"result":5}, asked as the contract\'s Connect JSON call', async () => {
    const server = await localServer([
      { status: 503, body: "{}" },
      { status: 200, body: '{"result":0}' },
      { status: 200, body: '{"result":5}' },
    ]);
    closeServer = server.close;
    const ms = await waitForFirstAnswer(server.port, "connect-json", performance.now(), 5_000, () => false);
    expect(ms).toBeGreaterThan(0);
    expect(server.seen).toHaveLength(3);
    expect(server.seen[0]).toEqual({
      path: "/Calculator/Calculate",
      contentType: "application/json",
      body: { firstOperand: 2, secondOperand: 3, operation: "ADD" },
    });
  });

  test("a server that never answers 5 is never ready: the wait ends at its bound, saying what came back", async () => {
    const server = await localServer([{ status: 415, body: '{"code":"unimplemented"}' }]);
    closeServer = server.close;
    await expect(waitForFirstAnswer(server.port, "connect-json", performance.now(), 300, () => false)).rejects.toThrow(
      /within 300 ms \(Connect JSON: HTTP 415/,
    );
  });
});

test("a server whose file is relative to its cwd (start:prod's dist/start.mjs) is timed to its first answer and stopped", async () => {
  const fixture = fileURLToPath(new URL("fixtures/connect-json-server.mjs", import.meta.url));
  const work = makeTempDir("bench-relative-");
  try {
    const server = await startServer(
      {
        key: "relative",
        label: "a Connect JSON stand-in started from its own folder",
        command: process.execPath,
        args: [path.basename(fixture)],
        env: {},
        readiness: "connect-json",
        cwd: path.dirname(fixture),
        entry: fixture,
      },
      { cpus: "", logFile: `${work.dir}/server.log`, timeoutMs: 10_000 },
    );
    expect(server.firstAnswerCpuMs).toBeGreaterThan(0);
    await server.stop();
    expect(existsSync(`/proc/${server.pid}`)).toBe(false);
  } finally {
    work.remove();
  }
});
