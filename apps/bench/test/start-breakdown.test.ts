import { describe, expect, test } from "vitest";
import { builtinShim, bundleRegions, packageAtLine, packageOfRegion, runtimeHelpers } from "../src/bundle-regions.js";
import { startBreakdown, type ProfileNode } from "../src/start-breakdown.js";
import { listeningTime } from "../src/start-profile.js";

// A bundle as `bundle.mjs --no-minify` writes it: banner and helpers, then one region per module.
const bundle = [
  'import { createRequire as __createRequire } from "node:module";', // 1
  "var __commonJS = (cb, mod) => function __require() {};", // 2
  "// ../../node_modules/.pnpm/@grpc+grpc-js@1.14.7/node_modules/@grpc/grpc-js/build/src/index.js", // 3
  "var require_src = __commonJS({});", // 4
  "// builtin:node:http2", // 5
  "var require_node_http2 = __commonJS({});", // 6
  "// ../rpc-server/dist/esm/server.js", // 7
  "function startRpcServer() {}", // 8
  "// src/main.ts", // 9
  "await serve(config);", // 10
  "// a comment that is no region", // 11
].join("\n");

describe("the bundle's regions", () => {
  const regions = bundleRegions(bundle);

  test("each `// path` comment starts a region; other comments do not", () => {
    expect(regions.map((r) => r.line)).toEqual([3, 5, 7, 9]);
  });

  test("a line belongs to the package of the region it falls in", () => {
    expect(packageAtLine(regions, 2)).toBe(runtimeHelpers);
    expect(packageAtLine(regions, 4)).toBe("@grpc/grpc-js");
    expect(packageAtLine(regions, 6)).toBe(builtinShim);
    expect(packageAtLine(regions, 8)).toBe("@grpc-calculator/rpc-server");
    expect(packageAtLine(regions, 10)).toBe("ours (packages/server)");
  });

  test("packages are named as npm names them, workspace siblings by their workspace name", () => {
    expect(packageOfRegion("../../node_modules/.pnpm/pino@10.4.0/node_modules/pino/lib/tools.js")).toBe("pino");
    expect(packageOfRegion("../../node_modules/.pnpm/x/node_modules/@bufbuild/protobuf/dist/esm/wire/index.js")).toBe(
      "@bufbuild/protobuf",
    );
    expect(packageOfRegion("../proto/dist/esm/gen/calculator.js")).toBe("@grpc-calculator/proto");
    expect(packageOfRegion("src/gen/descriptor-set.ts")).toBe("ours (packages/server)");
  });
});

describe("one profiled start, phase by phase", () => {
  const entryUrl = "file:///copy/start.mjs";
  const bundleUrl = "file:///copy/server.mjs";
  const node = (id: number, functionName: string, url: string, lineNumber: number, children: number[] = []) => ({
    id,
    callFrame: { functionName, url, lineNumber },
    children,
  });
  const nodes: ProfileNode[] = [
    node(1, "(root)", "", -1, [2, 3, 7, 8, 10, 11]),
    node(2, "", entryUrl, 0),
    // The bundle's top level: its self samples split by the lines they hit (1-based).
    {
      ...node(3, "", bundleUrl, 0, [4]),
      positionTicks: [
        { line: 10, ticks: 3 },
        { line: 8, ticks: 1 },
      ],
    },
    node(4, "", bundleUrl, 3, [6]), // grpc-js's module function (0-based line 3: line 4)
    node(5, "require", "node:internal/modules/helpers", 155),
    node(6, "", bundleUrl, 5, [5]), // the require("node:http2") shim
    node(7, "(garbage collector)", "", -1),
    node(8, "startRpcServer", bundleUrl, 7, [9]),
    node(9, "listen", "node:net", 2000),
    node(10, "(program)", "", -1),
    node(11, "runMain", "node:internal/main/run_main_module", 0),
  ];
  // One sample every 10 ms from 1.01 s on the monotonic clock; spawned at 0.9 s.
  const samples = [11, 2, 3, 5, 7, 3, 9, 8, 10, 7];
  const ms = 1000;
  const phases = startBreakdown({
    profile: {
      nodes,
      samples,
      timeDeltas: [1010 * ms, ...samples.slice(1).map(() => 10 * ms)],
      startTime: 0,
      endTime: 1110 * ms,
    },
    entryUrl,
    bundleUrl,
    regions: bundleRegions(bundle),
    spawnedAt: 900 * ms,
    listeningAt: 1090 * ms,
    firstAnswerAt: 1100 * ms,
  });
  const where = (i: number) => Object.fromEntries(phases[i]!.where.map((w) => [w.name, w.ms]));

  test("the phases run from spawn to the first answer, split where start.mjs, server.mjs, listening begin", () => {
    expect(phases.map((p) => [p.fromMs, p.toMs])).toEqual([
      [0, 120],
      [120, 130],
      [130, 170],
      [170, 190],
      [190, 200],
    ]);
  });

  test("before start.mjs, Node's own JavaScript; then start.mjs", () => {
    expect(where(0)).toEqual({ "Node's own JS": 10 });
    expect(where(1)).toEqual({ "start.mjs": 10 });
  });

  test("evaluation: the top level by the lines it ran, a built-in by the package that required it, GC", () => {
    expect(where(2)).toEqual({
      "ours (packages/server)": 15,
      "@grpc-calculator/rpc-server": 5,
      "node built-ins via @grpc/grpc-js": 10,
      GC: 10,
    });
  });

  test("listen and the first call; samples after the first answer count nowhere", () => {
    expect(where(3)).toEqual({
      "node built-ins via @grpc-calculator/rpc-server": 10,
      "@grpc-calculator/rpc-server": 10,
    });
    expect(where(4)).toEqual({ "(program): V8 outside JS": 10 });
  });
});

test("the listening time is read from the server's own log line", () => {
  const log = [
    '{"severity":"WARNING","time":"2026-12-03T21:00:00.000Z","message":"compile cache unavailable"}',
    '{"severity":"INFO","time":"2026-12-03T21:00:00.123Z","port":1,"message":"listening on 127.0.0.1:1"}',
    "",
  ].join("\n");
  expect(listeningTime(log)).toBe(Date.parse("2026-12-03T21:00:00.123Z"));
  expect(() => listeningTime("{}\n")).toThrow(/no 'listening on' line/);
});
