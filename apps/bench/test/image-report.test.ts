import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import { readImageSizes } from "../src/image-report.js";

test("image and layer sizes are picked from the e2e report, other numbers are not", () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "bench-image-")), "report.json");
  writeFileSync(
    file,
    JSON.stringify({
      imageSizeMiB: 100.12,
      runtimeBaseSizeMiB: 99.5,
      appLayerKiB: 633,
      imageBuildMs: 69605,
      startToServingMs: 380,
    }),
  );
  expect(readImageSizes(file)).toEqual({
    fields: { imageSizeMiB: 100.12, runtimeBaseSizeMiB: 99.5, appLayerKiB: 633 },
  });
});

test("no report, no image numbers", () => {
  expect(readImageSizes(path.join(tmpdir(), "does-not-exist", "report.json"))).toBeUndefined();
});
