// An error's details (google.rpc.Status's) on the wire, read from raw HTTP/2 answers: every protocol
// carries them where its spec puts them (gRPC and gRPC-Web `grpc-status-details-bin`, Connect's error
// JSON `details`), on the direct paths and the libraries' (grpc-js, connect-es), in a Trailers-Only
// answer and after messages; an error without details carries no trace of them (no header, no field),
// so it costs what it did before details existed. The clients' view is call-kinds.test.ts's table.
import type { IncomingHttpHeaders } from "node:http2";
import { createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { ConnectError } from "@connectrpc/connect";
import { findTrailerError } from "@connectrpc/connect/protocol-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CallError, Code, type RpcServer } from "../src/index.js";
import { fromConnectError, toConnectError } from "../src/web/connect-errors.js";
import { echoRequest, failureDetail, startEchoServer } from "./fixture-service.js";
import { fixtureDescriptorSet } from "./gen/descriptor-set.js";
import { EchoRequest, FailureDetail } from "./gen/fixture.js";
import { envelope, frames, GRPC_HEADERS, http2Post } from "./raw-http.js";

interface WireStatus {
  readonly code: number | string;
  readonly message: string;
  /** The details' types and reasons; undefined when the answer has no details header or field at all. */
  readonly details: readonly { type: string; reason: string }[] | undefined;
}

const reasonOf = (value: Uint8Array) => FailureDetail.decode(value).reason;

/** `grpc-status-details-bin` of a header block, read with connect-es's gRPC decoder (not the engine's encoder). */
function statusDetails(headers: Record<string, string | string[] | undefined>): WireStatus["details"] {
  const value = headers["grpc-status-details-bin"];
  if (value === undefined) return undefined;
  const error = findTrailerError(new Headers({ "grpc-status-details-bin": String(value) }));
  return (error?.details ?? []).map((detail) => {
    if (!("type" in detail)) throw new Error("connect-es read a detail it did not decode");
    return { type: detail.type, reason: reasonOf(detail.value) };
  });
}

function grpcStatus(headers: IncomingHttpHeaders | Record<string, string>): WireStatus {
  return {
    code: Number(headers["grpc-status"]),
    message: decodeURIComponent(String(headers["grpc-message"])),
    details: statusDetails(headers),
  };
}

interface ConnectErrorJson {
  code: string;
  message: string;
  details?: { type: string; value: string }[];
}

function connectStatus(error: ConnectErrorJson): WireStatus {
  return {
    code: error.code,
    message: error.message,
    details: error.details?.map(({ type, value }) => ({ type, reason: reasonOf(Buffer.from(value, "base64")) })),
  };
}

const protoBody = (request: EchoRequest) => envelope(EchoRequest.encode(request).finish());

/** A POST of `body` to the fixture's `method`, as `contentType`. */
const post = (port: number, method: string, contentType: string, body: Uint8Array) =>
  http2Post(port, `/fixture.v1.EchoService/${method}`, { "content-type": contentType }, body);

/** Each protocol's way to make a call fail with `request`'s failure, and the status it reads off the wire. */
const protocols: readonly {
  readonly name: string;
  readonly call: (port: number, request: EchoRequest) => Promise<WireStatus>;
}[] = [
  {
    name: "gRPC unary (Trailers-Only: the status in the headers)",
    async call(port, request) {
      const answer = await http2Post(port, "/fixture.v1.EchoService/Unary", GRPC_HEADERS, protoBody(request));
      expect(answer.trailers["grpc-status"]).toBeUndefined();
      return grpcStatus(answer.headers);
    },
  },
  {
    name: "gRPC server streaming, after a message (the status in the trailers)",
    async call(port, request) {
      const body = protoBody({ ...request, repeat: 1 });
      const answer = await http2Post(port, "/fixture.v1.EchoService/ServerStream", GRPC_HEADERS, body);
      expect(frames(answer.body).messages).toHaveLength(1);
      return grpcStatus(answer.trailers);
    },
  },
  {
    name: "Connect unary, JSON",
    async call(port, request) {
      // The request's fields by their JSON names (ts-proto names them alike).
      const body = Buffer.from(JSON.stringify(request));
      const answer = await post(port, "Unary", "application/json", body);
      return connectStatus(JSON.parse(answer.body.toString()) as ConnectErrorJson);
    },
  },
  {
    name: "Connect server streaming, proto (the end-stream message)",
    async call(port, request) {
      const answer = await post(port, "ServerStream", "application/connect+proto", protoBody(request));
      expect(answer.body[0]).toBe(2); // the end-stream flag
      return connectStatus((JSON.parse(answer.body.subarray(5).toString()) as { error: ConnectErrorJson }).error);
    },
  },
  {
    name: "gRPC-Web unary (the trailer frame)",
    async call(port, request) {
      const answer = await post(port, "Unary", "application/grpc-web+proto", protoBody(request));
      const { trailer } = frames(answer.body);
      if (trailer === undefined) throw new Error("no trailer frame");
      return grpcStatus(trailer);
    },
  },
];

const failing = (failDetails: string[]) =>
  echoRequest({ text: "refused: 50% ünïcode", failWithCode: Code.FAILED_PRECONDITION, failDetails });

describe.each([
  ["direct paths", true],
  ["grpc-js and connect-es (directPath: false)", false],
])("an error's details on the wire, %s", (_, directPath) => {
  let server: RpcServer;
  beforeAll(async () => {
    server = await startEchoServer({ directPath });
  });
  afterAll(() => server.shutdown(1000));

  it.each(protocols)("$name: the details, in order; none at all for an error without", async ({ call }) => {
    const withDetails = await call(server.port, failing(["first ünïcode", "second"]));
    expect(withDetails.message).toBe("refused: 50% ünïcode");
    expect(withDetails.details).toEqual([
      { type: "fixture.v1.FailureDetail", reason: "first ünïcode" },
      { type: "fixture.v1.FailureDetail", reason: "second" },
    ]);
    expect(await call(server.port, failing([]))).toEqual({ ...withDetails, details: undefined });
  });
});

describe("CallError and connect-es's ConnectError, one as the other", () => {
  it("keep the details both ways: read off the wire (type and bytes), or made in code (a schema and a message)", () => {
    const error = new CallError(Code.ABORTED, "m", [failureDetail("a"), failureDetail("b")]);
    const connectError = toConnectError(error);
    expect(connectError.details).toEqual(error.details);
    expect(fromConnectError(connectError)).toEqual(error);

    const desc = createFileRegistry(fromBinary(FileDescriptorSetSchema, fixtureDescriptorSet)).getMessage(
      "fixture.v1.FailureDetail",
    );
    if (desc === undefined) throw new Error("no FailureDetail in the fixture's descriptor set");
    const made = new ConnectError("m", Code.ABORTED as number, undefined, [{ desc, value: { reason: "a" } }]);
    expect(fromConnectError(made).details).toEqual([failureDetail("a")]);
  });
});
