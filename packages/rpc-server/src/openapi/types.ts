/**
 * The parts of an OpenAPI 3.1 document this generator writes, typed just enough to keep it honest
 * (https://spec.openapis.org/oas/v3.1.1). Schemas are JSON Schema 2020-12, OpenAPI 3.1's dialect.
 * Written here rather than taken from a types package: the generator needs a dozen fields, and the
 * document leaves as plain JSON.
 */

/** A JSON Schema 2020-12 schema (the keywords used here; `x-` extensions allowed, as OpenAPI allows). */
export interface JsonSchema {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly format?: string;
  readonly description?: string | undefined;
  readonly title?: string;
  readonly enum?: readonly (string | number | boolean | null)[];
  readonly const?: string | number | boolean;
  readonly default?: unknown;
  readonly examples?: readonly unknown[];
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: JsonSchema | boolean;
  readonly propertyNames?: JsonSchema;
  readonly items?: JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
  readonly not?: JsonSchema;
  readonly contentEncoding?: string;
  readonly deprecated?: boolean;
  readonly readOnly?: boolean;
  readonly [extension: `x-${string}`]: unknown;
}

export interface MediaType {
  readonly schema: JsonSchema;
}

export interface Parameter {
  readonly name: string;
  readonly in: "path" | "query" | "header";
  readonly description?: string | undefined;
  readonly required?: boolean;
  readonly deprecated?: boolean;
  readonly schema?: JsonSchema;
  /** Instead of `schema`: the value is this media type's serialization (a JSON message in a query). */
  readonly content?: Readonly<Record<string, MediaType>>;
  readonly style?: "form" | "simple";
  readonly explode?: boolean;
}

export interface RequestBody {
  readonly description?: string | undefined;
  readonly required: boolean;
  readonly content: Readonly<Record<string, MediaType>>;
}

export interface Header {
  readonly description?: string | undefined;
  readonly schema: JsonSchema;
}

export interface Response {
  readonly description: string;
  readonly headers?: Readonly<Record<string, Header>>;
  readonly content?: Readonly<Record<string, MediaType>>;
}

/** A response, or a reference to one in `components/responses`. */
export type ResponseOrRef = Response | { readonly $ref: string };

export interface Operation {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string | undefined;
  readonly tags: readonly string[];
  readonly deprecated?: boolean;
  readonly parameters?: readonly Parameter[];
  readonly requestBody?: RequestBody;
  readonly responses: Readonly<Record<string, ResponseOrRef>>;
}

export type HttpMethod = "get" | "put" | "post" | "delete" | "patch";

export type PathItem = Partial<Record<HttpMethod, Operation>>;

export interface Tag {
  readonly name: string;
  readonly description?: string | undefined;
}

export interface Server {
  readonly url: string;
  readonly description?: string | undefined;
  readonly variables?: Readonly<
    Record<string, { readonly default: string; readonly enum?: readonly string[]; readonly description?: string }>
  >;
}

export interface Info {
  readonly title: string;
  readonly version: string;
  readonly summary?: string;
  readonly description?: string | undefined;
  readonly license?: { readonly name: string; readonly identifier?: string; readonly url?: string };
  readonly [extension: `x-${string}`]: unknown;
}

export interface OpenApiDocument {
  readonly openapi: "3.1.1";
  readonly info: Info;
  readonly servers: readonly Server[];
  readonly security: readonly Readonly<Record<string, readonly string[]>>[];
  readonly tags: readonly Tag[];
  readonly paths: Readonly<Record<string, PathItem>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, JsonSchema>>;
    readonly responses: Readonly<Record<string, Response>>;
  };
}
