// `pnpm run deploy:cloud-run -- ...`: the deploy command with the real process runner.
import { deploy, REPO_ROOT } from "./deploy.js";
import { spawnRunner } from "./runner.js";

process.exitCode = await deploy(process.argv.slice(2), {
  runner: spawnRunner,
  path: process.env["PATH"],
  repoRoot: REPO_ROOT,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
