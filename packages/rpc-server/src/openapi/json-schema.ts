/**
 * Messages and enums as JSON Schema 2020-12, as proto3 JSON reads and writes them (the JSON mapping
 * https://protobuf.dev/programming-guides/json/, which protobuf-es implements and the web protocols
 * use): lowerCamelCase property names, 64-bit integers as strings, bytes as base64, enums by name.
 * Each message and enum is one schema under `components/schemas`, named by its full name, which the
 * others reference; the .proto comments are the descriptions.
 */
import { ScalarType, type DescEnum, type DescField, type DescMessage } from "@bufbuild/protobuf";
import { FeatureSet_FieldPresence } from "@bufbuild/protobuf/wkt";
import { comment } from "./comments.js";
import type { JsonSchema } from "./types.js";
import { scalar } from "./scalar-schema.js";
import { paragraphs } from "./text.js";
import { wellKnownSchema } from "./well-known.js";

/** A map key's schema: JSON object keys are strings, so integer and bool keys are their decimal or `true`/`false` text. */
function mapKey(type: ScalarType): JsonSchema | undefined {
  switch (type) {
    case ScalarType.STRING:
      return undefined;
    case ScalarType.BOOL:
      return { enum: ["true", "false"] };
    default:
      return { pattern: "^-?[0-9]+$" };
  }
}

/** The JSON schema of every message and enum a document refers to, by full name. */
export class ComponentSchemas {
  readonly #schemas = new Map<string, JsonSchema>();

  /**
   * @param detailTypes the messages an Any is documented to hold (an error's details): each is
   *   described with its `@type`, and an Any of another type stays valid.
   */
  constructor(readonly detailTypes: readonly DescMessage[]) {}

  /** Every schema referenced so far, by name. */
  get schemas(): Record<string, JsonSchema> {
    return Object.fromEntries(this.#schemas);
  }

  /** A `$ref` to the message's or enum's schema, which is added (with what it references) when first asked for. */
  ref(desc: DescMessage | DescEnum): JsonSchema {
    const name = desc.typeName;
    if (!this.#schemas.has(name)) {
      // Set before building, so that a recursive message refers to itself instead of recursing forever.
      this.#schemas.set(name, {});
      this.#schemas.set(name, desc.kind === "message" ? this.#message(desc) : this.#enum(desc));
    }
    return { $ref: `#/components/schemas/${name}` };
  }

  /** A field's schema as a property of its message's JSON object: its type, comment and default. */
  field(field: DescField): JsonSchema {
    const { schema, zero } = this.fieldType(field);
    return {
      ...schema,
      ...(field.deprecated ? { deprecated: true } : {}),
      description: paragraphs(fieldNotes(field), schema.description),
      ...(zero === undefined ? {} : { default: zero }),
    };
  }

  /**
   * What a field holds: its type's schema (described only by the type's own note), and the value it
   * reads as when left out, for a field of proto3's implicit presence.
   */
  fieldType(field: DescField): { schema: JsonSchema; zero?: unknown } {
    const implicit = field.presence === FeatureSet_FieldPresence.IMPLICIT;
    switch (field.fieldKind) {
      case "scalar": {
        const { schema, zero } = scalar(field.scalar);
        return implicit ? { schema, zero } : { schema };
      }
      case "enum":
        return implicit
          ? { schema: this.ref(field.enum), zero: enumZero(field.enum) }
          : { schema: this.ref(field.enum) };
      case "message":
        return { schema: this.ref(field.message) };
      case "list":
        return {
          schema: {
            type: "array",
            items: this.#element(field.listKind === "scalar" ? field.scalar : (field.message ?? field.enum)),
          },
        };
      case "map": {
        const keys = mapKey(field.mapKey);
        return {
          schema: {
            type: "object",
            ...(keys === undefined ? {} : { propertyNames: keys }),
            additionalProperties: this.#element(
              field.mapKind === "scalar" ? field.scalar : (field.message ?? field.enum),
            ),
          },
        };
      }
    }
  }

  /** The schema of a list element or map value. */
  #element(type: ScalarType | DescMessage | DescEnum): JsonSchema {
    return typeof type === "number" ? scalar(type).schema : this.ref(type);
  }

  #message(message: DescMessage): JsonSchema {
    const known = wellKnownSchema(message, this);
    if (known !== undefined) return known;
    return {
      type: "object",
      ...(message.deprecated ? { deprecated: true } : {}),
      description: comment(message),
      properties: Object.fromEntries(message.fields.map((field) => [field.jsonName, this.field(field)])),
    };
  }

  #enum(desc: DescEnum): JsonSchema {
    // google.protobuf.NullValue is JSON's null.
    if (desc.typeName === "google.protobuf.NullValue") return { type: "null" };
    const described = desc.values.filter((value) => comment(value) !== undefined);
    return {
      type: "string",
      enum: desc.values.map((value) => value.name),
      ...(desc.deprecated ? { deprecated: true } : {}),
      description: paragraphs(
        comment(desc),
        "By name in proto3 JSON; the value's number is read too, and a number this contract does not name " +
          "is written as that number.",
      ),
      // Redoc and Redocly show each value's description from this extension.
      ...(described.length > 0
        ? { "x-enumDescriptions": Object.fromEntries(described.map((value) => [value.name, comment(value)])) }
        : {}),
    };
  }
}

/** The name of an enum's zero value: what a field of proto3's implicit presence reads as when absent. */
const enumZero = (desc: DescEnum): string | undefined => desc.values.find((value) => value.number === 0)?.name;

/** A field's comment, and what its oneof means for it. */
export function fieldNotes(field: DescField): string | undefined {
  return paragraphs(
    comment(field),
    field.oneof === undefined
      ? undefined
      : `One of ${field.oneof.fields.map((f) => `\`${f.jsonName}\``).join(", ")} (oneof \`${field.oneof.name}\`): ` +
          "at most one of them is set.",
  );
}
