// `pnpm --filter @grpc-calculator/bench run interop-load`: the interop server (grpc.testing.TestService on the
// engine, apps/interop) under h2load — 16 connections × 16 streams of UnaryCall for 10 s — and its resident
// memory meanwhile: every call must be answered and the peak RSS stay within 150 MB (issue 18's bound).
// The request asks for a 1 KiB payload back and carries 1 KiB, so the server encodes and decodes real messages.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { once } from "node:events";
import getPort from "get-port";
import { SimpleRequest, SimpleResponse } from "@grpc-calculator/interop/messages";
import { frame, grpcRequestHeaders, unframe } from "./grpc-wire.js";
import { h2load } from "./h2load.js";
import { answerHeader, http2Call } from "./http2-call.js";
import { readMemory } from "./process-usage.js";

const require = createRequire(import.meta.url);
const PAYLOAD_BYTES = 1024;
const RSS_BOUND_MB = 150;
const UNARY_CALL = "/grpc.testing.TestService/UnaryCall";
const load = { connections: 16, streams: 16, warmupS: 1, durationS: 10 };

const port = await getPort({ host: "127.0.0.1" });
const server = spawn(process.execPath, [require.resolve("@grpc-calculator/interop/main")], {
  env: { ...process.env, PORT: String(port), HOST: "127.0.0.1" },
  stdio: ["ignore", "pipe", "inherit"],
});
const [firstLine] = (await once(server.stdout, "data")) as [Buffer];
if (!firstLine.toString().includes("listening")) throw new Error(`the interop server said: ${firstLine.toString()}`);
server.stdout.resume();
const pid = server.pid ?? NaN;
const idle = readMemory(pid);

let peak = idle.rssMb;
const sampler = setInterval(() => (peak = Math.max(peak, readMemory(pid).rssMb)), 100);
const workDir = mkdtempSync(path.join(tmpdir(), "interop-load-"));
try {
  const body = frame(
    SimpleRequest.encode({
      ...SimpleRequest.decode(new Uint8Array()), // every field at its default
      responseSize: PAYLOAD_BYTES,
      payload: { type: 0, body: Buffer.alloc(PAYLOAD_BYTES) },
    }).finish(),
  );
  // h2load counts HTTP statuses: the request it repeats is checked once for a gRPC OK with its payload.
  const check = await http2Call(port, UNARY_CALL, grpcRequestHeaders, body, 5_000);
  const answered = SimpleResponse.decode(unframe(check.body)[0] ?? new Uint8Array());
  if (answerHeader(check, "grpc-status") !== "0" || answered.payload?.body.length !== PAYLOAD_BYTES) {
    throw new Error(`UnaryCall did not answer OK with ${PAYLOAD_BYTES} bytes: ${JSON.stringify(check.trailers)}`);
  }
  const result = await h2load({
    port,
    path: UNARY_CALL,
    body,
    ...load,
    cpus: undefined,
    workDir,
  });
  clearInterval(sampler);
  const { peakRssMb } = readMemory(pid);
  peak = Math.max(peak, peakRssMb);
  const line = {
    load: `${load.connections}×${load.streams}, ${load.durationS} s, UnaryCall with ${PAYLOAD_BYTES} B each way`,
    reqPerSec: Math.round(result.reqPerSec),
    succeeded: result.succeeded,
    failed: result.failed,
    idleRssMb: Math.round(idle.rssMb * 10) / 10,
    peakRssMb: Math.round(peak * 10) / 10,
    rssBoundMb: RSS_BOUND_MB,
  };
  console.log(JSON.stringify(line, null, 2));
  if (peak > RSS_BOUND_MB) process.exitCode = 1;
} finally {
  clearInterval(sampler);
  server.kill("SIGTERM");
  await once(server, "exit");
  rmSync(workDir, { recursive: true, force: true });
}
