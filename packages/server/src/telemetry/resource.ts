/**
 * The resource every span and metric point is reported under: what the environment tells without a
 * network call. On Cloud Run that is K_SERVICE, K_REVISION and K_CONFIGURATION (the container's
 * environment); the project comes from GOOGLE_CLOUD_PROJECT (or, for Google's endpoint, from the
 * credentials: google-auth.ts), the region from OTEL_RESOURCE_ATTRIBUTES (deploy/cloud-run's
 * service.yaml sets `cloud.region`). The instance is a random `service.instance.id` per process, as the
 * conventions recommend: Cloud Run's own instance id needs the metadata server. OTEL_SERVICE_NAME and
 * OTEL_RESOURCE_ATTRIBUTES win over everything derived here.
 * https://opentelemetry.io/docs/specs/semconv/resource/ (service, cloud, faas)
 */
import { randomUUID } from "node:crypto";
import type { TelemetryConfig } from "../config.js";

export const DEFAULT_SERVICE_NAME = "grpc-calculator";

export function resourceAttributes(config: TelemetryConfig, projectId: string | undefined): Record<string, string> {
  const attributes: Record<string, string> = {
    "service.name": config.cloudRun?.service ?? DEFAULT_SERVICE_NAME,
    "service.instance.id": randomUUID(),
  };
  if (config.cloudRun !== undefined) {
    attributes["cloud.provider"] = "gcp";
    attributes["cloud.platform"] = "gcp_cloud_run";
    attributes["faas.name"] = config.cloudRun.service;
    if (config.cloudRun.revision !== undefined) attributes["faas.version"] = config.cloudRun.revision;
    // Not a semantic-conventions attribute: Cloud Run's configuration, which the revisions come from.
    if (config.cloudRun.configuration !== undefined)
      attributes["gcp.cloud_run.configuration"] = config.cloudRun.configuration;
  }
  if (projectId !== undefined) {
    // gcp.project_id routes data sent to telemetry.googleapis.com to the project.
    attributes["gcp.project_id"] = projectId;
    attributes["cloud.account.id"] = projectId;
  }
  Object.assign(attributes, config.resourceAttributes);
  if (config.serviceName !== undefined) attributes["service.name"] = config.serviceName;
  return attributes;
}
