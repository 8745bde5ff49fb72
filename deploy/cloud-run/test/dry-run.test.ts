import { describe, expect, it } from "vitest";
import { deploy } from "../src/index.js";
import { capture, fakeRunner, HEALTHY_MACHINE, tempRepoRoot } from "./fakes.js";

const IMAGE = "us-central1-docker.pkg.dev/my-project/grpc-calculator/grpc-calculator:0123456789ab";
const WHERE = "--project my-project --region us-central1";

async function dryRun(args: string[]) {
  const runner = fakeRunner(HEALTHY_MACHINE);
  const io = capture();
  // An empty PATH: a dry run must not need gcloud, docker or anything else installed.
  const code = await deploy(args, { runner, path: "", repoRoot: tempRepoRoot(), out: io.out_, err: io.err_ });
  const lines = io.out.split("\n");
  const commands = lines.slice(
    lines.findIndex((l) => l.startsWith("# Then runs")) + 1,
    lines.findIndex((l) => l.endsWith("service.yaml:")),
  );
  const yaml = lines.slice(lines.findIndex((l) => l.endsWith("service.yaml:")) + 1).join("\n");
  return { code, io, runner, commands, yaml };
}

describe("--dry-run", () => {
  it("prints the public deploy's commands, in order, and runs nothing but git", async () => {
    const { code, io, runner, commands } = await dryRun([
      "--",
      "--project",
      "my-project",
      "--region",
      "us-central1",
      "--allow-unauthenticated",
      "--dry-run",
    ]);
    expect(io.err).toBe("");
    expect(code).toBe(0);
    expect(commands).toEqual([
      `docker build --platform linux/amd64 -f packages/server/Dockerfile -t ${IMAGE} .`,
      "gcloud auth configure-docker us-central1-docker.pkg.dev --quiet",
      `docker push ${IMAGE}`,
      `gcloud run services replace deploy/cloud-run/.rendered/service.yaml ${WHERE} --quiet`,
      `gcloud run services add-iam-policy-binding grpc-calculator ${WHERE} --member allUsers --role roles/run.invoker --quiet`,
      `gcloud run services describe grpc-calculator ${WHERE} --format 'value(status.url)'`,
    ]);
    expect(runner.calls).toEqual(["git rev-parse --short=12 HEAD", "git status --porcelain --untracked-files=no"]);
  });

  it("prints the private deploy's commands: no allUsers grant, and any public grant removed", async () => {
    const { code, commands } = await dryRun([
      "--project",
      "my-project",
      "--region",
      "us-central1",
      "--private",
      "--dry-run",
      "--service",
      "calc",
      "--repository",
      "images",
    ]);
    const image = "us-central1-docker.pkg.dev/my-project/images/grpc-calculator:0123456789ab";
    expect(code).toBe(0);
    expect(commands).toEqual([
      `docker build --platform linux/amd64 -f packages/server/Dockerfile -t ${image} .`,
      "gcloud auth configure-docker us-central1-docker.pkg.dev --quiet",
      `docker push ${image}`,
      `gcloud run services replace deploy/cloud-run/.rendered/service.yaml ${WHERE} --quiet`,
      `gcloud run services get-iam-policy calc ${WHERE} --format json`,
      `gcloud run services remove-iam-policy-binding calc ${WHERE} --member allUsers --role roles/run.invoker --quiet  # only if the policy above grants allUsers the invoker role`,
      `gcloud run services remove-iam-policy-binding calc ${WHERE} --member allAuthenticatedUsers --role roles/run.invoker --quiet  # only if the policy above grants allAuthenticatedUsers the invoker role`,
      `gcloud run services describe calc ${WHERE} --format 'value(status.url)'`,
    ]);
  });

  it("is private unless --allow-unauthenticated is given", async () => {
    const { commands } = await dryRun(["--project", "my-project", "--region", "us-central1", "--dry-run"]);
    expect(commands.join("\n")).not.toContain("add-iam-policy-binding");
    expect(commands.join("\n")).toContain("remove-iam-policy-binding grpc-calculator");
  });

  it("shows the telemetry lines of service.yaml and the IAM roles they need", async () => {
    const { io, yaml } = await dryRun(["--project", "my-project", "--region", "europe-west1", "--dry-run"]);
    expect(yaml).toContain("- name: GOOGLE_CLOUD_PROJECT\n              value: my-project");
    expect(yaml).toContain(
      "- name: OTEL_EXPORTER_OTLP_ENDPOINT\n              value: https://telemetry.googleapis.com",
    );
    expect(yaml).toContain("- name: OTEL_RESOURCE_ATTRIBUTES\n              value: cloud.region=europe-west1");
    expect(yaml).toContain("- name: OTEL_TRACES_SAMPLER\n              value: parentbased_traceidratio");
    expect(io.out).toContain("roles/telemetry.tracesWriter and roles/telemetry.metricsWriter on my-project");
    expect(io.out).toContain(
      "gcloud projects add-iam-policy-binding my-project --member serviceAccount:RUNTIME_SERVICE_ACCOUNT --role roles/telemetry.metricsWriter",
    );
  });

  it("prints the rendered service.yaml with the image it builds", async () => {
    const { yaml } = await dryRun(["--project", "my-project", "--region", "us-central1", "--dry-run"]);
    expect(yaml).toContain(`image: ${IMAGE}`);
    expect(yaml).toContain("name: grpc-calculator");
    expect(yaml).not.toContain("${");
  });

  it("tags an image built from uncommitted changes as -dirty", async () => {
    const runner = fakeRunner({
      ...HEALTHY_MACHINE,
      "git status --porcelain --untracked-files=no": { stdout: " M packages/server/src/index.ts\n" },
    });
    const io = capture();
    await deploy(["--project", "my-project", "--region", "us-central1", "--dry-run"], {
      runner,
      path: "",
      repoRoot: tempRepoRoot(),
      out: io.out_,
      err: io.err_,
    });
    expect(io.out).toContain(`docker push ${IMAGE}-dirty\n`);
  });

  it("outside a git checkout: says the image needs a commit to be tagged with", async () => {
    const runner = fakeRunner({
      "git rev-parse": { code: 128, stderr: "fatal: not a git repository (or any of the parent directories): .git\n" },
    });
    const io = capture();
    const code = await deploy(["--project", "my-project", "--region", "us-central1", "--dry-run"], {
      runner,
      path: "",
      repoRoot: tempRepoRoot(),
      out: io.out_,
      err: io.err_,
    });
    expect(code).toBe(1);
    expect(io.err).toContain(
      "Cannot tag the image: `git rev-parse HEAD` failed (fatal: not a git repository (or any of the parent directories): .git): deploy from a git checkout",
    );
    expect(io.out).toBe("");
  });

  it("asks for --project and --region instead of reading gcloud's defaults", async () => {
    const { code, io, runner } = await dryRun(["--region", "us-central1", "--dry-run"]);
    expect(code).toBe(2);
    expect(io.err).toContain("--dry-run needs --project and --region");
    expect(runner.calls).toEqual([]);
  });

  it("rejects conflicting and malformed arguments before doing anything", async () => {
    for (const args of [
      ["--allow-unauthenticated", "--private"],
      ["--project", "X"],
      ["--service", "Bad_Name"],
      ["stray"],
    ]) {
      const { code, io, runner } = await dryRun([...args, "--dry-run"]);
      expect(code, args.join(" ")).toBe(2);
      expect(io.err).toMatch(/^deploy:cloud-run: .+\n\nUsage: deploy:cloud-run/);
      expect(runner.calls).toEqual([]);
    }
  });
});

describe("--help", () => {
  it("prints every option and runs nothing", async () => {
    const { code, io, runner } = await dryRun(["--", "--help"]);
    expect(code).toBe(0);
    for (const option of [
      "--project",
      "--region",
      "--repository",
      "--service",
      "--allow-unauthenticated",
      "--private",
      "--dry-run",
    ])
      expect(io.out).toContain(option);
    expect(runner.calls).toEqual([]);
  });
});
