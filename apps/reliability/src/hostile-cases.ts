/**
 * The hostile and malformed input cases of issue 7, as a table any suite can run against any target
 * (the bundle as a child process here; the container in the e2e suite). Each case sends its input and
 * checks what the server did against what it must do; `runCase` then checks that 2 + 3 still answers 5.
 */
import { gzipSync } from "node:zlib";
import { status } from "@grpc/grpc-js";
import { BinaryOperation, CalculatorService, Operation } from "@grpc-calculator/proto";
import { encodeFrame, requestBody, requestFrame } from "./grpc-frame.js";
import { calculateRaw, connect, rawCallOnce, rawTcp, type RawOutcome, type Target } from "./raw-client.js";
import { abuseCases } from "./private/abuse-cases.js";
import { webCases } from "./web-cases.js";
import { mulberry32 } from "./private/prng.js";

export type CaseKind = "http" | "grpc-framing" | "protobuf" | "http2-abuse" | "metadata" | "web";

export interface CaseResult {
  /** The server did what the case requires. */
  readonly passed: boolean;
  /** What the server did, in words (for the report and assertion messages). */
  readonly observed: string;
  /** gRPC status codes the case saw (for the report's "statuses seen"). */
  readonly statuses: readonly number[];
}

export interface HostileCase {
  readonly kind: CaseKind;
  readonly name: string;
  /** What the server must do. */
  readonly expected: string;
  readonly run: (target: Target) => Promise<CaseResult>;
}

const calculatePath = CalculatorService.calculate.path;
const statusName = (code: number | undefined): string =>
  code === undefined ? "no grpc-status" : (status[code] ?? `status ${code}`);

export function describe(outcome: RawOutcome): string {
  switch (outcome.kind) {
    case "response": {
      const grpc = `${statusName(outcome.grpcStatus)}${outcome.grpcMessage === "" ? "" : ` "${outcome.grpcMessage}"`}`;
      return `HTTP ${outcome.httpStatus}, ${grpc}, ${outcome.messages.length} message(s)`;
    }
    case "stream-reset":
      return `RST_STREAM code ${outcome.code}`;
    case "connection-error":
      return `connection error ${outcome.code}`;
    case "timeout":
      return "no answer within the timeout (hang)";
  }
}

function statusesOf(outcome: RawOutcome): number[] {
  return outcome.kind === "response" && outcome.grpcStatus !== undefined ? [outcome.grpcStatus] : [];
}

function result(outcome: RawOutcome, passed: boolean): CaseResult {
  return { passed, observed: describe(outcome), statuses: statusesOf(outcome) };
}

/** The float result of an OK unary answer, or undefined. */
function answer(outcome: RawOutcome): number | undefined {
  if (outcome.kind !== "response" || outcome.grpcStatus !== status.OK || outcome.messages.length !== 1)
    return undefined;
  const [message] = outcome.messages;
  return message === undefined ? undefined : decodeResultMessage(message);
}

function decodeResultMessage(message: Buffer): number {
  return CalculatorService.calculate.responseDeserialize(message).result;
}

/** A call that must end with one of `codes` (and, when given, a message containing `mentions`). */
function statusCase(
  kind: CaseKind,
  name: string,
  codes: readonly number[],
  request: Parameters<typeof rawCallOnce>[1],
  mentions?: string,
): HostileCase {
  const expected = `gRPC ${codes.map((c) => statusName(c)).join(" or ")}${mentions === undefined ? "" : ` naming "${mentions}"`}`;
  return {
    kind,
    name,
    expected,
    async run(target) {
      const outcome = await rawCallOnce(target, request);
      const passed =
        outcome.kind === "response" &&
        outcome.grpcStatus !== undefined &&
        codes.includes(outcome.grpcStatus) &&
        (mentions === undefined || outcome.grpcMessage.includes(mentions));
      return result(outcome, passed);
    },
  };
}

/** A call that must answer `value`. */
function answerCase(
  kind: CaseKind,
  name: string,
  value: number,
  request: Parameters<typeof rawCallOnce>[1],
): HostileCase {
  return {
    kind,
    name,
    expected: `OK with result ${value}`,
    async run(target) {
      const outcome = await rawCallOnce(target, request);
      const got = answer(outcome);
      return {
        ...result(outcome, Object.is(got, value)),
        observed: `${describe(outcome)}${got === undefined ? "" : ` = ${got}`}`,
      };
    },
  };
}

/**
 * A byte stream that is not HTTP/2: the port's HTTP/1.1 side answers it (`answer`, e.g. 400 or 415)
 * and closes the connection, or closes it without an answer when `answer` is undefined.
 */
function tcpCase(name: string, bytes: Buffer, answer: number | undefined): HostileCase {
  return {
    kind: "http",
    name,
    expected:
      answer === undefined
        ? "connection closed by the server, no HTTP/1.x response"
        : `HTTP/1.1 ${answer}, then the connection closed`,
    async run(target) {
      const outcome = await rawTcp(target, bytes);
      const statusLine = /^HTTP\/1\.1 (\d{3}) /.exec(outcome.received.toString("latin1"));
      const answered = statusLine === null ? undefined : Number(statusLine[1]);
      return {
        passed: outcome.closed && answered === answer,
        observed: `${outcome.closed ? "closed" : "left open"} after ${outcome.received.length} byte(s)${answered === undefined ? "" : ` (HTTP/1.1 ${answered})`}`,
        statuses: [],
      };
    },
  };
}

// Request bodies derived from the generated codec: the tag bytes are read from real encodings, never restated.
const body23 = requestBody(2, 3, Operation.ADD);
const onlyFirst = Buffer.from(
  BinaryOperation.encode({ firstOperand: 1, secondOperand: 0, operation: Operation.ADD }).finish(),
);
const onlySecond = Buffer.from(
  BinaryOperation.encode({ firstOperand: 0, secondOperand: 1, operation: Operation.ADD }).finish(),
);
const onlyOperation = Buffer.from(
  BinaryOperation.encode({ firstOperand: 0, secondOperand: 0, operation: Operation.SUBTRACT }).finish(),
);
const firstTag = onlyFirst[0] ?? 0;
const secondTag = onlySecond[0] ?? 0;
const operationTag = onlyOperation[0] ?? 0;

/** A body whose operands are the given float32 bit patterns. */
function bitsBody(firstBits: number, secondBits: number, operation: Operation): Buffer {
  const first = Buffer.alloc(4);
  first.writeUInt32LE(firstBits >>> 0);
  const second = Buffer.alloc(4);
  second.writeUInt32LE(secondBits >>> 0);
  const op = Buffer.from(BinaryOperation.encode({ firstOperand: 0, secondOperand: 0, operation }).finish());
  return Buffer.concat([Buffer.from([firstTag]), first, Buffer.from([secondTag]), second, op]);
}

/** A raw operation number, including values outside the enum, encoded as the varint proto3 sends. */
function operationNumberBody(first: number, second: number, operationNumber: number): Buffer {
  const varint: number[] = [];
  let value = BigInt.asUintN(64, BigInt(operationNumber));
  do {
    const low = Number(value & 0x7fn);
    value >>= 7n;
    varint.push(value === 0n ? low : low | 0x80);
  } while (value !== 0n);
  return Buffer.concat([requestBody(first, second, Operation.ADD), Buffer.from([operationTag, ...varint])]);
}

const F32_BITS = {
  NaN: 0x7fc00000,
  signalingNaN: 0x7f800001,
  negativeNaN: 0xffc00001,
  Infinity: 0x7f800000,
  negInfinity: 0xff800000,
};
const TWO = 0x40000000; // 2.0f
const THREE = 0x40400000; // 3.0f

const maxReceiveProbe = 4 * 1024 * 1024 + 1024; // over grpc-js's 4 MiB default and any smaller server limit

export const httpCases: readonly HostileCase[] = [
  statusCase("http", "unknown service", [status.UNIMPLEMENTED], {
    path: "/NoSuchService/Calculate",
    body: encodeFrame(body23),
  }),
  statusCase("http", "unknown method", [status.UNIMPLEMENTED], {
    path: `${calculatePath}Nope`,
    body: encodeFrame(body23),
  }),
  {
    kind: "http",
    name: "gRPC bytes sent as content-type application/json (Connect JSON)",
    expected: "HTTP 400, a Connect invalid_argument error: the bytes are not JSON",
    async run(target) {
      const outcome = await rawCallOnce(target, {
        headers: { "content-type": "application/json" },
        body: encodeFrame(body23),
      });
      return result(outcome, outcome.kind === "response" && outcome.httpStatus === 400);
    },
  },
  {
    kind: "http",
    name: "content-type missing",
    expected: "HTTP 415 Unsupported Media Type",
    async run(target) {
      const outcome = await rawCallOnce(target, {
        replaceHeaders: true,
        headers: { ":method": "POST", ":path": calculatePath, te: "trailers" },
        body: encodeFrame(body23),
      });
      return result(outcome, outcome.kind === "response" && outcome.httpStatus === 415);
    },
  },
  // Served by the fast path, which does not require `te: trailers` (grpc-js does not either).
  answerCase("http", "te: trailers missing", 5, {
    replaceHeaders: true,
    headers: { ":method": "POST", ":path": calculatePath, "content-type": "application/grpc" },
    body: encodeFrame(body23),
  }),
  // Not a plain call (the fast path takes POST only): grpc-js serves it, ignores the method and finds no
  // request message.
  statusCase(
    "http",
    "GET instead of POST",
    [status.UNIMPLEMENTED],
    { headers: { ":method": "GET" } },
    "no request message",
  ),
  tcpCase(
    "gRPC over HTTP/1.1 (gRPC needs HTTP/2)",
    Buffer.concat([
      Buffer.from(
        `POST ${calculatePath} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/grpc\r\nConnection: close\r\nContent-Length: ${body23.length + 5}\r\n\r\n`,
        "latin1",
      ),
      encodeFrame(body23),
    ]),
    415,
  ),
  tcpCase("random bytes instead of a request", Buffer.from(Array.from({ length: 256 }, mulberry32(0x5eed))), 400),
  tcpCase(
    "HTTP/2 preface then garbage frames",
    Buffer.concat([Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), Buffer.alloc(64, 0xff)]),
    undefined,
  ),
];

// Plain calls (no grpc-encoding) are served by the fast path (packages/server/src/fast-path.ts): a request
// ending inside a message is INTERNAL, a unary call with no message or two is UNIMPLEMENTED (gRPC's status
// guide), a compressed flag without grpc-encoding is INTERNAL. Calls with a grpc-encoding go to grpc-js.
export const framingCases: readonly HostileCase[] = [
  statusCase(
    "grpc-framing",
    "length prefix larger than the body",
    [status.INTERNAL],
    { body: encodeFrame(body23, { declaredLength: body23.length + 100 }) },
    "ended inside a message",
  ),
  statusCase(
    "grpc-framing",
    "truncated length prefix",
    [status.INTERNAL],
    { body: Buffer.from([0, 0, 0]) },
    "ended inside a message",
  ),
  statusCase("grpc-framing", "no message on a unary call", [status.UNIMPLEMENTED], { body: [] }, "no request message"),
  statusCase(
    "grpc-framing",
    "two messages on a unary call",
    [status.UNIMPLEMENTED],
    { body: [encodeFrame(body23), encodeFrame(body23)] },
    "second request message",
  ),
  answerCase("grpc-framing", "empty message (all defaults: 0 + 0)", 0, { body: encodeFrame(Buffer.alloc(0)) }),
  statusCase(
    "grpc-framing",
    "compressed flag with no grpc-encoding",
    [status.INTERNAL],
    { body: encodeFrame(body23, { compressed: true }) },
    "compressed message without grpc-encoding",
  ),
  // grpc-js from here on (a grpc-encoding header).
  statusCase(
    "grpc-framing",
    "unknown grpc-encoding",
    [status.UNIMPLEMENTED],
    { headers: { "grpc-encoding": "brotli-nope" }, body: encodeFrame(body23, { compressed: true }) },
    "brotli-nope",
  ),
  answerCase("grpc-framing", "gzip-compressed message", 5, {
    headers: { "grpc-encoding": "gzip" },
    body: encodeFrame(gzipSync(body23), { compressed: true }),
  }),
  statusCase("grpc-framing", "gzip bomb (16 MiB of zeros)", [status.RESOURCE_EXHAUSTED], {
    headers: { "grpc-encoding": "gzip" },
    body: encodeFrame(gzipSync(Buffer.concat([body23, Buffer.alloc(16 * 1024 * 1024)])), { compressed: true }),
  }),
  statusCase("grpc-framing", "declared length 2 GiB", [status.RESOURCE_EXHAUSTED], {
    body: encodeFrame(body23, { declaredLength: 0x7fffffff }),
  }),
  statusCase("grpc-framing", "message over the max receive size", [status.RESOURCE_EXHAUSTED], {
    body: encodeFrame(Buffer.concat([body23, Buffer.alloc(maxReceiveProbe)])),
    timeoutMs: 10_000,
  }),
];

export const protobufCases: readonly HostileCase[] = [
  statusCase("protobuf", "truncated varint", [status.INTERNAL], {
    body: encodeFrame(Buffer.concat([body23, Buffer.from([operationTag, 0x80])])),
  }),
  answerCase("protobuf", "wrong wire type for first_operand (varint): skipped as unknown, 0 + 3", 3, {
    body: encodeFrame(Buffer.concat([Buffer.from([firstTag & ~7, 2]), requestBody(0, 3, Operation.ADD)])),
  }),
  statusCase("protobuf", "length-delimited field claiming 4 GiB", [status.INTERNAL], {
    body: encodeFrame(Buffer.concat([body23, Buffer.from([(15 << 3) | 2, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3])])),
  }),
  answerCase("protobuf", "unknown fields are ignored", 5, {
    body: encodeFrame(
      Buffer.concat([
        Buffer.from([(9 << 3) | 0, 0x96, 0x01, (10 << 3) | 2, 3, 0x61, 0x62, 0x63, (11 << 3) | 5, 1, 2, 3, 4]),
        body23,
      ]),
    ),
  }),
  statusCase(
    "protobuf",
    "operation 7 (outside the enum)",
    [status.INVALID_ARGUMENT],
    { body: encodeFrame(operationNumberBody(2, 3, 7)) },
    "7",
  ),
  statusCase(
    "protobuf",
    "operation -1",
    [status.INVALID_ARGUMENT],
    { body: encodeFrame(operationNumberBody(2, 3, -1)) },
    "-1",
  ),
  statusCase(
    "protobuf",
    "operation 2147483647",
    [status.INVALID_ARGUMENT],
    { body: encodeFrame(operationNumberBody(2, 3, 2147483647)) },
    "2147483647",
  ),
  ...Object.entries(F32_BITS).flatMap(([name, bits]) => [
    statusCase("protobuf", `first operand ${name} (0x${bits.toString(16)})`, [status.INVALID_ARGUMENT], {
      body: encodeFrame(bitsBody(bits, THREE, Operation.ADD)),
    }),
    statusCase("protobuf", `second operand ${name} (0x${bits.toString(16)})`, [status.INVALID_ARGUMENT], {
      body: encodeFrame(bitsBody(TWO, bits, Operation.MULTIPLY)),
    }),
  ]),
  statusCase("protobuf", "3e38 + 3e38 overflows float32", [status.OUT_OF_RANGE], {
    body: requestFrame(3e38, 3e38, Operation.ADD),
  }),
  statusCase("protobuf", "divide by -0", [status.INVALID_ARGUMENT], {
    body: encodeFrame(bitsBody(TWO, 0x80000000, Operation.DIVIDE)),
  }),
];

const timeoutRequest = (value: string) => ({ headers: { "grpc-timeout": value }, body: encodeFrame(body23) });
/** A grpc-timeout with which the call is answered (the fast path takes a well-formed one). */
const answeredTimeoutCase = (value: string): HostileCase =>
  answerCase("metadata", `grpc-timeout ${JSON.stringify(value)}`, 5, timeoutRequest(value));
/** A malformed grpc-timeout: the fast path declines the call, grpc-js refuses it. */
const invalidTimeoutCase = (value: string): HostileCase =>
  statusCase(
    "metadata",
    `grpc-timeout ${JSON.stringify(value)}`,
    [status.INTERNAL],
    timeoutRequest(value),
    "Invalid grpc-timeout value",
  );

export const metadataCases: readonly HostileCase[] = [
  {
    kind: "metadata",
    name: "oversized header (one 256 KiB value)",
    expected: "refused (HTTP 431, RST_STREAM, GOAWAY or a gRPC error), never a result",
    async run(target) {
      const outcome = await rawCallOnce(
        target,
        { headers: { "x-oversized": "a".repeat(256 * 1024) }, body: encodeFrame(body23) },
        {
          maxSendHeaderBlockLength: 1 << 20,
        },
      );
      return result(outcome, answer(outcome) === undefined && outcome.kind !== "timeout");
    },
  },
  {
    kind: "metadata",
    name: "10 000 header fields",
    expected: "refused (HTTP 431, RST_STREAM, GOAWAY or a gRPC error), never a result",
    async run(target) {
      const headers = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`x-h${i}`, "v"]));
      const outcome = await rawCallOnce(
        target,
        { headers, body: encodeFrame(body23) },
        { maxSendHeaderBlockLength: 1 << 20 },
      );
      return result(outcome, answer(outcome) === undefined && outcome.kind !== "timeout");
    },
  },
  ...["abc", "", "S", "1", "123456789", "-"].map(invalidTimeoutCase),
  // Malformed for the fast path, but grpc-js's unanchored pattern reads "5S" out of it: a 5 s deadline.
  answeredTimeoutCase("1.5S"),
  // The fast path reads the request that came with the headers before its 1 ms timer can run (the
  // deadline itself is tested in test/deadlines.test.ts).
  answeredTimeoutCase("1n"),
  answeredTimeoutCase("99999999S"),
  answeredTimeoutCase("1000H"),
  // The fast path does not decode metadata it does not use.
  answerCase("metadata", "binary metadata with invalid base64", 5, {
    headers: { "x-junk-bin": "!!!not base64!!!" },
    body: encodeFrame(body23),
  }),
];

/** Every case, in the order a suite should run them (the connection-heavy abuse cases last). */
export const hostileCases: readonly HostileCase[] = [
  ...webCases,
  ...httpCases,
  ...framingCases,
  ...protobufCases,
  ...metadataCases,
  ...abuseCases,
];

export interface CaseRun extends CaseResult {
  readonly kind: CaseKind;
  readonly name: string;
  readonly expected: string;
  /** 2 + 3 answered 5 on a fresh connection after the case. */
  readonly healthyAfter: boolean;
  readonly ms: number;
}

/** Runs one case, then checks that 2 + 3 still answers 5 on a fresh connection. */
export async function runCase(target: Target, hostile: HostileCase): Promise<CaseRun> {
  const started = Date.now();
  const outcome = await hostile.run(target);
  let healthyAfter = false;
  try {
    const session = await connect(target);
    try {
      healthyAfter = (await calculateRaw(session, 2, 3, Operation.ADD)) === 5;
    } finally {
      session.destroy();
    }
  } catch {
    healthyAfter = false;
  }
  return {
    kind: hostile.kind,
    name: hostile.name,
    expected: hostile.expected,
    ...outcome,
    healthyAfter,
    ms: Date.now() - started,
  };
}
