// Types of openapi.mjs, for the tests that import it.
import type { OpenApiDocument } from "@grpc-calculator/rpc-server/openapi";

/** The calculator's OpenAPI document, from a descriptor set of calculator.proto and what it imports. */
export declare function calculatorOpenApi(descriptorSet: Uint8Array): OpenApiDocument;
