import { CalculatorService } from "@grpc-calculator/proto";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { Service } from "@kubernetes-models/knative/serving.knative.dev/v1/Service";
import { readServiceTemplate, renderServiceYaml, ServiceYamlError, validateServiceYaml } from "../src/index.js";

const VALUES = {
  SERVICE: "grpc-calculator",
  REGION: "us-central1",
  IMAGE: "us-central1-docker.pkg.dev/p-123456/repo/grpc-calculator:0123456789ab",
  PROJECT: "p-123456",
};
const template = readServiceTemplate();
const rendered = renderServiceYaml(template, VALUES);

interface Probe {
  grpc?: { port?: number; service?: string };
}
interface Container {
  name: string;
  image: string;
  ports: { name: string; containerPort: number }[];
  env: { name: string; value: string }[];
  resources: { limits: Record<string, string> };
  startupProbe: Probe;
  livenessProbe: Probe;
}
interface Doc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    template: {
      metadata: { annotations: Record<string, string> };
      spec: { containerConcurrency: number; timeoutSeconds: number; containers: Container[] };
    };
  };
}

const doc = parse(rendered) as Doc;
const revision = doc.spec.template;
const container = revision.spec.containers[0]!;
// The calculator's service name as the proto defines it ("/Calculator/Calculate" → "Calculator").
const calculatorService = CalculatorService.calculate.path.split("/")[1];

describe("service.yaml", () => {
  it("renders to a Service that Knative's own serving.knative.dev/v1 schema accepts", () => {
    expect(doc.apiVersion).toBe("serving.knative.dev/v1");
    expect(doc.kind).toBe("Service");
    expect(() => new Service(doc as ConstructorParameters<typeof Service>[0]).validate()).not.toThrow();
  });

  it("has every placeholder filled with the deploy's values", () => {
    expect(template).toMatch(/\$\{IMAGE\}/);
    expect(rendered).not.toMatch(/\$\{/);
    expect(doc.metadata.name).toBe(VALUES.SERVICE);
    expect(doc.metadata.labels["cloud.googleapis.com/location"]).toBe(VALUES.REGION);
    expect(container.image).toBe(VALUES.IMAGE);
  });

  it("serves HTTP/2 end-to-end: one container port, named h2c", () => {
    expect(container.ports).toEqual([{ name: "h2c", containerPort: 8080 }]);
  });

  it("probes the gRPC health service on the h2c port: startup on Calculator, liveness on the whole server", () => {
    const port = container.ports[0]!.containerPort;
    expect(calculatorService).toBe("Calculator");
    expect(container.startupProbe.grpc).toEqual({ port, service: calculatorService });
    expect(container.livenessProbe.grpc).toEqual({ port, service: "" });
  });

  it("sets limits, concurrency, timeout, scaling bounds and the server's environment", () => {
    expect(container.resources.limits).toEqual({ cpu: "1", memory: "512Mi" });
    expect(revision.spec.containerConcurrency).toBeGreaterThan(0);
    expect(revision.spec.timeoutSeconds).toBeGreaterThan(0);
    expect(revision.spec.timeoutSeconds).toBeLessThanOrEqual(3600);
    expect(revision.metadata.annotations).toMatchObject({
      "autoscaling.knative.dev/minScale": "0",
      "autoscaling.knative.dev/maxScale": "10",
    });
    const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
    expect(env).toEqual({
      LOG_LEVEL: "info",
      WORKERS: "1",
      SHUTDOWN_GRACE_MS: "8000",
      GOOGLE_CLOUD_PROJECT: "p-123456",
      OTEL_EXPORTER_OTLP_ENDPOINT: "https://telemetry.googleapis.com",
      OTEL_RESOURCE_ATTRIBUTES: "cloud.region=us-central1",
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0.1",
    });
    // Cloud Run sends SIGTERM and kills the container 10 s later: the drain must end first.
    expect(Number(env["SHUTDOWN_GRACE_MS"])).toBeLessThan(10_000);
    // Cloud Run sets PORT itself from containerPort and refuses a service that sets it.
    expect(env).not.toHaveProperty("PORT");
  });
});

describe("validateServiceYaml refuses an edit that would break gRPC on Cloud Run", () => {
  const edit = (from: string, to: string) => {
    expect(rendered).toContain(from);
    return () => validateServiceYaml(rendered.replace(from, to));
  };

  it("a placeholder the deploy does not know", () => {
    expect(() => renderServiceYaml(template.replace("name: server", "name: ${CONTAINER}"), VALUES)).toThrow(
      /unknown placeholder \$\{CONTAINER\}/,
    );
  });

  it("a placeholder left unfilled", () => {
    expect(() => validateServiceYaml(template)).toThrow(
      /still has placeholders: \$\{SERVICE\}, \$\{REGION\}, \$\{IMAGE\}/,
    );
  });

  it("a port not named h2c (Cloud Run would speak HTTP/1.1 to the container)", () => {
    expect(edit("- name: h2c", "- name: http1")).toThrow(/named h2c/);
  });

  it("a probe on another port than the server's", () => {
    expect(
      edit("port: 8080\n              service: Calculator", "port: 9090\n              service: Calculator"),
    ).toThrow(/startupProbe must be a grpc probe on the h2c port 8080/);
  });

  it("a gRPC probe without a port (Kubernetes' container schema)", () => {
    const broken = edit('port: 8080\n              service: ""', 'service: ""');
    expect(broken).toThrow(ServiceYamlError);
    expect(broken).toThrow(/Kubernetes container schema: data\/livenessProbe\/grpc must have required property port/);
  });

  it("a value of the wrong type (Knative's schema)", () => {
    expect(edit("containerConcurrency: 250", "containerConcurrency: lots")).toThrow(
      /Knative Service schema.*containerConcurrency must be integer/s,
    );
  });

  it("missing limits", () => {
    expect(edit("memory: 512Mi", "")).toThrow(/cpu and memory limits/);
  });
});
