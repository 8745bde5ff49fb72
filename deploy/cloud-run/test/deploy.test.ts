import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deploy, RENDERED_SERVICE_YAML } from "../src/index.js";
import { capture, fakePath, fakeRunner, HEALTHY_MACHINE, tempRepoRoot, type Answer } from "./fakes.js";

const ALL_TOOLS = ["docker", "gcloud", "git"];
const IMAGE = "europe-west1-docker.pkg.dev/my-project/grpc-calculator/grpc-calculator:0123456789ab";
const WHERE = "--project my-project --region europe-west1";

async function realRun(
  args: string[],
  { tools = ALL_TOOLS, answers = {} }: { tools?: string[]; answers?: Record<string, Answer> } = {},
) {
  const runner = fakeRunner({ ...HEALTHY_MACHINE, ...answers });
  const io = capture();
  const repoRoot = tempRepoRoot();
  const code = await deploy(args, { runner, path: fakePath(tools), repoRoot, out: io.out_, err: io.err_ });
  const changed = runner.calls.filter((c) =>
    /^docker (build|push)|^gcloud (auth configure-docker|run services (replace|add-|remove-))/.test(c),
  );
  return { code, io, runner, repoRoot, changed };
}

describe("missing prerequisites: one clear message each, nothing built or pushed", () => {
  it("no tools on PATH", async () => {
    const { code, io, runner } = await realRun([], { tools: [] });
    expect(code).toBe(1);
    expect(io.err).toContain("cannot deploy yet, nothing was built or pushed");
    expect(io.err).toContain("docker is not installed (not found on PATH): install Docker");
    expect(io.err).toContain("gcloud is not installed (not found on PATH): install the Google Cloud CLI");
    expect(io.err).toContain("git is not installed (not found on PATH)");
    expect(runner.calls).toEqual([]);
  });

  it("gcloud missing, the rest installed", async () => {
    const { code, io, runner } = await realRun([], { tools: ["docker", "git"] });
    expect(code).toBe(1);
    expect(io.err.match(/^ {2}- /gm)).toHaveLength(1);
    expect(io.err).toContain("gcloud is not installed");
    expect(runner.calls).toEqual([]);
  });

  it("not logged in to gcloud", async () => {
    const { code, io, changed } = await realRun([], { answers: { "gcloud auth list": { stdout: "" } } });
    expect(code).toBe(1);
    expect(io.err).toContain("gcloud is not logged in to Google Cloud: run `gcloud auth login`.");
    expect(changed).toEqual([]);
  });

  it("no project and no region, given or configured", async () => {
    const { code, io, changed } = await realRun([], {
      answers: {
        "gcloud config get-value project": { stdout: "(unset)\n" },
        "gcloud config get-value run/region": { stdout: "" },
      },
    });
    expect(code).toBe(1);
    expect(io.err).toContain(
      "No Google Cloud project: pass --project PROJECT_ID, or set a default with `gcloud config set project PROJECT_ID`.",
    );
    expect(io.err).toContain("No Cloud Run region: pass --region REGION");
    expect(changed).toEqual([]);
  });

  it("Docker installed but its daemon down", async () => {
    const { code, io, changed } = await realRun([], {
      answers: {
        "docker info": { code: 1, stderr: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock.\n" },
      },
    });
    expect(code).toBe(1);
    expect(io.err).toContain(
      "Docker is installed but its daemon is not reachable (`docker info` failed: Cannot connect to the Docker daemon",
    );
    expect(changed).toEqual([]);
  });

  it("no Artifact Registry repository: says how to create it", async () => {
    const { code, io, changed } = await realRun(["--repository", "images"], {
      answers: {
        "gcloud artifacts repositories describe": {
          code: 1,
          stderr: "ERROR: (gcloud.artifacts.repositories.describe) NOT_FOUND: Requested entity was not found.\n",
        },
      },
    });
    expect(code).toBe(1);
    expect(io.err).toContain(
      "Artifact Registry repository images is missing or not accessible in project my-project, location europe-west1",
    );
    expect(io.err).toContain(
      "`gcloud artifacts repositories create images --repository-format=docker --location=europe-west1 --project=my-project`",
    );
    expect(changed).toEqual([]);
  });
});

describe("a deploy with every prerequisite met", () => {
  it("public: builds, pushes, replaces, grants allUsers, prints host:443 and a CLI command", async () => {
    const { code, io, runner, repoRoot, changed } = await realRun(["--allow-unauthenticated"]);
    expect(io.err).toBe("");
    expect(code).toBe(0);
    // gcloud's configured project and region are used when none is given.
    expect(changed).toEqual([
      `docker build --platform linux/amd64 -f packages/server/Dockerfile -t ${IMAGE} .`,
      "gcloud auth configure-docker europe-west1-docker.pkg.dev --quiet",
      `docker push ${IMAGE}`,
      `gcloud run services replace ${RENDERED_SERVICE_YAML} ${WHERE} --quiet`,
      `gcloud run services add-iam-policy-binding grpc-calculator ${WHERE} --member allUsers --role roles/run.invoker --quiet`,
    ]);
    expect(runner.calls.at(-1)).toBe(
      `gcloud run services describe grpc-calculator ${WHERE} --format value(status.url)`,
    );
    // Every check ran before the first build.
    expect(runner.calls.findIndex((c) => c.startsWith("gcloud artifacts"))).toBeLessThan(
      runner.calls.findIndex((c) => c.startsWith("docker build")),
    );
    expect(readFileSync(join(repoRoot, RENDERED_SERVICE_YAML), "utf8")).toContain(`image: ${IMAGE}\n`);
    expect(io.out).toContain("endpoint: grpc-calculator-abc123-ew.a.run.app:443\n");
    expect(io.out).toContain("npx @grpc-calculator/client 2 + 3 --target grpc-calculator-abc123-ew.a.run.app:443\n");
  });

  it("private: removes allUsers only where the policy grants it, and says callers need a token", async () => {
    const policy = { bindings: [{ role: "roles/run.invoker", members: ["allUsers", "user:dev@example.com"] }] };
    const { code, io, changed } = await realRun(["--project", "my-project", "--region", "europe-west1", "--private"], {
      answers: { "gcloud run services get-iam-policy": { stdout: JSON.stringify(policy) } },
    });
    expect(code).toBe(0);
    expect(changed.slice(4)).toEqual([
      `gcloud run services remove-iam-policy-binding grpc-calculator ${WHERE} --member allUsers --role roles/run.invoker --quiet`,
    ]);
    expect(io.out).toContain("The service is private");
    expect(io.out).toContain("gcloud auth print-identity-token");
  });

  it("private on a service that was never public: changes no IAM", async () => {
    const { code, changed } = await realRun(["--private"], {
      answers: { "gcloud run services get-iam-policy": { stdout: "{}" } },
    });
    expect(code).toBe(0);
    expect(changed.filter((c) => c.includes("iam-policy-binding"))).toEqual([]);
  });

  it("stops at the first failing step with its error, before the service is replaced", async () => {
    const { code, io, changed, runner } = await realRun(["--allow-unauthenticated"], {
      answers: {
        "docker push": {
          code: 1,
          stderr: 'denied: Permission "artifactregistry.repositories.uploadArtifacts" denied\n',
        },
      },
    });
    expect(code).toBe(1);
    expect(io.err).toContain(`\`docker push ${IMAGE}\` failed with exit code 1:\ndenied: Permission`);
    expect(changed.at(-1)).toBe(`docker push ${IMAGE}`);
    expect(runner.calls.some((c) => c.includes("services replace"))).toBe(false);
  });

  it("refuses a broken service.yaml before building anything", async () => {
    const runner = fakeRunner(HEALTHY_MACHINE);
    const io = capture();
    const repoRoot = tempRepoRoot();
    const template = readFileSync(new URL("../service.yaml", import.meta.url), "utf8").replace(
      "- name: h2c",
      "- name: http1",
    );
    const code = await deploy([], {
      runner,
      path: fakePath(ALL_TOOLS),
      repoRoot,
      out: io.out_,
      err: io.err_,
      template,
    });
    expect(code).toBe(1);
    expect(io.err).toContain("named h2c");
    expect(runner.calls.some((c) => c.startsWith("docker build"))).toBe(false);
    expect(existsSync(join(repoRoot, RENDERED_SERVICE_YAML))).toBe(false);
  });
});
