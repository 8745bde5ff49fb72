// google.api.http rules as the engine reads them at start: path templates per http.proto's grammar,
// the bindings of the REST fixture's methods, which request fields each takes from path, body and
// query, and the contract mistakes that must stop the server with a message naming the method.
import {
  create,
  createFileRegistry,
  fromBinary,
  fromJson,
  setExtension,
  type DescMethod,
  type JsonObject,
} from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema, MethodOptionsSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { bindingFields, httpBindings, type HttpBinding } from "../src/protocol-rest/http-rule.js";
import { parsePathTemplate } from "../src/protocol-rest/path-template.js";
import { fixtureDescriptorSet } from "./gen/descriptor-set.js";

const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, fixtureDescriptorSet));
const restService = registry.getService("fixture.v1.RestService");
if (restService === undefined) throw new Error("the fixture has no RestService: run `pnpm generate`");

function method(name: string): DescMethod {
  const found = restService?.methods.find((m) => m.name === name);
  if (found === undefined) throw new Error(`no method ${name}`);
  return found;
}

function only(bindings: HttpBinding[], index = 0): HttpBinding {
  const binding = bindings[index];
  if (binding === undefined) throw new Error(`no binding ${index}`);
  return binding;
}

describe("path templates", () => {
  it("parses literals, variables with their segments, wildcards and a verb", () => {
    expect(parsePathTemplate("/v1/{name=shelves/*/books/*}:archive")).toEqual({
      pattern: "/v1/{name=shelves/*/books/*}:archive",
      segments: [
        { kind: "literal", value: "v1" },
        { kind: "literal", value: "shelves" },
        { kind: "wildcard" },
        { kind: "literal", value: "books" },
        { kind: "wildcard" },
      ],
      variables: [{ fieldPath: ["name"], start: 1, end: 5, multiSegment: true }],
      verb: "archive",
    });
    expect(parsePathTemplate("/v1/shelves/{shelf}/books/{book.id=*}")).toMatchObject({
      segments: [
        { kind: "literal", value: "v1" },
        { kind: "literal", value: "shelves" },
        { kind: "wildcard" },
        { kind: "literal", value: "books" },
        { kind: "wildcard" },
      ],
      variables: [
        { fieldPath: ["shelf"], start: 2, end: 3, multiSegment: false },
        { fieldPath: ["book", "id"], start: 4, end: 5, multiSegment: false },
      ],
      verb: undefined,
    });
    expect(parsePathTemplate("/v1/files/{name=**}").variables).toEqual([
      { fieldPath: ["name"], start: 2, end: 3, multiSegment: true },
    ]);
    expect(parsePathTemplate("/v1/*/**:do").segments).toEqual([
      { kind: "literal", value: "v1" },
      { kind: "wildcard" },
      { kind: "multi-wildcard" },
    ]);
  });

  it.each([
    ["v1/books", 'it must start with "/"'],
    ["/", "an empty segment"],
    ["/v1/", "an empty segment"],
    ["/v1//books", "an empty segment"],
    ["/v1/**/books", '"**" must be the last segment'],
    ["/v1/{name=**}/books", '"**" must be the last segment'],
    ["/v1/{name=shelves/{shelf}}", "a variable must not contain another variable"],
    ["/v1/{name", "the variable {name is not closed"],
    ["/v1/{name=shelves/*", "the variable {name is not closed"],
    ["/v1/{book.}", '"book." is not a field path'],
    ["/v1/{9lives}", '"9lives" is not a field path'],
    ["/v1/{a}/{a}", "the field a is bound twice"],
    ["/v1/books:", '"" is not a valid verb'],
    ["/v1/books:do:it", '"do:it" is not a valid verb'],
    ["/v1/bad book", '"bad book" is not a valid literal segment'],
    ["/v1/%zz", '"%zz" is not a valid literal segment'],
    ["/v1/a{b}", 'unexpected "{"'],
  ])("refuses %s: %s", (pattern, reason) => {
    expect(() => parsePathTemplate(pattern)).toThrow(`invalid google.api.http path template "${pattern}": ${reason}`);
  });
});

describe("the fixture's bindings", () => {
  it("reads each rule and its additional_bindings, and nothing for methods without one", () => {
    const routes = (name: string) =>
      httpBindings(method(name), registry).map((b) => `${b.httpMethod} ${b.template.pattern}`);
    expect(routes("GetBook")).toEqual(["GET /v1/{name=shelves/*/books/*}", "GET /v2/shelves/{shelf}/books/{book_id}"]);
    expect(routes("Search")).toEqual(["SEARCH /v1/books"]);
    expect(routes("ArchiveBook")).toEqual(["POST /v1/{name=shelves/*/books/*}:archive"]);
    expect(routes("Watch")).toEqual([]);
    const echo = registry.getService("fixture.v1.EchoService");
    expect(echo?.methods.flatMap((m) => httpBindings(m, registry))).toEqual([]);
  });

  it("takes the path's fields from the path and every other leaf from the query", () => {
    const fields = bindingFields(only(httpBindings(method("GetBook"), registry)));
    expect(fields.path.map((p) => p.fields.map((f) => f.name))).toEqual([["name"]]);
    expect(fields.body).toEqual({ kind: "none" });
    expect(fields.responseBody).toBeUndefined();
    expect(fields.query.map((q) => [q.name, q.jsonName, q.repeated])).toEqual([
      ["shelf", "shelf", false],
      ["book_id", "bookId", false],
      ["filter.author", "filter.author", false],
      ["filter.tags", "filter.tags", true],
      ["filter.shade", "filter.shade", false],
      ["ids", "ids", true],
      ["shade", "shade", false],
      ["book.name", "book.name", false],
      ["book.title", "book.title", false],
      ["book.page_count", "book.pageCount", false],
      ["exact", "exact", false],
      ["fail_with_code", "failWithCode", false],
      ["delay_ms", "delayMs", false],
    ]);
  });

  it("leaves the body's field out of the query, and offers no query with body *", () => {
    const update = bindingFields(only(httpBindings(method("UpdateBook"), registry)));
    expect(update.path.map((p) => p.fields.map((f) => f.name))).toEqual([["book", "name"]]);
    expect(update.body).toMatchObject({ kind: "field", field: { name: "book" } });
    expect(update.query.map((q) => q.name)).not.toContain("book.title");
    expect(update.query.map((q) => q.name)).toContain("shelf");

    const replace = bindingFields(only(httpBindings(method("ReplaceBook"), registry)));
    expect(replace.body).toEqual({ kind: "all" });
    expect(replace.query).toEqual([]);
  });

  it("names the response field of response_body", () => {
    const fields = bindingFields(only(httpBindings(method("GetTitle"), registry)));
    expect(fields.responseBody?.name).toBe("title");
  });
});

/** A method `case.Case.Call` with `rule` (an HttpRule in JSON) as its google.api.http option, read back through a registry. */
function methodWithRule(rule: JsonObject, kind: "unary" | "server_streaming" = "unary"): DescMethod {
  const extension = registry.getExtension("google.api.http");
  if (extension === undefined || extension.fieldKind !== "message") throw new Error("no google.api.http");
  const options = create(MethodOptionsSchema);
  setExtension(options, extension, fromJson(extension.message, rule));
  const file = create(FileDescriptorProtoSchema, {
    name: "case.proto",
    package: "case",
    syntax: "proto3",
    dependency: ["google/api/annotations.proto", "rest.proto"],
    service: [
      {
        name: "Case",
        method: [
          {
            name: "Call",
            inputType: ".fixture.v1.BookRequest",
            outputType: ".fixture.v1.Book",
            serverStreaming: kind === "server_streaming",
            options,
          },
        ],
      },
    ],
  });
  const withCase = createFileRegistry(file, (name) => registry.getFile(name));
  const found = withCase.getService("case.Case")?.methods[0];
  if (found === undefined) throw new Error("no case method");
  return found;
}

describe("rules the engine refuses at start", () => {
  it.each([
    [{ get: "/v1/books", body: "*" }, 'GET /v1/books has a body ("*"): GET requests carry none'],
    [{ delete: "/v1/books", body: "book" }, 'DELETE /v1/books has a body ("book"): DELETE requests carry none'],
    [
      { post: "/v1/books", body: "volume" },
      'POST /v1/books: body "volume" is not a top-level field of fixture.v1.BookRequest',
    ],
    [
      { post: "/v1/books", body: "book.title" },
      'POST /v1/books: body "book.title" is not a top-level field of fixture.v1.BookRequest',
    ],
    [
      { get: "/v1/books", responseBody: "text" },
      'GET /v1/books: response_body "text" is not a top-level field of fixture.v1.Book',
    ],
    [{ get: "/v1/{volume}" }, "GET /v1/{volume}: fixture.v1.BookRequest has no field volume"],
    [{ get: "/v1/{book}" }, "GET /v1/{book}: the path variable {book} must name a singular scalar or enum field"],
    [{ get: "/v1/{ids}" }, "GET /v1/{ids}: the path variable {ids} must name a singular scalar or enum field"],
    [{ get: "/v1/{labels}" }, "GET /v1/{labels}: the path variable {labels} must name a singular scalar or enum field"],
    [{ get: "/v1/{shelf.name}" }, "GET /v1/{shelf.name}: shelf.name must go through singular message fields"],
    [{ get: "/v1/books/" }, 'invalid google.api.http path template "/v1/books/": an empty segment'],
    [{ custom: { kind: "", path: "/v1/books" } }, "a custom pattern needs a kind"],
    [{ body: "*" }, "no pattern (get, put, post, delete, patch or custom) is set"],
    [
      { get: "/v1/books", additionalBindings: [{ get: "/v2/books", additionalBindings: [{ get: "/v3/books" }] }] },
      "additional_bindings must not have additional_bindings of their own",
    ],
  ])("%j: %s", (rule, reason) => {
    expect(() => httpBindings(methodWithRule(rule), registry)).toThrow(
      `invalid google.api.http rule on case.Case.Call: ${reason}`,
    );
  });

  it("refuses a rule on a streaming method", () => {
    expect(() => httpBindings(methodWithRule({ get: "/v1/books" }, "server_streaming"), registry)).toThrow(
      "invalid google.api.http rule on case.Case.Call: a server_streaming method cannot be transcoded: only unary methods can",
    );
  });

  it("accepts a valid rule given the same way (the helper builds what it claims)", () => {
    const bindings = httpBindings(
      methodWithRule({ get: "/v1/{shelf}", additionalBindings: [{ post: "/v1/x", body: "*" }] }),
      registry,
    );
    expect(bindings.map((b) => `${b.httpMethod} ${b.template.pattern} ${b.body}`)).toEqual([
      "GET /v1/{shelf} ",
      "POST /v1/x *",
    ]);
  });
});
