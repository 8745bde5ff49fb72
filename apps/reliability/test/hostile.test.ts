// Every hostile/malformed case against the server bundle as a child process: the proper status or
// connection error, never a crash or hang, and 2 + 3 = 5 after every case.
import { fileURLToPath } from "node:url";
import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostileCases, runCase, type CaseRun } from "../src/hostile-cases.js";
import { slowWebCases } from "../src/web-cases.js";
import { recordSection } from "../src/report.js";
import { startServerProcess, type ServerProcess } from "../src/server-process.js";

const root = fileURLToPath(new URL("..", import.meta.url));
let server: ServerProcess;
let rssBefore = 0;
let fdBefore = 0;
const runs: CaseRun[] = [];

beforeAll(async () => {
  server = await startServerProcess();
  rssBefore = server.rssBytes();
  fdBefore = server.fdCount();
});

afterAll(async () => {
  if (server === undefined) return;
  const crashes = server.alive() ? 0 : 1;
  const rssAfter = server.alive() ? server.rssBytes() : Number.NaN;
  const fdAfter = await server.settleFds(fdBefore);
  await server.stop();
  const byKind: Record<string, { tried: number; passed: number }> = {};
  const statuses: Record<string, number> = {};
  for (const run of runs) {
    const k = (byKind[run.kind] ??= { tried: 0, passed: 0 });
    k.tried++;
    if (run.passed && run.healthyAfter) k.passed++;
    for (const code of run.statuses)
      statuses[status[code] ?? String(code)] = (statuses[status[code] ?? String(code)] ?? 0) + 1;
  }
  recordSection(root, "hostile", {
    casesTried: runs.length,
    casesPassed: runs.filter((r) => r.passed && r.healthyAfter).length,
    byKind,
    crashes,
    callsLost: 0,
    statuses,
    resources: { rssBeforeBytes: rssBefore, rssAfterBytes: rssAfter, fdBefore, fdAfter },
    cases: runs,
  });
});

describe.each(["http", "web", "grpc-framing", "protobuf", "metadata", "http2-abuse"] as const)("%s", (kind) => {
  it.each([...hostileCases, ...slowWebCases].filter((c) => c.kind === kind).map((c) => [c.name, c] as const))(
    "%s",
    async (_name, hostile) => {
      const run = await runCase(server, hostile);
      runs.push(run);
      expect(server.alive(), "server process still running").toBe(true);
      expect(run.passed, `expected ${run.expected}; observed ${run.observed}`).toBe(true);
      expect(run.healthyAfter, "2 + 3 answers 5 after the case").toBe(true);
    },
  );
});

it("holds no extra descriptors once every hostile connection is gone", async () => {
  expect(await server.settleFds(fdBefore)).toBeLessThanOrEqual(fdBefore);
});
