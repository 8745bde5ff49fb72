// The OpenAPI document the engine generates from a contract, on its fixture contract: valid OpenAPI
// 3.1 by a maintained linter, every Connect unary call and REST route as the engine serves them,
// schemas as proto3 JSON reads and writes the messages, errors as each protocol answers them.
import { create, createFileRegistry, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
  FileDescriptorSetSchema,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
} from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { limits } from "../src/index.js";
import { openApiDocument, type OpenApiOptions, type Operation, type Parameter } from "../src/openapi/index.js";
import { fixtureDescriptorSet } from "./gen/descriptor-set.js";
import { lintOpenApi } from "./openapi-lint.js";

const options: OpenApiOptions = {
  descriptorSet: fixtureDescriptorSet,
  services: ["fixture.v1.EchoService", "fixture.v1.RestService"],
  info: { title: "Fixture", version: "1.0.0", license: { name: "Apache-2.0", identifier: "Apache-2.0" } },
  servers: [{ url: "https://fixture.test" }],
  limits: { maxReceiveMessageBytes: 1234 },
};
const document = openApiDocument(options);
const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, fixtureDescriptorSet));

function operation(path: string, method: "get" | "post" | "put" | "patch" | "delete"): Operation {
  const found = document.paths[path]?.[method];
  if (found === undefined) throw new Error(`no ${method} ${path} in ${Object.keys(document.paths).join(", ")}`);
  return found;
}

function parameter(op: Operation, name: string, where: Parameter["in"]): Parameter {
  const found = op.parameters?.find((p) => p.name === name && p.in === where);
  if (found === undefined) throw new Error(`no ${where} parameter ${name} on ${op.operationId}`);
  return found;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

describe("the document", () => {
  it("is valid OpenAPI 3.1 with no problem under Redocly's recommended rules", async () => {
    const result = await lintOpenApi(document);
    expect(result.problems).toEqual([]);
    expect(document.openapi).toMatch(/^3\.1\./);
  });

  it("tags operations by service, with the service's comment", () => {
    expect(document.tags.map((tag) => tag.name)).toEqual(["fixture.v1.EchoService", "fixture.v1.RestService"]);
    expect(operation("/fixture.v1.EchoService/Unary", "post").tags).toEqual(["fixture.v1.EchoService"]);
  });

  it("refuses a service the descriptor set does not hold", () => {
    expect(() => openApiDocument({ ...options, services: ["fixture.v1.Nope"] })).toThrow(/fixture\.v1\.Nope/);
  });
});

describe("Connect", () => {
  it("describes each unary method as POST /{service}/{method} with JSON bodies", () => {
    const unary = operation("/fixture.v1.EchoService/Unary", "post");
    expect(unary.operationId).toBe("fixture.v1.EchoService_Unary");
    expect(unary.requestBody?.content["application/json"]?.schema).toEqual(ref("fixture.v1.EchoRequest"));
    expect(unary.responses["200"]).toMatchObject({
      content: { "application/json": { schema: ref("fixture.v1.EchoResponse") } },
    });
    expect(parameter(unary, "Connect-Timeout-Ms", "header").schema).toMatchObject({ pattern: "^[0-9]{1,10}$" });
  });

  it("leaves streaming methods out, and says so", () => {
    for (const name of ["ServerStream", "ClientStream", "Bidi"]) {
      expect(document.paths[`/fixture.v1.EchoService/${name}`]).toBeUndefined();
      expect(document.info.description).toContain(`fixture.v1.EchoService.${name}`);
    }
  });

  it("offers GET, with the message as a JSON query parameter, only for methods without side effects", () => {
    const get = operation("/fixture.v1.RestService/GetBook", "get");
    expect(parameter(get, "message", "query")).toMatchObject({
      required: true,
      content: { "application/json": { schema: ref("fixture.v1.BookRequest") } },
    });
    expect(parameter(get, "encoding", "query").schema).toEqual({ type: "string", enum: ["json"] });
    expect(document.paths["/fixture.v1.EchoService/Unary"]?.get).toBeUndefined();
    expect(document.paths["/fixture.v1.RestService/CreateBook"]?.get).toBeUndefined();
  });

  it("answers errors as Connect's error JSON, with Connect's HTTP statuses", () => {
    const responses = operation("/fixture.v1.EchoService/Unary", "post").responses;
    expect(Object.keys(responses)).toEqual(["200", "400", "429", "4XX", "5XX"]);
    const badRequest = document.components.responses["connect.400"];
    expect(badRequest?.content?.["application/json"]?.schema).toEqual(ref("connect.Error"));
    expect(badRequest?.description).toContain("`invalid_argument`");
    expect(document.components.responses["connect.429"]?.description).toMatch(/`resource_exhausted`.*1234 bytes/);
    expect(document.components.responses["connect.5XX"]?.description).toContain("`unavailable`");
    const error = document.components.schemas["connect.Error"];
    expect(error?.properties?.["code"]?.enum).toContain("deadline_exceeded");
  });
});

describe("schemas", () => {
  const schemas = document.components.schemas;

  it("name properties as proto3 JSON writes them, with the .proto comments and proto3's defaults", () => {
    const request = schemas["fixture.v1.EchoRequest"];
    const fields = registry.getMessage("fixture.v1.EchoRequest")?.fields.map((field) => field.jsonName);
    expect(Object.keys(request?.properties ?? {})).toEqual(fields);
    expect(fields).toContain("failWithCode");
    expect(request?.properties?.["failWithCode"]).toEqual({
      type: "integer",
      format: "int32",
      description: "When set, the call fails with this gRPC status code and `text` as its message.",
      default: 0,
    });
    expect(request?.description).toBe("What a call sends: a text, and how many answers it wants.");
  });

  it("write 64-bit integers as strings, repeated fields as arrays, maps as objects, messages as references", () => {
    const properties = schemas["fixture.v1.BookRequest"]?.properties ?? {};
    expect(properties["bookId"]).toMatchObject({ type: "string", format: "int64", default: "0" });
    expect(properties["ids"]).toMatchObject({ type: "array", items: { type: "integer", format: "int32" } });
    expect(properties["labels"]).toMatchObject({ type: "object", additionalProperties: { type: "string" } });
    expect(properties["filter"]).toEqual(ref("fixture.v1.Filter"));
    // A message inside itself refers to its own schema.
    expect(schemas["fixture.v1.Filter"]?.properties?.["narrower"]).toEqual(ref("fixture.v1.Filter"));
  });

  it("describe enums by the names the contract gives them, the zero value as the default", () => {
    const shade = registry.getEnum("fixture.v1.Shade");
    expect(schemas["fixture.v1.Shade"]?.enum).toEqual(shade?.values.map((value) => value.name));
    expect(schemas["fixture.v1.BookRequest"]?.properties?.["shade"]).toMatchObject({
      ...ref("fixture.v1.Shade"),
      default: shade?.values.find((value) => value.number === 0)?.name,
    });
  });
});

describe("scalars and well-known types", () => {
  // A contract with what the fixture lacks, built in place: floats, bytes, 64-bit, oneof, optional,
  // a map with integer keys, a timestamp and a wrapper.
  const field = (name: string, number: number, type: Type, extra: object = {}) => ({
    name,
    number,
    type,
    label: Label.OPTIONAL,
    jsonName: name.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()),
    ...extra,
  });
  const set = create(FileDescriptorSetSchema, {
    file: [
      file_google_protobuf_timestamp.proto,
      file_google_protobuf_wrappers.proto,
      {
        name: "sample.proto",
        package: "sample",
        syntax: "proto3",
        dependency: ["google/protobuf/timestamp.proto", "google/protobuf/wrappers.proto"],
        messageType: [
          {
            name: "Sample",
            field: [
              field("ratio", 1, Type.FLOAT),
              field("precise", 2, Type.DOUBLE),
              field("blob", 3, Type.BYTES),
              field("count", 4, Type.UINT64),
              field("at", 5, Type.MESSAGE, { typeName: ".google.protobuf.Timestamp" }),
              field("maybe", 6, Type.MESSAGE, { typeName: ".google.protobuf.Int32Value" }),
              field("text", 7, Type.STRING, { oneofIndex: 0 }),
              field("flag", 8, Type.BOOL, { oneofIndex: 0 }),
              field("by_id", 9, Type.MESSAGE, { typeName: ".sample.Sample.ByIdEntry", label: Label.REPEATED }),
            ],
            oneofDecl: [{ name: "choice" }],
            nestedType: [
              {
                name: "ByIdEntry",
                options: { mapEntry: true },
                field: [field("key", 1, Type.INT32), field("value", 2, Type.MESSAGE, { typeName: ".sample.Sample" })],
              },
            ],
          },
        ],
        service: [
          { name: "Samples", method: [{ name: "Get", inputType: ".sample.Sample", outputType: ".sample.Sample" }] },
        ],
      },
    ],
  });
  const sample = openApiDocument({
    ...options,
    descriptorSet: toBinary(FileDescriptorSetSchema, set),
    services: ["sample.Samples"],
  });
  const properties = sample.components.schemas["sample.Sample"]?.properties ?? {};

  it("writes float and double as numbers with their format, and says which strings proto3 JSON allows", () => {
    expect(properties["ratio"]).toMatchObject({ type: "number", format: "float", default: 0 });
    expect(properties["ratio"]?.description).toContain('"NaN", "Infinity" and "-Infinity"');
    expect(properties["precise"]).toMatchObject({ type: "number", format: "double" });
  });

  it("writes bytes as base64 and uint64 as a string of digits", () => {
    expect(properties["blob"]).toMatchObject({ type: "string", contentEncoding: "base64" });
    expect(properties["count"]).toMatchObject({ type: "string", format: "uint64", pattern: "^[0-9]+$" });
  });

  it("writes a timestamp as an RFC 3339 string and a wrapper as its bare value", () => {
    expect(properties["at"]).toEqual(ref("google.protobuf.Timestamp"));
    expect(sample.components.schemas["google.protobuf.Timestamp"]).toMatchObject({
      type: "string",
      format: "date-time",
    });
    expect(sample.components.schemas["google.protobuf.Int32Value"]).toMatchObject({
      type: "integer",
      format: "int32",
    });
  });

  it("says which fields share a oneof, and gives them no default (they have presence)", () => {
    expect(properties["text"]?.description).toContain("One of `text`, `flag` (oneof `choice`)");
    expect(properties["text"]?.default).toBeUndefined();
  });

  it("writes a map with integer keys as an object whose keys are decimal", () => {
    expect(properties["byId"]).toMatchObject({
      type: "object",
      propertyNames: { pattern: "^-?[0-9]+$" },
      additionalProperties: ref("sample.Sample"),
    });
    expect(sample.components.schemas["sample.Sample.ByIdEntry"]).toBeUndefined();
  });

  it("is valid OpenAPI 3.1", async () => {
    expect((await lintOpenApi(sample)).problems).toEqual([]);
  });
});

describe("REST", () => {
  it("makes a multi-segment variable one path parameter with a pattern", () => {
    const get = operation("/v1/{name}", "get");
    expect(get.operationId).toBe("fixture.v1.RestService_GetBook_rest");
    expect(parameter(get, "name", "path")).toMatchObject({
      required: true,
      schema: { type: "string", pattern: "^shelves/[^/]+/books/[^/]+$" },
    });
    const archive = operation("/v1/{name}:archive", "post");
    expect(archive.parameters?.filter((p) => p.in !== "header").map((p) => p.name)).toEqual(["name"]);
  });

  it("flattens additional_bindings into operations of their own, other fields becoming query parameters", () => {
    const get = operation("/v2/shelves/{shelf}/books/{book_id}", "get");
    expect(get.operationId).toBe("fixture.v1.RestService_GetBook_rest2");
    expect(parameter(get, "book_id", "path").schema).toMatchObject({ type: "string", format: "int64" });
    const query = get.parameters?.filter((p) => p.in === "query").map((p) => p.name);
    expect(query).toContain("name");
    expect(query).toContain("filter.author");
    expect(query).not.toContain("shelf");
    expect(query).not.toContain("bookId");
    // A map is no query parameter, nor is a message inside itself.
    expect(query).not.toContain("labels");
    expect(query?.some((name) => name.startsWith("filter.narrower"))).toBe(false);
    expect(parameter(get, "filter.tags", "query")).toMatchObject({
      style: "form",
      explode: true,
      schema: { type: "array", items: { type: "string" } },
    });
    expect(parameter(operation("/v1/{name}", "get"), "bookId", "query").description).toContain("`book_id`");
  });

  it("takes the body as the whole request (`*`) or one field, and the response as response_body's field", () => {
    const replace = operation("/v1/shelves/{shelf}/books/{book_id}", "put");
    expect(replace.requestBody?.content["application/json"]?.schema).toEqual(ref("fixture.v1.BookRequest"));
    expect(replace.parameters?.filter((p) => p.in === "query")).toEqual([]);
    const create = operation("/v1/shelves/{shelf}/books", "post");
    expect(create.requestBody?.content["application/json"]?.schema).toEqual(ref("fixture.v1.Book"));
    expect(create.parameters?.map((p) => p.name)).not.toContain("book.title");
    expect(operation("/v1/shelves/{shelf}/books/{book_id}", "delete").requestBody).toBeUndefined();
    const title = operation("/v1/shelves/{shelf}/books/{book_id}/title", "get");
    expect(title.responses["200"]).toMatchObject({ content: { "application/json": { schema: { type: "string" } } } });
  });

  it("gives a path of an existing shape that path's parameter names, saying which field each sets", () => {
    const update = operation("/v1/{name}", "patch");
    expect(parameter(update, "name", "path").description).toContain("`book.name`");
  });

  it("takes the deadline as grpc-timeout, and says GET answers of methods without side effects are cached", () => {
    const get = operation("/v1/{name}", "get");
    expect(parameter(get, "grpc-timeout", "header").schema).toMatchObject({ pattern: "^(\\d{1,8})([HMSmun])$" });
    expect(get.responses["200"]).toMatchObject({ headers: { "Cache-Control": { schema: { type: "string" } } } });
    expect(JSON.stringify(get.responses["200"])).toContain("public, max-age=300");
    expect(operation("/v1/shelves/{shelf}/books", "post").responses["200"]).not.toHaveProperty("headers");
    const connectGet = operation("/fixture.v1.RestService/GetBook", "get");
    expect(connectGet.responses["200"]).toHaveProperty("headers.Cache-Control");
  });

  it("names the routes OpenAPI 3.1 cannot describe (custom HTTP methods)", () => {
    expect(document.info.description).toContain("`SEARCH /v1/books` (`fixture.v1.RestService.Search`)");
  });

  it("answers errors as google.rpc.Status with its details: 413 and 415 where a body is read, 414 where a query is", () => {
    expect(Object.keys(operation("/v1/{name}", "get").responses)).toEqual(["200", "400", "414", "4XX", "5XX"]);
    expect(Object.keys(operation("/v1/{name}:archive", "post").responses)).toEqual([
      "200",
      "400",
      "413",
      "415",
      "4XX",
      "5XX",
    ]);
    expect(Object.keys(operation("/v1/shelves/{shelf}/books", "post").responses)).toEqual([
      "200",
      "400",
      "413",
      "414",
      "415",
      "4XX",
      "5XX",
    ]);
    expect(document.components.responses["rest.413"]?.description).toMatch(/RESOURCE_EXHAUSTED.*over 1234 bytes/);
    expect(document.components.responses["rest.414"]?.description).toContain(`over ${limits.MAX_QUERY_BYTES} bytes`);
    // RESOURCE_EXHAUSTED's own status (429) is among the others: over REST, the engine's limits answer 413/414.
    expect(document.components.responses["rest.4XX"]?.description).toContain("`8` (RESOURCE_EXHAUSTED)");
    for (const name of ["rest.400", "rest.413", "rest.414", "rest.415", "rest.4XX", "rest.5XX"]) {
      expect(document.components.responses[name]?.content?.["application/json"]?.schema).toEqual(
        ref("google.rpc.Status"),
      );
    }
    expect(document.components.responses["rest.400"]?.description).toContain("`3` (INVALID_ARGUMENT)");
    const status = document.components.schemas["google.rpc.Status"];
    expect(status?.properties?.["details"]).toMatchObject({ type: "array", items: ref("google.protobuf.Any") });
    expect(document.components.schemas["google.protobuf.Any"]?.required).toEqual(["@type"]);
  });
});

describe("error details", () => {
  it("describes the named detail types in an Any by their @type, and in Connect's details by their type", async () => {
    const withDetails = openApiDocument({ ...options, errorDetails: ["fixture.v1.Book"] });
    const any = withDetails.components.schemas["google.protobuf.Any"];
    expect(any?.anyOf?.[0]).toMatchObject({
      allOf: [ref("fixture.v1.Book")],
      properties: { "@type": { const: "type.googleapis.com/fixture.v1.Book" } },
    });
    // Another message stays valid.
    expect(any?.anyOf?.[1]).toMatchObject({
      properties: { "@type": { not: { enum: ["type.googleapis.com/fixture.v1.Book"] } } },
    });
    const detail = withDetails.components.schemas["connect.Error"]?.properties?.["details"]?.items;
    expect(detail?.anyOf?.[0]).toMatchObject({
      properties: { type: { const: "fixture.v1.Book" }, debug: ref("fixture.v1.Book") },
    });
    expect((await lintOpenApi(withDetails)).problems).toEqual([]);
  });

  it("refuses a detail type the descriptor set does not hold", () => {
    expect(() => openApiDocument({ ...options, errorDetails: ["google.rpc.Nope"] })).toThrow(/google\.rpc\.Nope/);
  });
});

describe("limits", () => {
  it("states the server's message limit and the engine's HTTP/1.1 timeouts", () => {
    expect(document.info.description).toContain("at most 1234 bytes");
    expect(document.info.description).toContain("within 30 s");
    expect(document.info.description).toContain(`query string: at most ${limits.MAX_QUERY_BYTES} bytes`);
    expect(operation("/fixture.v1.EchoService/Unary", "post").requestBody?.description).toContain("1234 bytes");
  });

  it("uses the engine's default limit when the server sets none", () => {
    expect(openApiDocument({ ...options, limits: {} }).info.description).toContain(`at most ${4 * 1024 * 1024} bytes`);
  });
});
