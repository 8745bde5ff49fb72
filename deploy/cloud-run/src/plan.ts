// What a deploy does, as data: the image reference and the ordered commands. The runner executes this list
// and --dry-run prints it, so what is printed is exactly what would run.
import type { DeployOptions } from "./options.js";

/** Everything a deploy needs to know, once arguments and gcloud defaults are resolved. */
export interface DeployTarget extends Pick<DeployOptions, "repository" | "service" | "access"> {
  readonly project: string;
  readonly region: string;
  /** Image tag: the git commit the image is built from. */
  readonly tag: string;
}

/** The image name inside the Artifact Registry repository. */
export const IMAGE_NAME = "grpc-calculator";
/** Paths relative to the repository root, where every command runs. */
export const DOCKERFILE = "packages/server/Dockerfile";
export const RENDERED_SERVICE_YAML = "deploy/cloud-run/.rendered/service.yaml";
/** Cloud Run's only CPU architecture: an image built on an arm64 laptop would not start there. */
export const PLATFORM = "linux/amd64";
export const INVOKER_ROLE = "roles/run.invoker";
/** What the runtime service account needs to export service.yaml's OpenTelemetry to telemetry.googleapis.com. */
export const TELEMETRY_ROLES = ["roles/telemetry.tracesWriter", "roles/telemetry.metricsWriter"] as const;

/** The note a deploy prints about those roles: granted once per project, not by the deploy. */
export function telemetryNote(project: string): string[] {
  return [
    "# Telemetry (service.yaml's OTEL_* lines) exports as the service's runtime service account, which needs",
    `#   ${TELEMETRY_ROLES.join(" and ")} on ${project}, and the Telemetry API enabled. Once per project:`,
    `#   gcloud services enable telemetry.googleapis.com cloudtrace.googleapis.com monitoring.googleapis.com --project ${project}`,
    ...TELEMETRY_ROLES.map(
      (role) =>
        `#   gcloud projects add-iam-policy-binding ${project} --member serviceAccount:RUNTIME_SERVICE_ACCOUNT --role ${role}`,
    ),
  ];
}
/** Members that make a service callable by anyone; a private service grants neither. */
export const PUBLIC_MEMBERS = ["allUsers", "allAuthenticatedUsers"] as const;

export interface Step {
  readonly argv: readonly string[];
  /** Capture the output as the service's IAM policy (JSON) or as its URL, instead of showing it. */
  readonly capture?: "iam-policy" | "url";
  /** Run only if the IAM policy captured earlier grants this member the invoker role. */
  readonly onlyIfGranted?: string;
}

export function registryHost(region: string): string {
  return `${region}-docker.pkg.dev`;
}

export function imageRef(target: DeployTarget): string {
  return `${registryHost(target.region)}/${target.project}/${target.repository}/${IMAGE_NAME}:${target.tag}`;
}

export function deploySteps(target: DeployTarget): Step[] {
  const image = imageRef(target);
  const where = ["--project", target.project, "--region", target.region];
  const binding = (verb: "add" | "remove", member: string) => [
    "gcloud",
    "run",
    "services",
    `${verb}-iam-policy-binding`,
    target.service,
    ...where,
    "--member",
    member,
    "--role",
    INVOKER_ROLE,
    "--quiet",
  ];
  const access: Step[] =
    target.access === "public"
      ? [{ argv: binding("add", "allUsers") }]
      : [
          {
            argv: ["gcloud", "run", "services", "get-iam-policy", target.service, ...where, "--format", "json"],
            capture: "iam-policy",
          },
          ...PUBLIC_MEMBERS.map((member) => ({ argv: binding("remove", member), onlyIfGranted: member })),
        ];
  return [
    { argv: ["docker", "build", "--platform", PLATFORM, "-f", DOCKERFILE, "-t", image, "."] },
    { argv: ["gcloud", "auth", "configure-docker", registryHost(target.region), "--quiet"] },
    { argv: ["docker", "push", image] },
    { argv: ["gcloud", "run", "services", "replace", RENDERED_SERVICE_YAML, ...where, "--quiet"] },
    ...access,
    {
      argv: ["gcloud", "run", "services", "describe", target.service, ...where, "--format", "value(status.url)"],
      capture: "url",
    },
  ];
}

/** Whether an IAM policy (gcloud's JSON) grants `member` the invoker role. */
export function policyGrants(policyJson: string, member: string): boolean {
  const policy = JSON.parse(policyJson || "{}") as { bindings?: { role?: string; members?: string[] }[] };
  return (policy.bindings ?? []).some((b) => b.role === INVOKER_ROLE && (b.members ?? []).includes(member));
}
