// REST as a `curl` user sees it, over HTTP/1.1 and HTTP/2: the REST fixture's routes (every feature
// of google.api.http the engine transcodes), the JSON it answers, errors as google.rpc.Status with the
// HTTP status their code maps to, deadlines, caching, CORS, and bad input — each refused with a clear
// status while the server keeps serving, each call seen once by middleware.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CallError, observeUnary, type CallContext, type Middleware, type RpcServer } from "../src/index.js";
import { MAX_QUERY_BYTES } from "../src/limits.js";
import { httpVersions, type HttpAnswer } from "./raw-http.js";
import { startRestServer } from "./rest-service.js";

/** What the middleware saw of each call: protocol, method path, and the status code it ended with. */
const seen: { protocol: string; path: string; code: number }[] = [];
const recorder: Middleware = {
  unary: (next) => (request, context: CallContext) =>
    observeUnary(
      () => next(request, context),
      () => seen.push({ protocol: context.protocol, path: context.method.path, code: 0 }),
      (error) =>
        seen.push({
          protocol: context.protocol,
          path: context.method.path,
          code: error instanceof CallError ? error.code : 2,
        }),
    ),
};

const MAX_BODY = 2048;
let server: RpcServer;
beforeAll(async () => {
  server = await startRestServer({
    middleware: [recorder],
    limits: { maxReceiveMessageBytes: MAX_BODY },
    corsAllowedOrigins: new Set(["https://app.example"]),
  });
});
afterAll(() => server.shutdown(0));

const json = (answer: HttpAnswer): Record<string, unknown> =>
  JSON.parse(answer.body.toString()) as Record<string, unknown>;
const JSON_BODY = { "content-type": "application/json" };

describe.each(httpVersions)("REST over %s", (_, send) => {
  const get = (path: string, headers: Record<string, string> = {}) =>
    send(server.port, { method: "GET", path, headers });
  const withBody = (method: string, path: string, body: unknown, headers: Record<string, string> = JSON_BODY) =>
    send(server.port, { method, path, headers, body: typeof body === "string" ? body : JSON.stringify(body) });

  /** Expects a google.rpc.Status answer with this HTTP status and code, and returns its message. */
  function status(answer: HttpAnswer, httpStatus: number, code: number): string {
    expect(answer.status, answer.body.toString()).toBe(httpStatus);
    expect(answer.headers["content-type"]).toBe("application/json");
    const body = json(answer);
    expect(body).toMatchObject({ code, details: [] });
    return String(body.message);
  }

  describe("routes", () => {
    it("binds a multi-segment variable, and answers proto3 JSON with lowerCamel names and zero values", async () => {
      const answer = await get("/v1/shelves/s1/books/b2");
      expect(answer.status).toBe(200);
      expect(answer.headers["content-type"]).toBe("application/json");
      expect(json(answer)).toEqual({
        name: "shelves/s1/books/b2",
        shelf: "",
        bookId: "0",
        ids: [],
        shade: "SHADE_UNSPECIFIED",
        exact: false,
        labels: {},
        failWithCode: 0,
        delayMs: 0,
      });
    });

    it("serves additional_bindings, each binding its own fields", async () => {
      expect(json(await get("/v2/shelves/s1/books/7"))).toMatchObject({ name: "", shelf: "s1", bookId: "7" });
    });

    it("reads the query: nested, repeated, enums by name and number, both name styles", async () => {
      const answer = await get(
        "/v2/shelves/s/books/1?filter.author=Ann+Lee&filter.tags=a&filter.tags=b%20c&ids=1&ids=2" +
          "&shade=2&filter.shade=SHADE_LIGHT&exact=true&book.pageCount=3&book.title=T%C3%A9&delayMs=0",
      );
      expect(json(answer)).toMatchObject({
        filter: { author: "Ann Lee", tags: ["a", "b c"], shade: "SHADE_LIGHT" },
        ids: [1, 2],
        shade: "SHADE_DARK",
        exact: true,
        book: { title: "Té", pageCount: 3 },
      });
    });

    it("takes a body field, with the path and query around it", async () => {
      const answer = await withBody("POST", "/v1/shelves/s1/books?exact=true", { title: "Dune", page_count: 412 });
      expect(json(answer)).toMatchObject({ shelf: "s1", exact: true, book: { title: "Dune", pageCount: 412 } });
    });

    it("sets a nested path field inside the body's field; the body may repeat it with the same value", async () => {
      expect(json(await withBody("PATCH", "/v1/shelves/s1/books/b1", { title: "New" }))).toMatchObject({
        book: { name: "shelves/s1/books/b1", title: "New" },
      });
      const same = await withBody("PATCH", "/v1/shelves/s1/books/b1", { name: "shelves/s1/books/b1", title: "x" });
      expect(same.status).toBe(200);
    });

    it("takes body * as every field the path does not bind", async () => {
      const answer = await withBody("PUT", "/v1/shelves/s1/books/9", { book: { title: "T" }, exact: true, ids: [4] });
      expect(json(answer)).toMatchObject({ shelf: "s1", bookId: "9", book: { title: "T" }, exact: true, ids: [4] });
    });

    it("serves DELETE, a custom verb and a custom HTTP method", async () => {
      expect(json(await send(server.port, { method: "DELETE", path: "/v1/shelves/s/books/3" }))).toMatchObject({
        shelf: "s",
        bookId: "3",
      });
      expect(json(await withBody("POST", "/v1/shelves/s/books/b:archive", {}))).toMatchObject({
        name: "shelves/s/books/b",
      });
      expect(json(await withBody("SEARCH", "/v1/books", { author: "Ann", tags: ["x"] }))).toMatchObject({
        filter: { author: "Ann", tags: ["x"] },
      });
    });

    it("answers only the response_body field", async () => {
      const answer = await get("/v1/shelves/s/books/3/title");
      expect(answer.status).toBe(200);
      expect(answer.body.toString()).toBe('"Book 3"');
    });

    it("binds `**` to the rest of the path, zero segments included, %2F kept encoded", async () => {
      expect(json(await get("/v1/files/a/b/c.txt")).name).toBe("a/b/c.txt");
      expect(json(await get("/v1/files/a%2Fb/c%20d")).name).toBe("a%2Fb/c d");
      expect(json(await get("/v1/files")).name).toBe("");
    });

    it("decodes a single-segment variable whole", async () => {
      expect(json(await get("/v2/shelves/a%2Fb%20c/books/1")).shelf).toBe("a/b c");
    });

    it("leaves RPC paths to Connect, and unknown paths their 404", async () => {
      const connect = await withBody("POST", "/fixture.v1.EchoService/Unary", { text: "hi" });
      expect(json(connect)).toEqual({ text: "hi", index: 0 });
      expect((await get("/v1/nothing/here")).status).toBe(404);
      expect((await get("/v1/shelves/s/books/b/")).status).toBe(404);
    });
  });

  describe("calls", () => {
    it("passes through the middleware once, as protocol rest", async () => {
      seen.length = 0;
      await get("/v2/shelves/s/books/1");
      await get("/v2/shelves/s/books/1?nope=1");
      expect(seen).toEqual([
        { protocol: "rest", path: "/fixture.v1.RestService/GetBook", code: 0 },
        { protocol: "rest", path: "/fixture.v1.RestService/GetBook", code: 3 },
      ]);
    });

    it("answers a handler's error as google.rpc.Status with the mapped HTTP status and its details as Anys", async () => {
      const answer = await withBody("PUT", "/v1/shelves/s/books/1", {
        failWithCode: 5,
        name: "n",
        book: { title: "Gone" },
      });
      expect(answer.status).toBe(404);
      expect(json(answer)).toEqual({
        code: 5,
        message: "failing as asked for n",
        details: [{ "@type": "type.googleapis.com/fixture.v1.Book", name: "", title: "Gone", pageCount: 0 }],
      });
      for (const [code, httpStatus] of [
        [1, 499],
        [6, 409],
        [9, 400],
        [10, 409],
        [13, 500],
        [14, 503],
        [16, 401],
      ] as const) {
        const failed = await get(`/v2/shelves/s/books/1?fail_with_code=${code}`);
        expect([failed.status, json(failed).code]).toEqual([httpStatus, code]);
      }
    });

    it("honours grpc-timeout as its deadline (504), and refuses a malformed one", async () => {
      const late = await get("/v2/shelves/s/books/1?delay_ms=5000", { "grpc-timeout": "50m" });
      expect(status(late, 504, 4)).toBe("Deadline exceeded");
      const malformed = await get("/v2/shelves/s/books/1", { "grpc-timeout": "soon" });
      expect(status(malformed, 400, 3)).toBe('invalid grpc-timeout: "soon"');
    });

    it("lets caches keep successful GETs of NO_SIDE_EFFECTS methods, and nothing else", async () => {
      expect((await get("/v2/shelves/s/books/1")).headers["cache-control"]).toBe("public, max-age=300");
      const authorized = await get("/v2/shelves/s/books/1", { authorization: "Bearer t" });
      expect(authorized.headers["cache-control"]).toBe("private, max-age=300");
      expect((await get("/v2/shelves/s/books/1?fail_with_code=14")).headers["cache-control"]).toBeUndefined();
      expect((await get("/v1/shelves/s/books/3/title")).headers["cache-control"]).toBeUndefined();
      const connectGet = await get(
        `/fixture.v1.RestService/GetBook?connect=v1&encoding=json&message=${encodeURIComponent('{"shelf":"s"}')}`,
      );
      expect(connectGet.status).toBe(200);
      expect(connectGet.headers["cache-control"]).toBe("public, max-age=300");
    });

    it("applies CORS: a preflight allows the routes' methods, an answer carries the origin", async () => {
      const preflight = await send(server.port, {
        method: "OPTIONS",
        path: "/v1/shelves/s/books/b",
        headers: { origin: "https://app.example", "access-control-request-method": "PATCH" },
      });
      expect(preflight.status).toBe(204);
      expect(String(preflight.headers["access-control-allow-methods"]).split(", ")).toEqual(
        expect.arrayContaining(["GET", "POST", "PATCH", "PUT", "DELETE", "SEARCH"]),
      );
      const answer = await get("/v2/shelves/s/books/1", { origin: "https://app.example" });
      expect(answer.headers["access-control-allow-origin"]).toBe("https://app.example");
      expect((await get("/v2/shelves/s/books/1", { origin: "https://evil.example" })).status).toBe(403);
    });
  });

  describe("bad input", () => {
    it("refuses a query over the limit with 414", async () => {
      const answer = await get(`/v2/shelves/s/books/1?filter.author=${"a".repeat(MAX_QUERY_BYTES)}`);
      expect(status(answer, 414, 8)).toBe(
        `the query string is ${MAX_QUERY_BYTES + "filter.author=".length} bytes, more than the limit of ${MAX_QUERY_BYTES}`,
      );
    });

    it.each([
      ["?filter.author=%zz", 'malformed query string: "filter.author=%zz" is not valid percent-encoded UTF-8'],
      ["?filter.author=%C0%AE", 'malformed query string: "filter.author=%C0%AE" is not valid percent-encoded UTF-8'],
      ["?=x", 'malformed query string: "=x" has no parameter name'],
      [
        "?colour=red&size=2&colour=blue",
        'unknown query parameters "colour", "size": this route takes name, filter.author',
      ],
      ["?labels.a=b", 'unknown query parameter "labels.a"'],
      ["?exact=true&exact=false", 'query parameter "exact" is given more than once (it is not repeated)'],
      ["?failWithCode=1&fail_with_code=2", 'query parameter "fail_with_code" is given more than once'],
      ["?ids=1&ids=x", "query parameter ids: cannot decode field fixture.v1.BookRequest.ids from JSON: list item #2"],
      [
        "?exact=yes",
        'query parameter exact: cannot decode field fixture.v1.BookRequest.exact from JSON: expected boolean, got "yes"',
      ],
      ["?shade=PURPLE", 'query parameter shade: cannot decode enum fixture.v1.Shade from JSON: "PURPLE"'],
      ["?delay_ms=1.5", "query parameter delay_ms: cannot decode field fixture.v1.BookRequest.delay_ms from JSON"],
    ])("refuses the query %s with 400", async (query, message) => {
      expect(status(await get(`/v2/shelves/s/books/1${query}`), 400, 3)).toContain(message);
    });

    it("refuses a path variable the path's type cannot hold", async () => {
      expect(status(await get("/v2/shelves/s/books/x"), 400, 3)).toContain(
        "path variable {book_id}: cannot decode field fixture.v1.BookRequest.book_id from JSON",
      );
    });

    it.each([
      ["/v2/shelves/../books/1", 'a "." or ".." segment in the path'],
      ["/v2/shelves/%2e%2E/books/1", 'a "." or ".." segment in the path'],
      ["/v2/shelves/..%2F..%2Fetc/books/1", 'a "." or ".." segment in the path'],
      ["/v1/files/a/../../etc/passwd", 'a "." or ".." segment in the path'],
      ["/v1/files/a%2F..%2Fb", 'a "." or ".." segment in the path'],
      ["/v1/files/a/%2e/b", 'a "." or ".." segment in the path'],
      ["/v2/shelves/a%00b/books/1", "control characters in the path"],
      ["/v2/shelves/%zz/books/1", "malformed percent-encoding in the path"],
      ["/v2/shelves/%C0%AE%C0%AE/books/1", "malformed percent-encoding in the path"],
    ])("refuses the path %s with 400", async (path, message) => {
      expect(status(await get(path), 400, 3)).toBe(message);
    });

    it("refuses a body on GET", async () => {
      const answer = await send(server.port, {
        method: "GET",
        path: "/v2/shelves/s/books/1",
        headers: { ...JSON_BODY, "content-length": "2" },
        body: "{}",
      });
      expect(status(answer, 400, 3)).toBe("GET /v2/shelves/{shelf}/books/{book_id} takes no request body");
    });

    it("refuses the wrong HTTP method with 405 and Allow", async () => {
      const answer = await withBody("POST", "/v1/shelves/s/books/b", {});
      expect(status(answer, 405, 12)).toMatch(/^POST is not allowed on "\/v1\/shelves\/s\/books\/b": it takes /);
      expect(String(answer.headers.allow).split(", ").sort()).toEqual(["DELETE", "GET", "PATCH", "PUT"]);
    });

    it("refuses a body that is not JSON: 415 for another type, 400 for bad JSON", async () => {
      const text = await withBody("POST", "/v1/shelves/s/books", "title=Dune", {
        "content-type": "application/x-www-form-urlencoded",
      });
      expect(status(text, 415, 3)).toBe(
        "the request body must be JSON (content-type: application/json), not application/x-www-form-urlencoded",
      );
      expect(status(await withBody("POST", "/v1/shelves/s/books", "{", JSON_BODY), 400, 3)).toContain(
        "cannot decode message",
      );
      expect(status(await withBody("PUT", "/v1/shelves/s/books/1", "[1]"), 400, 3)).toContain("cannot decode message");
      const gzip = await withBody("POST", "/v1/shelves/s/books", "{}", { ...JSON_BODY, "content-encoding": "gzip" });
      expect(status(gzip, 415, 3)).toBe("content-encoding gzip is not supported");
    });

    it("refuses a body over the limit with 413", async () => {
      const answer = await withBody("POST", "/v1/shelves/s/books", { title: "x".repeat(MAX_BODY) });
      expect(status(answer, 413, 8)).toMatch(/is larger than configured readMaxBytes 2048$/);
    });

    it("refuses unknown and duplicate JSON fields", async () => {
      const unknown = await withBody("POST", "/v1/shelves/s/books", { title: "x", colour: "red" });
      expect(status(unknown, 400, 3)).toContain('key "colour" is unknown');
      const twice = await withBody("POST", "/v1/shelves/s/books", '{"title":"a","title":"b"}');
      expect(status(twice, 400, 3)).toContain("title");
      const star = await withBody("PUT", "/v1/shelves/s/books/1?exact=true", {});
      expect(status(star, 400, 3)).toBe('unknown query parameter "exact": this route takes none');
    });

    it("refuses a body that contradicts the path", async () => {
      const answer = await withBody("PATCH", "/v1/shelves/s1/books/b1", { name: "shelves/x/books/y" });
      expect(status(answer, 400, 3)).toBe(
        'book.name is "shelves/s1/books/b1" in the path and "shelves/x/books/y" in the body',
      );
    });

    it("keeps serving after all of it", async () => {
      expect(json(await get("/v2/shelves/s/books/1")).shelf).toBe("s");
    });
  });
});
