// Which path serves each plain unary call: ours started once with LOG_LEVEL=debug, one call per protocol,
// then stopped and its log read. The start line says whether the protocol router engaged
// (`"protocolRouter": true`); each call's line names the protocol and the path that served it
// (`"servedBy": "direct" | "grpc-js" | "connect-es"`). A throughput ratio alone cannot tell a direct path
// that got slower from grpc-js or connect-es serving everything; this can.
import { readFileSync } from "node:fs";
import { calculatePath } from "./grpc-wire.js";
import { startServer, type ServerSpec, type StartOptions } from "./servers.js";
import { callOnce, type ScenarioKey, type UnaryScenario } from "./unary-scenarios.js";

export interface ServedCall {
  scenario: ScenarioKey;
  /** The protocol the call was made in, as the server names it. */
  expectedProtocol: string;
  /** What the call's log line says (undefined: no line for it). */
  protocol: string | undefined;
  servedBy: string | undefined;
  /** Why the answer was not right (then the call's line, if any, still says who served it). */
  failure?: string;
}

export interface Routing {
  /** The start line's `protocolRouter` (undefined: no start line with it). */
  protocolRouter: boolean | undefined;
  calls: ServedCall[];
  /** The router engaged and every call was answered right by the direct path, in the protocol it was made in. */
  allDirect: boolean;
}

/** What the server logged while one call was made, and how the call went. */
export interface LoggedCall {
  scenario: UnaryScenario;
  /** The log lines written between sending the call and reading its answer. */
  log: string;
  failure?: string;
}

function jsonLines(log: string): Record<string, unknown>[] {
  return log.split("\n").flatMap((line): Record<string, unknown>[] => {
    try {
      const parsed: unknown = JSON.parse(line);
      return typeof parsed === "object" && parsed !== null ? [parsed as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** The routing from the log up to the first ready answer and what was logged during each call. */
export function readRouting(startLog: string, loggedCalls: readonly LoggedCall[]): Routing {
  const start = jsonLines(startLog).find((line) => "protocolRouter" in line);
  const calls = loggedCalls.map(({ scenario, log, failure }): ServedCall => {
    const line = jsonLines(log).find((candidate) => candidate.method === calculatePath && "servedBy" in candidate);
    return {
      scenario: scenario.key,
      expectedProtocol: scenario.protocol,
      protocol: text(line?.protocol),
      servedBy: text(line?.servedBy),
      ...(failure !== undefined && { failure }),
    };
  });
  const protocolRouter = typeof start?.protocolRouter === "boolean" ? start.protocolRouter : undefined;
  const allDirect =
    protocolRouter === true &&
    calls.every(
      (call) => call.failure === undefined && call.servedBy === "direct" && call.protocol === call.expectedProtocol,
    );
  return { protocolRouter, calls, allDirect };
}

/**
 * Starts `spec` (a LOG_LEVEL=debug server), makes each scenario's call once and reads what the server
 * logged meanwhile (its logger writes synchronously, before the answer goes out), then stops it.
 */
export async function checkRouting(
  spec: ServerSpec,
  scenarios: readonly UnaryScenario[],
  options: StartOptions,
): Promise<Routing> {
  const server = await startServer(spec, options);
  let seen = 0;
  const newLog = (): string => {
    const log = readFileSync(options.logFile);
    const added = log.subarray(seen).toString("utf8");
    seen = log.length;
    return added;
  };
  const loggedCalls: LoggedCall[] = [];
  let startLog: string;
  try {
    startLog = newLog();
    for (const scenario of scenarios) {
      let failure: string | undefined;
      await callOnce(server.port, scenario).catch((error: unknown) => (failure = (error as Error).message));
      loggedCalls.push({ scenario, log: newLog(), ...(failure !== undefined && { failure }) });
    }
  } finally {
    await server.stop();
  }
  return readRouting(startLog, loggedCalls);
}

/** One line: `protocolRouter true; grpc: direct, connect-json: direct, …`. */
export function describeRouting(routing: Routing): string {
  const calls = routing.calls.map((call) => {
    const as = call.protocol !== undefined && call.protocol !== call.expectedProtocol ? ` (as ${call.protocol})` : "";
    const failed = call.failure === undefined ? "" : ` — wrong answer: ${call.failure}`;
    return `${call.scenario}: ${call.servedBy ?? "no log line"}${as}${failed}`;
  });
  return `protocolRouter ${String(routing.protocolRouter)}; ${calls.join(", ")}`;
}
