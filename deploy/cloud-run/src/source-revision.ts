// The image tag: the git commit being deployed, so every image in the registry traces back to its source.
import { PrerequisiteError } from "./prerequisites.js";
import type { CommandRunner } from "./runner.js";

export const REVISION_PROBES = {
  head: ["git", "rev-parse", "--short=12", "HEAD"],
  changes: ["git", "status", "--porcelain", "--untracked-files=no"],
} as const;

/**
 * The short commit id of HEAD, with "-dirty" when tracked files have uncommitted changes: such an image is
 * not that commit, and must not overwrite the tag of the clean build.
 */
export async function sourceRevision(runner: CommandRunner, cwd: string): Promise<string> {
  const head = await runner.run(REVISION_PROBES.head, { cwd, capture: true });
  if (head.code !== 0) {
    const why = head.stderr.trim().split("\n").at(-1) || `exit ${head.code}`;
    throw new PrerequisiteError([
      `Cannot tag the image: \`git rev-parse HEAD\` failed (${why}): deploy from a git checkout with at least one commit.`,
    ]);
  }
  const changes = await runner.run(REVISION_PROBES.changes, { cwd, capture: true });
  const dirty = changes.code !== 0 || changes.stdout.trim() !== "";
  return head.stdout.trim() + (dirty ? "-dirty" : "");
}
