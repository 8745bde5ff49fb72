/**
 * The JSON Schema of each protobuf scalar type as proto3 JSON writes and reads it
 * (https://protobuf.dev/programming-guides/json/), and the value of a field of that type that is not set.
 */
import { ScalarType } from "@bufbuild/protobuf";
import type { JsonSchema } from "./types.js";

const FLOAT_NOTE =
  'proto3 JSON also reads and writes the strings "NaN", "Infinity" and "-Infinity" for the non-finite values, ' +
  "and reads a number written as a string.";
const INT64_NOTE = "A string in proto3 JSON (a 64-bit integer does not fit a JSON number); a number is read too.";

/** A scalar's schema, and the value proto3 gives a field of that type that is not set. */
export function scalar(type: ScalarType): { schema: JsonSchema; zero: unknown } {
  switch (type) {
    case ScalarType.DOUBLE:
      return { schema: { type: "number", format: "double", description: FLOAT_NOTE }, zero: 0 };
    case ScalarType.FLOAT:
      return { schema: { type: "number", format: "float", description: FLOAT_NOTE }, zero: 0 };
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return { schema: { type: "integer", format: "int32" }, zero: 0 };
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return { schema: { type: "integer", format: "uint32", minimum: 0, maximum: 2 ** 32 - 1 }, zero: 0 };
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return { schema: { type: "string", format: "int64", pattern: "^-?[0-9]+$", description: INT64_NOTE }, zero: "0" };
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return { schema: { type: "string", format: "uint64", pattern: "^[0-9]+$", description: INT64_NOTE }, zero: "0" };
    case ScalarType.BOOL:
      return { schema: { type: "boolean" }, zero: false };
    case ScalarType.STRING:
      return { schema: { type: "string" }, zero: "" };
    case ScalarType.BYTES:
      return {
        schema: {
          type: "string",
          contentEncoding: "base64",
          description: "Base64 (standard, with padding, when written; standard or URL-safe, padded or not, when read).",
        },
        zero: "",
      };
  }
}
