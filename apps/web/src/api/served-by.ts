/**
 * The OpenAPI document with one server, the service this page is configured for, so that Swagger UI's
 * try-it form calls it (a document's own `servers` name no deployment: the same contract runs anywhere).
 */
export function servedBy<Document extends object>(
  document: Document,
  url: string,
): Document & { servers: [{ url: string; description: string }] } {
  return { ...document, servers: [{ url, description: "the calculator service this page is configured for" }] };
}
