// Spawn → first answer: polls a freshly spawned server with raw HTTP/2 calls until it answers as a
// ready server would, and records when. Bounded in time; every miss retries after a short pause.
import { setTimeout as sleep } from "node:timers/promises";
import { CalculationResult } from "@grpc-calculator/proto";
import { service as healthService } from "grpc-health-check";
import { calculatePath, expectedResult, frame, rawCall, unaryBody } from "./grpc-wire.js";
import { http2Call } from "./http2-call.js";
import { connectJsonUnary } from "./unary-scenarios.js";

/**
 * How a server shows it is ready: a SERVING health answer (what Cloud Run's startup probe waits for), a
 * first gRPC `Calculate` result (servers without health), or a first Connect JSON `Calculate` result
 * (`curl -H 'content-type: application/json'`: a web client's first call).
 */
export type Readiness = "health" | "calculate" | "connect-json";

const healthCheck = healthService.Check!;
const healthRequest = frame(healthCheck.requestSerialize({ service: "" }));

async function answersReady(port: number, readiness: Readiness): Promise<boolean> {
  if (readiness === "connect-json") {
    const { path, headers, body } = connectJsonUnary;
    // Throws, saying what came back, until the answer is HTTP 200 with {"result":5}.
    connectJsonUnary.check(await http2Call(port, path, headers, body, 1_000));
    return true;
  }
  if (readiness === "health") {
    const answer = await rawCall(port, healthCheck.path, healthRequest, 1_000);
    const message = answer.messages[0];
    if (answer.grpcStatus !== "0" || !message) return false;
    return (healthCheck.responseDeserialize(message) as { status?: unknown }).status === "SERVING";
  }
  const answer = await rawCall(port, calculatePath, unaryBody(), 1_000);
  const message = answer.messages[0];
  return (
    answer.grpcStatus === "0" && message !== undefined && CalculationResult.decode(message).result === expectedResult
  );
}

/**
 * Resolves with the milliseconds from `spawnedAt` (performance.now()) to the first ready answer;
 * rejects after `timeoutMs` or as soon as `exited()` reports the process gone.
 */
export async function waitForFirstAnswer(
  port: number,
  readiness: Readiness,
  spawnedAt: number,
  timeoutMs: number,
  exited: () => boolean,
): Promise<number> {
  const deadline = spawnedAt + timeoutMs;
  let lastError = "no answer";
  while (performance.now() < deadline) {
    if (exited()) throw new Error(`server exited before its first answer (${lastError})`);
    try {
      if (await answersReady(port, readiness)) return performance.now() - spawnedAt;
      lastError = "answered, not ready yet";
    } catch (error) {
      lastError = (error as Error).message;
    }
    await sleep(2);
  }
  throw new Error(`no ready answer on port ${port} within ${timeoutMs} ms (${lastError})`);
}
