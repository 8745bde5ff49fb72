// The seeded wire fuzzer against the server bundle: zero crashes, zero hangs, zero wrong answers, and a
// correct 2 + 3 afterwards. RELIABILITY_FUZZ_SEED replays a run; RELIABILITY_FUZZ_COUNT changes its size.
import { fileURLToPath } from "node:url";
import { Operation } from "@grpc-calculator/proto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runFuzz, type FuzzReport } from "../src/fuzzer.js";
import { calculateRaw, connect } from "../src/raw-client.js";
import { recordSection } from "../src/report.js";
import { startServerProcess, type ServerProcess } from "../src/server-process.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const seed = Number(process.env.RELIABILITY_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32));
const count = Number(process.env.RELIABILITY_FUZZ_COUNT ?? 10_000);
let server: ServerProcess;
let report: FuzzReport | undefined;
let rssBefore = 0;
let fdBefore = 0;

beforeAll(async () => {
  server = await startServerProcess();
  rssBefore = server.rssBytes();
  fdBefore = server.fdCount();
});

afterAll(async () => {
  const alive = server.alive();
  const resources = alive
    ? {
        rssBeforeBytes: rssBefore,
        rssAfterBytes: server.rssBytes(),
        fdBefore,
        fdAfter: await server.settleFds(fdBefore),
      }
    : undefined;
  await server.stop();
  recordSection(root, "fuzz", {
    seed,
    inputsSent: report?.sent ?? 0,
    hangs: report?.hangs ?? 0,
    wrongAnswers: report?.wrongAnswers ?? 0,
    streamResets: report?.streamResets ?? 0,
    connectionErrors: report?.connectionErrors ?? 0,
    crashes: alive ? 0 : 1,
    callsLost: report?.hangs ?? 0,
    statuses: report?.statuses ?? {},
    byMutation: report?.byMutation ?? {},
    failures: report?.failures.slice(0, 20) ?? [],
    ...(resources === undefined ? {} : { resources }),
  });
});

it(`answers ${count} mutated frames (seed ${seed}) without a crash, a hang or a wrong answer`, async () => {
  console.log(`wire fuzzer seed ${seed} (replay: RELIABILITY_FUZZ_SEED=${seed} pnpm test:reliability)`);
  report = await runFuzz(server, { seed, count, concurrency: 16, connections: 4 });
  const replay = `seed ${seed}; replay with RELIABILITY_FUZZ_SEED=${seed}; first failures: ${JSON.stringify(report.failures.slice(0, 5))}`;
  expect(server.alive(), `server exited: ${server.stderr.join("")}`).toBe(true);
  expect(report.sent).toBe(count);
  expect(report.hangs, replay).toBe(0);
  expect(report.wrongAnswers, replay).toBe(0);
  // Mutations touch only the gRPC message, never HTTP/2 framing: no reason for the server to drop the connection.
  expect(report.connectionErrors, replay).toBe(0);
  const session = await connect(server);
  try {
    expect(await calculateRaw(session, 2, 3, Operation.ADD)).toBe(5);
  } finally {
    session.destroy();
  }
});
