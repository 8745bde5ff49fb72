// The deploy command's arguments: parsed and checked by commander, so a bad value is one clear message
// before anything runs.
import { Command, InvalidArgumentError, Option } from "commander";

export type Access = "public" | "private";

export interface DeployOptions {
  /** Google Cloud project id; when absent, gcloud's configured project is used. */
  readonly project?: string;
  /** Cloud Run region, also the Artifact Registry location; when absent, gcloud's run/region. */
  readonly region?: string;
  /** Artifact Registry Docker repository that receives the image. */
  readonly repository: string;
  /** Cloud Run service name. */
  readonly service: string;
  /** public: anyone may call (allUsers gets roles/run.invoker); private: callers need IAM. */
  readonly access: Access;
  readonly dryRun: boolean;
}

export const DEFAULT_SERVICE = "grpc-calculator";
export const DEFAULT_REPOSITORY = "grpc-calculator";

/** Thrown for bad arguments; `message` is what the user reads. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

function matching(pattern: RegExp, what: string) {
  return (value: string): string => {
    if (!pattern.test(value)) throw new InvalidArgumentError(`not a valid ${what}.`);
    return value;
  };
}

// Google's documented shapes: project ids are 6-30 lowercase letters, digits and hyphens starting with a
// letter; Cloud Run service names up to 49 characters; Artifact Registry repository ids up to 63.
const PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const REGION = /^[a-z]+-[a-z]+[0-9]+$/;
const SERVICE = /^[a-z](?:[a-z0-9-]{0,47}[a-z0-9])?$/;
const REPOSITORY = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function program(): Command {
  return new Command("deploy:cloud-run")
    .description("Build the server image, push it to Artifact Registry and deploy it to Cloud Run.")
    .addOption(
      new Option("--project <id>", "Google Cloud project (default: gcloud config get-value project)").argParser(
        matching(PROJECT, "project id"),
      ),
    )
    .addOption(
      new Option(
        "--region <region>",
        "Cloud Run region, e.g. us-central1 (default: gcloud config get-value run/region)",
      ).argParser(matching(REGION, "region")),
    )
    .addOption(
      new Option("--repository <id>", "Artifact Registry Docker repository")
        .default(DEFAULT_REPOSITORY)
        .argParser(matching(REPOSITORY, "Artifact Registry repository id")),
    )
    .addOption(
      new Option("--service <name>", "Cloud Run service name")
        .default(DEFAULT_SERVICE)
        .argParser(matching(SERVICE, "Cloud Run service name (lowercase letters, digits, hyphens, at most 49)")),
    )
    .addOption(
      new Option(
        "--allow-unauthenticated",
        "let anyone call the service (grants allUsers roles/run.invoker)",
      ).conflicts("private"),
    )
    .addOption(new Option("--private", "only callers with roles/run.invoker (removes allUsers); the default"))
    .addOption(new Option("--dry-run", "print every command and the rendered service.yaml; run nothing"))
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
}

/** The help text, for --help. */
export function usage(): string {
  return program().helpInformation();
}

/**
 * Parses the user's arguments (without node and the script path). `pnpm run deploy:cloud-run -- --project P`
 * hands the script a literal leading `--`, which is dropped here rather than ending option parsing.
 * Returns "help" for -h/--help; throws UsageError for anything else commander rejects.
 */
export function parseDeployArgs(args: readonly string[]): DeployOptions | "help" {
  const userArgs = args[0] === "--" ? args.slice(1) : args;
  const command = program();
  try {
    command.parse([...userArgs], { from: "user" });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "commander.helpDisplayed" || code === "commander.help") return "help";
    throw new UsageError((error as Error).message.replace(/^error: /, ""));
  }
  const o = command.opts<{
    project?: string;
    region?: string;
    repository: string;
    service: string;
    allowUnauthenticated?: true;
    private?: true;
    dryRun?: true;
  }>();
  return {
    ...(o.project === undefined ? {} : { project: o.project }),
    ...(o.region === undefined ? {} : { region: o.region }),
    repository: o.repository,
    service: o.service,
    access: o.allowUnauthenticated ? "public" : "private",
    dryRun: o.dryRun === true,
  };
}
