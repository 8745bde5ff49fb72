import { expect, test } from "vitest";
import { packageOf, summarize } from "../src/cpu-profile.js";

test("frames are attributed to the package their file comes from", () => {
  expect(packageOf("file:///r/node_modules/.pnpm/x/node_modules/@grpc/grpc-js/build/src/server.js", "f")).toBe(
    "@grpc/grpc-js",
  );
  expect(packageOf("file:///r/node_modules/.pnpm/x/node_modules/pino/pino.js", "f")).toBe("pino");
  expect(packageOf("node:internal/http2/core", "respond")).toBe("node core");
  expect(packageOf("", "(garbage collector)")).toBe("(garbage collector)");
  expect(packageOf("file:///r/packages/server/dist/esm/calculate.js", "calculate")).toBe("ours (packages/server)");
});

test("self time adds each sample's time delta to the function it landed in", () => {
  const frame = (id: number, functionName: string, url: string) => ({
    id,
    callFrame: { functionName, url, lineNumber: 9 },
  });
  const { functions, packages } = summarize({
    nodes: [
      frame(1, "(garbage collector)", ""),
      frame(2, "respond", "node:internal/http2/core"),
      frame(3, "respond", "node:internal/http2/core"),
    ],
    samples: [1, 2, 3, 2],
    timeDeltas: [1000, 2000, 3000, 4000],
  });
  expect(functions[0]).toEqual({ name: "respond node:internal/http2/core:10", ms: 9, share: 0.9 });
  expect(packages.map((p) => [p.name, p.ms])).toEqual([
    ["node core", 9],
    ["(garbage collector)", 1],
  ]);
});
