// Everything a real deploy needs before it builds or pushes anything: the tools, a running Docker daemon,
// a gcloud login, a project and region, and the Artifact Registry repository. Each missing piece becomes one
// line saying what is missing and how to fix it. --dry-run skips all of this: it must work without gcloud.
import { findExecutable } from "./private/executables.js";
import { formatCommand } from "./private/shell.js";
import type { DeployOptions } from "./options.js";
import type { CommandRunner } from "./runner.js";

export const REQUIRED_TOOLS = [
  { name: "docker", fix: "install Docker: https://docs.docker.com/get-docker/" },
  { name: "gcloud", fix: "install the Google Cloud CLI: https://cloud.google.com/sdk/docs/install" },
  { name: "git", fix: "install git; the image is tagged with the commit it is built from" },
] as const;

export const PROBES = {
  dockerDaemon: ["docker", "info", "--format", "{{.ServerVersion}}"],
  account: ["gcloud", "auth", "list", "--filter=status:ACTIVE", "--format=value(account)"],
  project: ["gcloud", "config", "get-value", "project"],
  region: ["gcloud", "config", "get-value", "run/region"],
  repository: (repository: string, project: string, region: string) => [
    "gcloud",
    "artifacts",
    "repositories",
    "describe",
    repository,
    "--project",
    project,
    "--location",
    region,
    "--format=value(name)",
  ],
} as const;

/** One or more missing prerequisites; each line of `problems` stands alone. */
export class PrerequisiteError extends Error {
  override readonly name = "PrerequisiteError";
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
  }
}

export interface PrerequisiteContext {
  readonly runner: CommandRunner;
  /** PATH to look tools up on (the deploying user's environment). */
  readonly path: string | undefined;
  readonly cwd: string;
}

export interface ResolvedLocation {
  readonly project: string;
  readonly region: string;
}

/** Checks every prerequisite in order; throws PrerequisiteError listing what is missing. */
export async function checkPrerequisites(
  options: DeployOptions,
  context: PrerequisiteContext,
): Promise<ResolvedLocation> {
  const missingTools = REQUIRED_TOOLS.filter((tool) => findExecutable(tool.name, context.path) === undefined);
  if (missingTools.length > 0) {
    throw new PrerequisiteError(
      missingTools.map((tool) => `${tool.name} is not installed (not found on PATH): ${tool.fix}.`),
    );
  }
  const probe = (argv: readonly string[]) => context.runner.run(argv, { cwd: context.cwd, capture: true });
  const problems: string[] = [];

  const daemon = await probe(PROBES.dockerDaemon);
  if (daemon.code !== 0) {
    problems.push(
      `Docker is installed but its daemon is not reachable (\`docker info\` failed: ${lastLine(daemon.stderr)}): start Docker.`,
    );
  }

  const account = await probe(PROBES.account);
  if (account.code !== 0 || account.stdout.trim() === "") {
    // Without an account every other gcloud call fails the same way: stop at the one fix that matters.
    throw new PrerequisiteError([...problems, "gcloud is not logged in to Google Cloud: run `gcloud auth login`."]);
  }

  const project = options.project ?? (await configValue(probe, PROBES.project));
  if (project === undefined) {
    problems.push(
      "No Google Cloud project: pass --project PROJECT_ID, or set a default with `gcloud config set project PROJECT_ID`.",
    );
  }
  const region = options.region ?? (await configValue(probe, PROBES.region));
  if (region === undefined) {
    problems.push(
      "No Cloud Run region: pass --region REGION (e.g. us-central1), or set a default with `gcloud config set run/region REGION`.",
    );
  }

  if (project !== undefined && region !== undefined) {
    const repository = await probe(PROBES.repository(options.repository, project, region));
    if (repository.code !== 0) {
      const create = formatCommand([
        "gcloud",
        "artifacts",
        "repositories",
        "create",
        options.repository,
        "--repository-format=docker",
        `--location=${region}`,
        `--project=${project}`,
      ]);
      problems.push(
        `Artifact Registry repository ${options.repository} is missing or not accessible in project ${project}, location ${region} (${lastLine(repository.stderr)}): create it with \`${create}\`.`,
      );
    }
  }

  if (problems.length > 0 || project === undefined || region === undefined) throw new PrerequisiteError(problems);
  return { project, region };
}

/** A gcloud config value, or undefined when unset (gcloud prints "(unset)" or nothing). */
async function configValue(
  probe: (argv: readonly string[]) => Promise<{ code: number; stdout: string }>,
  argv: readonly string[],
) {
  const result = await probe(argv);
  const value = result.stdout.trim();
  return result.code === 0 && value !== "" && value !== "(unset)" ? value : undefined;
}

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1)?.trim() || "no output";
}
