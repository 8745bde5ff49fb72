/**
 * A failed REST call's answer: google.rpc.Status as proto3 JSON (`{"code":3,"message":"…","details":[…]}`,
 * what grpc-gateway and Envoy's transcoder send) with the HTTP status its code maps to. The mapping
 * is google/rpc/code.proto's "HTTP Mapping" (400, 404, 409, 499, 500, 503, 504 …), which is also
 * Connect's: connect-es's table is used, so the two web protocols cannot drift. An error that HTTP
 * itself names (a body over the limit: 413; not JSON: 415; a query over the limit: 414) keeps that
 * status.
 *
 * Each detail is a google.protobuf.Any in its JSON form (zero values written, as in answers) (`{"@type":"type.googleapis.com/google.rpc.BadRequest",
 * "fieldViolations":[…]}`), read with the service's registry (its descriptor set). A detail whose
 * type the set does not hold cannot be written as JSON; it keeps its bytes, base64, under `value`,
 * with its `@type`, rather than being dropped.
 */
import { create, toJson, type JsonObject, type Registry } from "@bufbuild/protobuf";
import { AnySchema } from "@bufbuild/protobuf/wkt";
import { codeToHttpStatus } from "@connectrpc/connect/protocol-connect";
import type { CallError, ErrorDetail } from "../call-error.js";
import { JSON_OPTIONS } from "../web/descriptors.js";
import { HttpStatusError } from "../web/http-exchange.js";

/** The HTTP status of a failed call. */
export function httpStatusOf(error: CallError): number {
  return error instanceof HttpStatusError ? error.httpStatus : codeToHttpStatus(error.code as number);
}

/** The google.rpc.Status JSON of a failed call, as bytes. */
export function statusJson(error: CallError, registry: Registry | undefined): Uint8Array {
  const status = {
    code: error.code as number,
    message: error.message,
    details: error.details.map((d) => anyJson(d, registry)),
  };
  return Buffer.from(JSON.stringify(status));
}

function anyJson(detail: ErrorDetail, registry: Registry | undefined): JsonObject {
  const typeUrl = `type.googleapis.com/${detail.type}`;
  if (registry?.getMessage(detail.type) !== undefined) {
    try {
      const json = toJson(AnySchema, create(AnySchema, { typeUrl, value: detail.value }), {
        ...JSON_OPTIONS,
        registry,
      });
      if (typeof json === "object" && json !== null && !Array.isArray(json)) return json;
    } catch {
      // Bytes that do not parse as their type: written as bytes below.
    }
  }
  return { "@type": typeUrl, value: Buffer.from(detail.value).toString("base64") };
}
