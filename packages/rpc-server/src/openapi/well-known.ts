/**
 * The well-known types whose proto3 JSON is not an object of their fields
 * (https://protobuf.dev/programming-guides/json/): timestamps and durations as strings, wrappers as
 * their bare value, Struct/Value/ListValue as any JSON, and Any as its message's JSON plus `@type`.
 */
import type { DescMessage } from "@bufbuild/protobuf";
import type { ComponentSchemas } from "./json-schema.js";
import { scalar } from "./scalar-schema.js";
import { comment } from "./comments.js";
import { paragraphs } from "./text.js";
import type { JsonSchema } from "./types.js";

/** The `@type` of a message packed in an Any, as protobuf-es and every other runtime write it. */
export const anyUrl = (message: DescMessage): string => `type.googleapis.com/${message.typeName}`;

const FIXED: Readonly<Record<string, JsonSchema>> = {
  Timestamp: {
    type: "string",
    format: "date-time",
    description: 'RFC 3339, in UTC ("Z"), with 0, 3, 6 or 9 fractional digits when written.',
  },
  Duration: {
    type: "string",
    pattern: "^-?[0-9]+(\\.[0-9]{1,9})?s$",
    description: 'Seconds with up to nine fractional digits and the suffix "s", for example "1.5s".',
  },
  FieldMask: { type: "string", description: "Field paths in lowerCamelCase, separated by commas." },
  Struct: { type: "object", description: "Any JSON object." },
  Value: { description: "Any JSON value." },
  ListValue: { type: "array", description: "Any JSON array." },
  Empty: { type: "object", additionalProperties: false, description: "An empty JSON object." },
};

/** The schema of a well-known type with a JSON form of its own, or undefined for any other message. */
export function wellKnownSchema(message: DescMessage, schemas: ComponentSchemas): JsonSchema | undefined {
  if (message.file.name.startsWith("google/protobuf/") === false) return undefined;
  const fixed = FIXED[message.name];
  if (fixed !== undefined) return fixed;
  // The wrappers (Int32Value, …) are the messages of wrappers.proto, each with one field, `value`.
  if (message.file.proto.name === "google/protobuf/wrappers.proto") {
    const [value] = message.fields;
    if (value?.fieldKind === "scalar") {
      return { ...scalar(value.scalar).schema, description: paragraphs(comment(message), "The bare value in JSON.") };
    }
  }
  if (message.name === "Any") return anySchema(message, schemas);
  return undefined;
}

/**
 * google.protobuf.Any: the packed message's JSON fields and its `@type`. The detail types the document
 * names (an error's details) are each described with their own `@type`; an Any of any other type is
 * valid too.
 */
function anySchema(message: DescMessage, schemas: ComponentSchemas): JsonSchema {
  const { detailTypes } = schemas;
  const known =
    detailTypes.length === 0
      ? {}
      : {
          anyOf: [
            ...detailTypes.map((detail): JsonSchema => ({
              title: detail.typeName,
              allOf: [schemas.ref(detail)],
              properties: { "@type": { const: anyUrl(detail) } },
              required: ["@type"],
            })),
            {
              title: "another message",
              properties: { "@type": { not: { enum: detailTypes.map(anyUrl) } } },
            },
          ],
        };
  return {
    type: "object",
    description: paragraphs(
      comment(message),
      "In JSON: the packed message's own fields, and `@type`, which names it. A well-known type with a " +
        "JSON form of its own (a Timestamp, a wrapper, …) is in `value` instead, and so is, as its bytes in " +
        "base64, a message whose type the server's descriptor set does not hold.",
    ),
    properties: {
      "@type": {
        type: "string",
        description: "`type.googleapis.com/` followed by the message's full name.",
        ...(detailTypes[0] === undefined ? {} : { examples: [anyUrl(detailTypes[0])] }),
      },
    },
    required: ["@type"],
    ...known,
  };
}
