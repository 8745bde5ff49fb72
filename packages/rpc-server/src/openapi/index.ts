/**
 * `@grpc-calculator/rpc-server/openapi`: the OpenAPI 3.1 document of a contract's services as this
 * engine serves them over HTTP with JSON, from the contract's descriptor set. A build-time tool: the
 * server itself never loads it.
 *
 * ```ts
 * const document = openApiDocument({
 *   descriptorSet, // `buf build` output, with source info for the descriptions
 *   services: ["greeter.v1.Greeter"],
 *   info: { title: "Greeter", version: "1.0.0" },
 *   servers: [{ url: "https://greeter.example.com" }],
 * });
 * ```
 */
export { openApiDocument, type OpenApiOptions } from "./document.js";
export type * from "./types.js";
