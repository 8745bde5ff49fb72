// Renders deploy/cloud-run/service.yaml for one deploy and checks the result before anything is deployed:
// every placeholder filled, Knative's schema for serving.knative.dev/v1 Service, Kubernetes' schema for the
// container (Knative 1.10's CRD schema predates gRPC probes and accepts any probe field unchecked), and the
// wiring gRPC needs on Cloud Run.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Service, type IService } from "@kubernetes-models/knative/serving.knative.dev/v1/Service";
import { Container } from "kubernetes-models/v1/Container";
import { parse } from "yaml";

export const SERVICE_TEMPLATE_PATH = fileURLToPath(new URL("../service.yaml", import.meta.url));

/** The template's placeholders, written `${NAME}` in service.yaml. */
export interface ServiceValues {
  readonly SERVICE: string;
  readonly REGION: string;
  readonly IMAGE: string;
  readonly PROJECT: string;
}

const PLACEHOLDER = /\$\{([A-Z_]+)\}/g;

export class ServiceYamlError extends Error {
  override readonly name = "ServiceYamlError";
}

export function readServiceTemplate(path: string = SERVICE_TEMPLATE_PATH): string {
  return readFileSync(path, "utf8");
}

/** Fills every `${NAME}` of the template; an unknown name is an error, not left for Cloud Run to reject. */
export function renderServiceYaml(template: string, values: ServiceValues): string {
  const known: Readonly<Record<string, string>> = values as unknown as Record<string, string>;
  const rendered = template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = known[name];
    if (value === undefined) throw new ServiceYamlError(`service.yaml uses an unknown placeholder ${whole}`);
    return value;
  });
  validateServiceYaml(rendered);
  return rendered;
}

/** The one container of the service, as the checks below read it. */
type ServiceContainer = IService extends { spec?: { template?: { spec?: { containers: (infer C)[] } } } } ? C : never;

/**
 * Parses a rendered service definition and checks it; returns the parsed Service. Throws ServiceYamlError
 * naming the first problem.
 */
export function validateServiceYaml(text: string): Service {
  const leftover = text.match(PLACEHOLDER);
  if (leftover) throw new ServiceYamlError(`service.yaml still has placeholders: ${[...new Set(leftover)].join(", ")}`);
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new ServiceYamlError(`service.yaml is not valid YAML: ${(error as Error).message}`);
  }
  const service = new Service(doc as IService);
  check(() => service.validate(), "Knative Service");
  const containers = service.spec?.template?.spec?.containers ?? [];
  if (containers.length !== 1)
    throw new ServiceYamlError(`service.yaml must define exactly one container, found ${containers.length}`);
  const container = containers[0] as ServiceContainer;
  check(
    () => new Container(container as ConstructorParameters<typeof Container>[0]).validate(),
    "Kubernetes container",
  );
  checkGrpcWiring(container);
  return service;
}

function check(validate: () => void, what: string): void {
  try {
    validate();
  } catch (error) {
    throw new ServiceYamlError(`service.yaml does not match the ${what} schema: ${(error as Error).message}`);
  }
}

interface GrpcProbe {
  readonly grpc?: { readonly port?: number; readonly service?: string };
}

/** What gRPC on Cloud Run needs: an h2c port, and gRPC health probes on that same port. */
function checkGrpcWiring(container: ServiceContainer): void {
  const ports = container.ports ?? [];
  const port = ports[0];
  if (ports.length !== 1 || port?.name !== "h2c") {
    throw new ServiceYamlError("the container needs exactly one port, named h2c (HTTP/2 end-to-end for gRPC)");
  }
  const probes: [string, GrpcProbe | undefined][] = [
    ["startupProbe", (container as { startupProbe?: GrpcProbe }).startupProbe],
    ["livenessProbe", container.livenessProbe as GrpcProbe | undefined],
  ];
  for (const [name, probe] of probes) {
    if (probe?.grpc?.port !== port.containerPort) {
      throw new ServiceYamlError(`${name} must be a grpc probe on the h2c port ${port.containerPort}`);
    }
  }
  if (!container.resources?.limits?.["cpu"] || !container.resources.limits["memory"]) {
    throw new ServiceYamlError("the container needs cpu and memory limits");
  }
}
