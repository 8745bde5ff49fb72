// The published OpenAPI document (`@grpc-calculator/proto/openapi.json`): valid OpenAPI 3.1 at zero
// problems by the package's linter config, generated from the contract as it is now (a changed .proto
// changes it), and describing the calculator's Connect and REST routes, its messages and its errors.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createFileRegistry, fromBinary, ScalarType } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import type { OpenApiDocument, Operation, Parameter } from "@grpc-calculator/rpc-server/openapi";
import { lintOpenApi } from "@grpc-calculator/rpc-server/test/openapi-lint";
import { afterAll, describe, expect, it } from "vitest";
import { calculatorOpenApi } from "../scripts/openapi.mjs";
import { MAX_REQUEST_MESSAGE_BYTES, operations, operationToJSON } from "../src/index.js";

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL("..", import.meta.url));
const document = JSON.parse(
  readFileSync(require.resolve("@grpc-calculator/proto/openapi.json"), "utf8"),
) as OpenApiDocument;
const contract = readFileSync(join(root, "src/gen/calculator-comments.binpb"));
const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, contract));

function operation(doc: OpenApiDocument, path: string, method: "get" | "post"): Operation {
  const found = doc.paths[path]?.[method];
  if (found === undefined) throw new Error(`no ${method} ${path} in ${Object.keys(doc.paths).join(", ")}`);
  return found;
}

const names = (parameters: readonly Parameter[] | undefined, where: Parameter["in"]) =>
  parameters?.filter((p) => p.in === where).map((p) => p.name);
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

describe("the published document", () => {
  it("is valid OpenAPI 3.1 with no problem under the package's lint rules (redocly.yaml)", async () => {
    const result = await lintOpenApi(document, join(root, "redocly.yaml"));
    expect(result.problems).toEqual([]);
    expect(document.openapi).toMatch(/^3\.1\./);
  });

  it("is what the contract makes now (generated at build, never edited)", () => {
    expect(document).toEqual(JSON.parse(JSON.stringify(calculatorOpenApi(contract))));
  });

  it("takes its version from the package and its description from calculator.proto's header", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    expect(document.info.version).toBe(pkg.version);
    expect(document.info.description).toContain("The calculator's wire contract");
  });
});

describe("routes", () => {
  it("has the Connect call POST /Calculator/Calculate with the request and response as JSON", () => {
    const post = operation(document, "/Calculator/Calculate", "post");
    expect(post.requestBody?.content["application/json"]?.schema).toEqual(ref("BinaryOperation"));
    expect(post.responses["200"]).toMatchObject({
      content: { "application/json": { schema: ref("CalculationResult") } },
    });
    // NO_SIDE_EFFECTS: Connect's GET too, the request as a JSON query parameter.
    const get = operation(document, "/Calculator/Calculate", "get");
    expect(get.parameters?.find((p) => p.name === "message")).toMatchObject({
      in: "query",
      required: true,
      content: { "application/json": { schema: ref("BinaryOperation") } },
    });
  });

  it("has GET /v1/calculate with each request field as a query parameter", () => {
    const get = operation(document, "/v1/calculate", "get");
    const fields = registry.getMessage("BinaryOperation")?.fields.map((field) => field.jsonName);
    expect(names(get.parameters, "query")).toEqual(fields);
    expect(names(get.parameters, "path")).toEqual([]);
    expect(get.requestBody).toBeUndefined();
  });

  it("has POST /v1/calculate with the request as its JSON body", () => {
    const post = operation(document, "/v1/calculate", "post");
    expect(post.requestBody?.content["application/json"]?.schema).toEqual(ref("BinaryOperation"));
    expect(names(post.parameters, "query")).toEqual([]);
    expect(names(post.parameters, "header")).toEqual(["grpc-timeout"]);
    expect(post.responses["200"]).toMatchObject({
      content: { "application/json": { schema: ref("CalculationResult") } },
    });
  });

  it("leaves out CalculateStream (a stream OpenAPI cannot describe) and says so", () => {
    expect(Object.keys(document.paths).sort()).toEqual(["/Calculator/Calculate", "/v1/calculate"]);
    expect(document.info.description).toContain("`Calculator.CalculateStream`");
  });
});

describe("schemas", () => {
  const schemas = document.components.schemas;

  it("writes the float fields as number/float", () => {
    for (const message of ["BinaryOperation", "CalculationResult"]) {
      const floats = registry.getMessage(message)?.fields.filter((f) => f.scalar === ScalarType.FLOAT) ?? [];
      expect(floats.length).toBeGreaterThan(0);
      for (const field of floats) {
        expect(schemas[message]?.properties?.[field.jsonName]).toMatchObject({ type: "number", format: "float" });
      }
    }
  });

  it("writes `operation` as an enum of the generated enum's names, ADD (zero) by default", () => {
    expect(schemas["Operation"]?.enum).toEqual(operations.map(operationToJSON));
    expect(schemas["BinaryOperation"]?.properties?.["operation"]).toMatchObject({
      ...ref("Operation"),
      default: operationToJSON(0),
    });
  });
});

describe("errors", () => {
  it("answers REST errors as google.rpc.Status, Connect errors as Connect's error JSON", () => {
    const rest = operation(document, "/v1/calculate", "post").responses;
    const connect = operation(document, "/Calculator/Calculate", "post").responses;
    for (const [responses, schema] of [
      [rest, ref("google.rpc.Status")],
      [connect, ref("connect.Error")],
    ] as const) {
      expect(Object.keys(responses)).toEqual(expect.arrayContaining(["400", "4XX", "5XX"]));
      for (const [status, response] of Object.entries(responses)) {
        if (status === "200") continue;
        const name = "$ref" in response ? response.$ref.replace("#/components/responses/", "") : "";
        expect(document.components.responses[name]?.content?.["application/json"]?.schema).toEqual(schema);
      }
    }
  });

  it("describes the details BadRequest and ErrorInfo by their @type in Status, and by type in Connect's errors", () => {
    const status = document.components.schemas["google.rpc.Status"];
    expect(status?.properties?.["details"]).toMatchObject({ items: ref("google.protobuf.Any") });
    const any = document.components.schemas["google.protobuf.Any"];
    const connectDetail = document.components.schemas["connect.Error"]?.properties?.["details"]?.items;
    for (const detail of ["google.rpc.BadRequest", "google.rpc.ErrorInfo"]) {
      expect(any?.anyOf).toContainEqual(
        expect.objectContaining({
          allOf: [ref(detail)],
          properties: { "@type": { const: `type.googleapis.com/${detail}` } },
        }),
      );
      expect(connectDetail?.anyOf).toContainEqual(
        expect.objectContaining({ properties: { type: { const: detail }, debug: ref(detail) } }),
      );
    }
    // Their fields are described by googleapis' own comments.
    expect(document.components.schemas["google.rpc.ErrorInfo"]?.properties?.["reason"]?.description).toContain(
      "The reason of the error",
    );
  });
});

describe("limits", () => {
  it("answers a request over the limit 429 over Connect, 413 over REST, and a query too long 414", () => {
    const description = (name: string) => document.components.responses[name]?.description;
    expect(Object.keys(operation(document, "/Calculator/Calculate", "post").responses)).toContain("429");
    expect(description("connect.429")).toContain(`over ${MAX_REQUEST_MESSAGE_BYTES} bytes`);
    expect(Object.keys(operation(document, "/v1/calculate", "post").responses)).toContain("413");
    expect(description("rest.413")).toContain(`over ${MAX_REQUEST_MESSAGE_BYTES} bytes`);
    expect(Object.keys(operation(document, "/v1/calculate", "get").responses)).toContain("414");
  });

  it("states the contract's message limit, which calculator.proto's header documents", () => {
    expect(MAX_REQUEST_MESSAGE_BYTES % 1024).toBe(0);
    const header = readFileSync(join(root, "proto/calculator.proto"), "utf8");
    expect(header).toContain(`${MAX_REQUEST_MESSAGE_BYTES / 1024} KiB limit`);
    expect(document.info.description).toContain(`at most ${MAX_REQUEST_MESSAGE_BYTES} bytes`);
    expect(operation(document, "/v1/calculate", "post").requestBody?.description).toContain(
      `${MAX_REQUEST_MESSAGE_BYTES} bytes`,
    );
  });
});

describe("a changed contract", () => {
  const dir = mkdtempSync(join(tmpdir(), "calculator-proto-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("changes the document: a new field and a new route appear", () => {
    cpSync(join(root, "buf.yaml"), join(dir, "buf.yaml"));
    cpSync(join(root, "proto"), join(dir, "proto"), { recursive: true });
    const file = join(dir, "proto/calculator.proto");
    const proto = readFileSync(file, "utf8")
      .replace(
        "  Operation operation = 3;",
        "  Operation operation = 3;\n  // How many digits to keep.\n  int32 precision = 4;",
      )
      .replace(
        'additional_bindings {post: "/v1/calculate" body: "*"}',
        'additional_bindings {post: "/v2/calculate" body: "*"}',
      );
    writeFileSync(file, proto);
    const out = join(dir, "changed.binpb");
    execFileSync(join(root, "node_modules/.bin/buf"), ["build", "-o", out, "--path", "proto/calculator.proto"], {
      cwd: dir,
    });
    const changed = calculatorOpenApi(readFileSync(out));
    expect(changed.components.schemas["BinaryOperation"]?.properties?.["precision"]).toMatchObject({
      type: "integer",
      description: "How many digits to keep.",
    });
    expect(names(operation(changed, "/v1/calculate", "get").parameters, "query")).toContain("precision");
    expect(operation(changed, "/v2/calculate", "post").requestBody).toBeDefined();
    expect(changed.paths["/v1/calculate"]?.post).toBeUndefined();
    expect(document.components.schemas["BinaryOperation"]?.properties?.["precision"]).toBeUndefined();
  });
});
