/**
 * Errors as each protocol answers them: an HTTP status chosen from the gRPC status code (each
 * protocol's own mapping, taken from the library that defines it) and a JSON body. Every method may
 * end with any code, so each operation lists every status; the ones the engine itself answers for
 * any method (a request it cannot read, the message size limit, …) are listed on their own with why,
 * the others as `4XX` and `5XX` with the codes they stand for.
 */
import { ScalarType, type Registry } from "@bufbuild/protobuf";
import { AnySchema } from "@bufbuild/protobuf/wkt";
import { codeToHttpStatus, codeToString } from "@connectrpc/connect/protocol-connect";
import { Code } from "../call-error.js";
import type { ComponentSchemas } from "./json-schema.js";
import { scalar } from "./scalar-schema.js";
import type { JsonSchema, Response, ResponseOrRef } from "./types.js";

/** How one protocol answers errors. */
export interface ErrorProtocol {
  /** Prefix of its `components/responses` names ("connect"). */
  readonly name: string;
  /** The protocol's name for people ("Connect"). */
  readonly title: string;
  /** Its error body. */
  readonly schema: JsonSchema;
  readonly httpStatus: (code: Code) => number;
  /** A code as the body carries it, in Markdown (`` `invalid_argument` `` in Connect's). */
  readonly codeLabel: (code: Code) => string;
}

/** Every gRPC status code but OK, in number order. */
const ERROR_CODES: readonly Code[] = Object.values(Code)
  .filter((value): value is Code => typeof value === "number" && value !== Code.OK)
  .sort((a, b) => a - b);

/** The responses of one protocol's errors: what `components/responses` holds, and what each operation lists. */
export interface ErrorResponses {
  readonly components: Record<string, Response>;
  readonly refs: Record<string, ResponseOrRef>;
}

/**
 * @param explained the HTTP statuses listed on their own, each with why the engine answers it; the
 *   codes of other statuses are grouped by class (`4XX`, `5XX`).
 */
export function errorResponses(protocol: ErrorProtocol, explained: ReadonlyMap<number, string>): ErrorResponses {
  const groups = new Map<string, Code[]>();
  for (const code of ERROR_CODES) {
    const status = protocol.httpStatus(code);
    const key = explained.has(status) ? String(status) : `${String(status).charAt(0)}XX`;
    groups.set(key, [...(groups.get(key) ?? []), code]);
  }
  // An explained status no code maps to (an HTTP-level refusal, such as 414) has no codes to list.
  for (const status of explained.keys()) if (!groups.has(String(status))) groups.set(String(status), []);
  const components: Record<string, Response> = {};
  const refs: Record<string, ResponseOrRef> = {};
  for (const [key, codes] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const name = `${protocol.name}.${key}`;
    const names = codes.map(protocol.codeLabel).join(", ");
    const why = explained.get(Number(key));
    components[name] = {
      description: [codes.length > 0 ? `${protocol.title} error ${names}.` : undefined, why]
        .filter((part) => part !== undefined)
        .join(" "),
      content: { "application/json": { schema: protocol.schema } },
    };
    refs[key] = { $ref: `#/components/responses/${name}` };
  }
  return { components, refs };
}

/** The name of the Connect error schema under `components/schemas`. */
const CONNECT_ERROR = "connect.Error";

/** Connect's errors (https://connectrpc.com/docs/protocol/#error-end-stream), with connect-es's status mapping. */
export function connectErrors(schemas: ComponentSchemas): {
  protocol: ErrorProtocol;
  schemas: Record<string, JsonSchema>;
} {
  const codeName = (code: Code): string => codeToString(code as number);
  const detail: JsonSchema = {
    type: "object",
    description:
      "One detail of the error, as google.rpc.Status carries it in a google.protobuf.Any: the message's full " +
      "name and its protobuf bytes.",
    properties: {
      type: { type: "string", description: "The detail message's full name (no type URL prefix)." },
      value: {
        ...scalar(ScalarType.BYTES).schema,
        description: "The detail message in the protobuf binary encoding, base64 (standard, without padding).",
      },
      debug: {
        description: "The same message as proto3 JSON, for people reading the error; programs read `value`.",
      },
    },
    required: ["type", "value"],
    ...(schemas.detailTypes.length === 0
      ? {}
      : {
          anyOf: [
            ...schemas.detailTypes.map((message): JsonSchema => ({
              title: message.typeName,
              properties: { type: { const: message.typeName }, debug: schemas.ref(message) },
            })),
            {
              title: "another message",
              properties: { type: { not: { enum: schemas.detailTypes.map((m) => m.typeName) } } },
            },
          ],
        }),
  };
  return {
    protocol: {
      name: "connect",
      title: "Connect",
      schema: { $ref: `#/components/schemas/${CONNECT_ERROR}` },
      httpStatus: (code) => codeToHttpStatus(code as number),
      codeLabel: (code) => `\`${codeName(code)}\``,
    },
    schemas: {
      [CONNECT_ERROR]: {
        type: "object",
        description: "A Connect error: the gRPC status code by its Connect name, its message, and its details.",
        properties: {
          code: { type: "string", enum: ERROR_CODES.map(codeName) },
          message: { type: "string", description: "For people: what went wrong, naming the offending value." },
          details: { type: "array", items: detail },
        },
        required: ["code"],
      },
    },
  };
}

/** The REST error body: google.rpc.Status as proto3 JSON, the form grpc-gateway and Google's APIs answer with. */
const STATUS = "google.rpc.Status";

/**
 * REST's errors: google.rpc.Status as JSON (`{code, message, details}`), with the HTTP status
 * google/rpc/code.proto gives each code (grpc-gateway's table, which is Connect's too: connect-es's
 * mapping is reused). Status's schema comes from the descriptor set when it holds
 * google/rpc/status.proto (with its comments); otherwise it is written here, as the engine writes it.
 */
export function restErrors(
  schemas: ComponentSchemas,
  registry: Registry,
): { protocol: ErrorProtocol; schemas: Record<string, JsonSchema> } {
  const status = registry.getMessage(STATUS);
  return {
    protocol: {
      name: "rest",
      title: "REST",
      schema: status === undefined ? { $ref: `#/components/schemas/${STATUS}` } : schemas.ref(status),
      httpStatus: (code) => codeToHttpStatus(code as number),
      codeLabel: (code) => `\`${code}\` (${Code[code]})`,
    },
    schemas:
      status === undefined
        ? {
            [STATUS]: {
              type: "object",
              description: "An error: its gRPC status code, its message, and its details.",
              properties: {
                code: { type: "integer", format: "int32", description: "The gRPC status code (google.rpc.Code)." },
                message: { type: "string", description: "For people: what went wrong." },
                details: { type: "array", items: schemas.ref(AnySchema), description: "What a program can act on." },
              },
            },
          }
        : {},
  };
}
