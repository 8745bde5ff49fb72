// Sums every vitest JSON report the test run wrote (<package>/.results/vitest*.json under packages/, apps/, deploy/, tools/)
// into the one line CI reads: "tests: N passed, N failed". Skipped or todo tests are listed, never counted as passed.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

let passed = 0,
  failed = 0,
  skipped = 0;
for (const dir of ["packages", "apps", "deploy", "tools"]) {
  for (const pkg of readdirSync(dir)) {
    const results = join(dir, pkg, ".results");
    let files = [];
    try {
      files = readdirSync(results).filter((f) => /^vitest.*\.json$/.test(f));
    } catch {
      continue;
    }
    for (const file of files) {
      const report = JSON.parse(readFileSync(join(results, file), "utf8"));
      passed += report.numPassedTests;
      failed +=
        report.numFailedTests +
        (report.numRuntimeErrors ?? 0) +
        report.testResults.filter((f) => f.status === "failed" && f.assertionResults.length === 0).length;
      skipped += report.numPendingTests + report.numTodoTests;
      // vitest-node22.json: the run on Node 22 (tools/test-tools' node-matrix); vitest.json: the host's Node.
      const node = /-node(\d+)\.json$/.exec(file)?.[1];
      console.log(
        `  ${join(dir, pkg)}/${file}${node ? ` (Node ${node})` : ""}: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests} skipped`,
      );
    }
  }
}
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
