/**
 * Application default credentials for Google's OTLP endpoint (telemetry.googleapis.com): an OAuth 2
 * access token on every export, from google-auth-library, which caches it and refreshes it before it
 * expires. On Cloud Run the token is the service's runtime service account's, from the metadata server;
 * elsewhere from GOOGLE_APPLICATION_CREDENTIALS or `gcloud auth application-default login`.
 * google-auth-library is an optional dependency, loaded (its own bundle chunk) only for that endpoint.
 */
import { GoogleAuth } from "google-auth-library";

export interface GoogleCredentials {
  /** The project the credentials belong to (the metadata server's on Cloud Run), when known. */
  readonly projectId: string | undefined;
  /** `authorization: Bearer …` (and the quota project, when the credentials name one). */
  headers(): Promise<Record<string, string>>;
}

let credentials: Promise<GoogleCredentials> | undefined;

export function googleCredentials(): Promise<GoogleCredentials> {
  return (credentials ??= (async () => {
    const auth = new GoogleAuth({ scopes: "https://www.googleapis.com/auth/cloud-platform" });
    const client = await auth.getClient();
    const projectId = await auth.getProjectId().catch(() => undefined);
    return {
      projectId: projectId ?? undefined,
      headers: async () => Object.fromEntries((await client.getRequestHeaders()).entries()),
    };
  })());
}
