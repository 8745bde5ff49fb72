// Runs cloudbuild.yaml's steps here, the way Cloud Build would (its substitutions applied, each step's
// entrypoint and args under bash), with stand-in docker and gcloud that only record their arguments: the
// build must run the same commands and render the same service.yaml as the deploy command.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  deploySteps,
  imageRef,
  readServiceTemplate,
  renderServiceYaml,
  SERVICE_TEMPLATE_PATH,
  type DeployTarget,
} from "../src/index.js";

interface BuildStep {
  id: string;
  name: string;
  entrypoint: string;
  args: string[];
  env?: string[];
}
const CLOUDBUILD = readFileSync(new URL("../cloudbuild.yaml", import.meta.url), "utf8");
const config = parse(CLOUDBUILD) as { substitutions: Record<string, string>; steps: BuildStep[] };
const step = (id: string) => config.steps.find((s) => s.id === id)!;

/** Cloud Build's substitution: `$$` is a literal `$`; `$NAME` and `${NAME}` must be known (MUST_MATCH). */
function substitute(text: string, values: Record<string, string>): string {
  return text.replace(
    /\$\$|\$\{([A-Z_][A-Z0-9_]*)\}|\$([A-Z_][A-Z0-9_]*)/g,
    (whole, braced?: string, bare?: string) => {
      if (whole === "$$") return "$";
      const name = (braced ?? bare)!;
      const value = values[name];
      if (value === undefined) throw new Error(`cloudbuild.yaml uses ${whole}, which Cloud Build would not know`);
      return value;
    },
  );
}

const TOOL = `#!/bin/sh
printf '%s\\n' "$(basename "$0") $*" >> "$CALLS"
case "$*" in
  *get-iam-policy*) printf '%s\\n' "$FAKE_INVOKERS" ;;
  *"services describe"*) echo https://grpc-calculator-abc123-uc.a.run.app ;;
esac
`;

function runSteps(
  ids: string[],
  overrides: Record<string, string>,
  { invokers = "", template = readServiceTemplate() } = {},
) {
  const workspace = mkdtempSync(join(tmpdir(), "cloudbuild-"));
  mkdirSync(join(workspace, "deploy/cloud-run"), { recursive: true });
  writeFileSync(join(workspace, "deploy/cloud-run/service.yaml"), template);
  const bin = join(workspace, ".bin");
  mkdirSync(bin);
  for (const tool of ["docker", "gcloud"]) {
    writeFileSync(join(bin, tool), TOOL);
    chmodSync(join(bin, tool), 0o755);
  }
  const values = { PROJECT_ID: "my-project", COMMIT_SHA: "0123456789ab", ...config.substitutions, ...overrides };
  const calls = join(workspace, "calls.log");
  writeFileSync(calls, "");
  const results = ids.map((id) => {
    const s = step(id);
    const env: Record<string, string> = {};
    for (const entry of s.env ?? []) {
      const [name, value] = substitute(entry, values).split(/=(.*)/s);
      env[name!] = value!;
    }
    const result = spawnSync(
      s.entrypoint,
      s.args.map((a) => substitute(a, values)),
      {
        cwd: workspace,
        env: { ...env, PATH: `${bin}:/usr/bin:/bin`, CALLS: calls, FAKE_INVOKERS: invokers },
        encoding: "utf8",
        timeout: 10_000,
      },
    );
    return { id, code: result.status, stdout: result.stdout, stderr: result.stderr };
  });
  const rendered = join(workspace, "deploy/cloud-run/.rendered/service.yaml");
  return { results, calls: readFileSync(calls, "utf8").split("\n").filter(Boolean), rendered, workspace };
}

const target = (access: "public" | "private"): DeployTarget => ({
  project: "my-project",
  region: "us-central1",
  repository: "grpc-calculator",
  service: "grpc-calculator",
  access,
  tag: "0123456789ab",
});
const commandsOf = (access: "public" | "private", invokersGranted: string[]) =>
  deploySteps(target(access))
    .filter((s) => !s.argv.includes("configure-docker")) // Cloud Build's docker is already logged in to Artifact Registry
    .filter((s) => s.onlyIfGranted === undefined || invokersGranted.includes(s.onlyIfGranted))
    .map((s) => s.argv.join(" "));

describe("cloudbuild.yaml", () => {
  it("uses only substitutions Cloud Build knows", () => {
    expect(() =>
      substitute(CLOUDBUILD.replace(/^\s*#.*$/gm, ""), { PROJECT_ID: "p", COMMIT_SHA: "c", ...config.substitutions }),
    ).not.toThrow();
  });

  it("public: runs the deploy command's commands, in order, and prints host:443", () => {
    const { results, calls } = runSteps(["check", "build", "push", "render", "deploy", "access", "endpoint"], {
      _ACCESS: "public",
    });
    expect(results.filter((r) => r.code !== 0)).toEqual([]);
    expect(calls).toEqual(commandsOf("public", []));
    expect(results.at(-1)!.stdout).toContain("endpoint: grpc-calculator-abc123-uc.a.run.app:443\n");
  });

  it("private: removes exactly the public grants the policy has, with the deploy command's command", () => {
    const { results, calls } = runSteps(
      ["access"],
      { _ACCESS: "private" },
      { invokers: "allAuthenticatedUsers;user:dev@example.com" },
    );
    expect(results[0]!.code).toBe(0);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatch(
      /^gcloud run services get-iam-policy grpc-calculator --project my-project --region us-central1 /,
    );
    expect(calls[1]).toBe(
      commandsOf("private", ["allAuthenticatedUsers"]).find((c) => c.includes("remove-iam-policy-binding")),
    );
    expect(calls[1]).toContain("--member allAuthenticatedUsers");
  });

  it("private on a service that was never public: changes no IAM", () => {
    const { results, calls } = runSteps(["access"], { _ACCESS: "private" }, { invokers: "user:dev@example.com" });
    expect(results[0]!.code).toBe(0);
    expect(calls.filter((c) => c.includes("iam-policy-binding"))).toEqual([]);
  });

  it("renders service.yaml exactly as the deploy command does", () => {
    const { results, rendered } = runSteps(["render"], {});
    expect(results[0]!.code).toBe(0);
    const t = target("private");
    expect(readFileSync(rendered, "utf8")).toBe(
      renderServiceYaml(readServiceTemplate(SERVICE_TEMPLATE_PATH), {
        SERVICE: t.service,
        REGION: t.region,
        IMAGE: imageRef(t),
        PROJECT: t.project,
      }),
    );
  });

  it("refuses a service.yaml with a placeholder it does not fill", () => {
    const { results } = runSteps(
      ["render"],
      {},
      { template: readServiceTemplate().replace("name: server", "name: ${CONTAINER}") },
    );
    expect(results[0]!.code).toBe(1);
    expect(results[0]!.stderr).toContain("name: ${CONTAINER}");
    expect(results[0]!.stderr).toContain("placeholders this build does not fill");
  });

  it("stops before building when COMMIT_SHA is missing or _ACCESS is neither public nor private", () => {
    const noSha = runSteps(["check"], { COMMIT_SHA: "" }).results[0]!;
    expect(noSha.code).toBe(1);
    expect(noSha.stderr).toContain(
      "COMMIT_SHA is empty: pass --substitutions=COMMIT_SHA=$(git rev-parse --short=12 HEAD)",
    );
    const badAccess = runSteps(["check"], { _ACCESS: "open" }).results[0]!;
    expect(badAccess.code).toBe(1);
    expect(badAccess.stderr).toContain("_ACCESS must be public or private, not 'open'.");
  });
});
