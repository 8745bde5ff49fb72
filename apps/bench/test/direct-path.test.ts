import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { checkRouting } from "../src/routing-check.js";
import { makeTempDir, oursDirectPath } from "../src/servers.js";
import { grpcUnary } from "../src/unary-scenarios.js";

// servers/direct-path.mjs, which `--floor` runs with the direct gRPC path on and off: each answers right, and
// its own debug log line says which path served the call, so the two rows measure what they are named for.
const logs = makeTempDir("bench-direct-path-");
afterAll(() => logs.remove());

test.each([
  ["on", "direct"],
  ["off", "grpc-js"],
] as const)("DIRECT_PATH=%s: a plain gRPC Calculate is answered by %s", async (direct, servedBy) => {
  const spec = oursDirectPath(direct);
  const routing = await checkRouting({ ...spec, env: { ...spec.env, LOG_LEVEL: "debug" } }, [grpcUnary], {
    cpus: "",
    logFile: path.join(logs.dir, `${direct}.log`),
  });
  expect(routing.calls).toEqual([expect.objectContaining({ protocol: "grpc", servedBy })]);
  expect(routing.calls[0]?.failure).toBeUndefined();
});
