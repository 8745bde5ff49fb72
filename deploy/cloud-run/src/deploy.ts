// The deploy command: arguments → prerequisites → image tag → rendered service.yaml → the steps, run in
// order (or printed, with --dry-run) → the endpoint and a command to call it.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDeployArgs, usage, UsageError, type DeployOptions } from "./options.js";
import {
  deploySteps,
  imageRef,
  policyGrants,
  RENDERED_SERVICE_YAML,
  telemetryNote,
  type DeployTarget,
  type Step,
} from "./plan.js";
import { checkPrerequisites, PrerequisiteError, PROBES, REQUIRED_TOOLS } from "./prerequisites.js";
import { formatCommand } from "./private/shell.js";
import type { CommandRunner } from "./runner.js";
import { ServiceYamlError, readServiceTemplate, renderServiceYaml } from "./service-yaml.js";
import { REVISION_PROBES, sourceRevision } from "./source-revision.js";

export interface DeployContext {
  readonly runner: CommandRunner;
  /** PATH the tools are looked up on. */
  readonly path: string | undefined;
  /** The repository root: the Docker build context, where every command runs. */
  readonly repoRoot: string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** The service.yaml template's text; defaults to deploy/cloud-run/service.yaml. */
  readonly template?: string;
}

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** Exit codes: 0 deployed (or planned), 1 a prerequisite or step failed, 2 bad arguments. */
export async function deploy(args: readonly string[], context: DeployContext): Promise<number> {
  let options: DeployOptions | "help";
  try {
    options = parseDeployArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    context.err(`deploy:cloud-run: ${error.message}\n\n${usage()}`);
    return 2;
  }
  if (options === "help") {
    context.out(usage());
    return 0;
  }
  try {
    return options.dryRun ? await dryRun(options, context) : await run(options, context);
  } catch (error) {
    if (error instanceof PrerequisiteError) {
      context.err(
        `deploy:cloud-run: cannot deploy yet, nothing was built or pushed:\n${error.problems.map((p) => `  - ${p}`).join("\n")}\n`,
      );
      return 1;
    }
    if (error instanceof ServiceYamlError) {
      context.err(`deploy:cloud-run: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

async function dryRun(options: DeployOptions, context: DeployContext): Promise<number> {
  if (options.project === undefined || options.region === undefined) {
    // A dry run runs no gcloud, so it cannot read gcloud's defaults.
    context.err("deploy:cloud-run: --dry-run needs --project and --region (it does not ask gcloud for defaults).\n");
    return 2;
  }
  const target = await resolveTarget(options, { project: options.project, region: options.region }, context);
  const yaml = render(target, context);
  const lines = [
    `# Dry run: nothing below is run. Deploy ${target.service} to project ${target.project}, region ${target.region}, ${describeAccess(target)}.`,
    `# Image ${imageRef(target)} (tag from \`${formatCommand(REVISION_PROBES.head)}\`: git is all a dry run runs).`,
    "# A real deploy first checks, reading only:",
    `#   ${REQUIRED_TOOLS.map((t) => t.name).join(", ")} on PATH`,
    ...[PROBES.dockerDaemon, PROBES.account, PROBES.repository(target.repository, target.project, target.region)].map(
      (argv) => `#   ${formatCommand(argv)}`,
    ),
    ...telemetryNote(target.project),
    "# Then runs, from the repository root:",
    ...deploySteps(target).map(formatStep),
    `# ${RENDERED_SERVICE_YAML}:`,
    yaml.trimEnd(),
    "",
  ];
  context.out(lines.join("\n"));
  return 0;
}

async function run(options: DeployOptions, context: DeployContext): Promise<number> {
  const location = await checkPrerequisites(options, {
    runner: context.runner,
    path: context.path,
    cwd: context.repoRoot,
  });
  const target = await resolveTarget(options, location, context);
  const yaml = render(target, context);
  const renderedPath = join(context.repoRoot, RENDERED_SERVICE_YAML);
  mkdirSync(dirname(renderedPath), { recursive: true });
  writeFileSync(renderedPath, yaml);
  context.out(
    `Deploying ${imageRef(target)} as ${target.service} (${describeAccess(target)}); service definition: ${RENDERED_SERVICE_YAML}\n`,
  );

  let policy = "";
  let url = "";
  for (const step of deploySteps(target)) {
    if (step.onlyIfGranted !== undefined && !policyGrants(policy, step.onlyIfGranted)) continue;
    context.out(`$ ${formatCommand(step.argv)}\n`);
    const result = await context.runner.run(step.argv, { cwd: context.repoRoot, capture: step.capture !== undefined });
    if (result.code !== 0) {
      const detail = result.stderr.trim();
      context.err(
        `deploy:cloud-run: \`${formatCommand(step.argv)}\` failed with exit code ${result.code}${detail ? `:\n${detail}` : ""}\n`,
      );
      return 1;
    }
    if (step.capture === "iam-policy") policy = result.stdout;
    if (step.capture === "url") url = result.stdout.trim();
  }
  context.out(endpointMessage(target, url));
  context.out(`${telemetryNote(target.project).join("\n")}\n`);
  return 0;
}

async function resolveTarget(
  options: DeployOptions,
  location: { project: string; region: string },
  context: DeployContext,
): Promise<DeployTarget> {
  const tag = await sourceRevision(context.runner, context.repoRoot);
  return { ...location, repository: options.repository, service: options.service, access: options.access, tag };
}

function render(target: DeployTarget, context: DeployContext): string {
  return renderServiceYaml(context.template ?? readServiceTemplate(), {
    SERVICE: target.service,
    REGION: target.region,
    IMAGE: imageRef(target),
    PROJECT: target.project,
  });
}

function formatStep(step: Step): string {
  const command = formatCommand(step.argv);
  return step.onlyIfGranted === undefined
    ? command
    : `${command}  # only if the policy above grants ${step.onlyIfGranted} the invoker role`;
}

function describeAccess(target: DeployTarget): string {
  return target.access === "public" ? "public (anyone may call it)" : "private (callers need roles/run.invoker)";
}

/** Cloud Run serves TLS on 443 in front of the h2c container: gRPC clients dial host:443. */
export function endpointMessage(target: DeployTarget, url: string): string {
  const host = url ? new URL(url).host : "";
  if (host === "")
    return `Deployed ${target.service}, but \`gcloud run services describe\` returned no URL yet; run it again in a minute.\n`;
  const endpoint = `${host}:443`;
  const call = [
    `npx @grpc-calculator/client 2 + 3 --target ${endpoint}`,
    `npx @grpc-calculator/client health --target ${endpoint}`,
  ];
  const privateNote =
    target.access === "private"
      ? [
          "The service is private: callers need roles/run.invoker and send a Google identity token, e.g. with grpcurl:",
          `  grpcurl -H "authorization: Bearer $(gcloud auth print-identity-token)" ${endpoint} list`,
        ]
      : [];
  return [
    `Deployed ${target.service}: ${url}`,
    `endpoint: ${endpoint}`,
    "Call it:",
    ...call.map((c) => `  ${c}`),
    ...privateNote,
    "",
  ].join("\n");
}
