/**
 * The values grpc's doc/interop-test-descriptions.md gives its cases, shared by every client here.
 */
import type { RpcServer } from "@grpc-calculator/rpc-server";
import { startInteropServer } from "../src/index.js";
import { expect } from "vitest";
import { PayloadType, type Payload } from "../src/gen/grpc/testing/messages.js";

/** Every case of the descriptions this suite runs (the 14 that need no credentials nor compression). */
export const CASES = [
  "empty_unary",
  "large_unary",
  "client_streaming",
  "server_streaming",
  "ping_pong",
  "empty_stream",
  "cancel_after_begin",
  "cancel_after_first_response",
  "timeout_on_sleeping_server",
  "custom_metadata",
  "status_code_and_message",
  "special_status_message",
  "unimplemented_service",
  "unimplemented_method",
] as const;

export type CaseName = (typeof CASES)[number];

/** `n` bytes of zeros, as the descriptions' payloads are. */
export function zeros(n: number): Payload {
  return { type: PayloadType.COMPRESSABLE, body: Buffer.alloc(n) };
}

/** large_unary and custom_metadata: request and response payload sizes. */
export const LARGE_REQUEST_SIZE = 271828;
export const LARGE_RESPONSE_SIZE = 314159;

/** client_streaming: the request payload sizes and their sum. */
export const CLIENT_STREAMING_SIZES = [27182, 8, 1828, 45904];
export const CLIENT_STREAMING_TOTAL = 74922;

/** server_streaming and ping_pong: the response sizes (ping_pong's requests carry CLIENT_STREAMING_SIZES). */
export const SERVER_STREAMING_SIZES = [31415, 9, 2653, 58979];

/** custom_metadata: what the client sends, and expects back in the initial metadata and trailers. */
export const ECHO_INITIAL_KEY = "x-grpc-test-echo-initial";
export const ECHO_INITIAL_VALUE = "test_initial_metadata_value";
export const ECHO_TRAILING_KEY = "x-grpc-test-echo-trailing-bin";
export const ECHO_TRAILING_VALUE = Buffer.from([0xab, 0xab, 0xab]);

/** status_code_and_message and special_status_message. */
export const STATUS_CODE = 2;
export const STATUS_MESSAGE = "test status message";
export const SPECIAL_STATUS_MESSAGE = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n";

/** The interop server on a free loopback port, as the tests start it. */
export function startTestServer(): Promise<RpcServer> {
  return startInteropServer({ host: "127.0.0.1", port: 0 });
}

/** The payload sizes of responses (-1 for a response without a payload). */
export const sizes = (responses: readonly { payload: Payload | undefined }[]): number[] =>
  responses.map((response) => response.payload?.body.length ?? -1);

/** The golden responses: payloads of `sizes` zero bytes (compared as bytes: a deep equal of 300 KB is slow). */
export function expectZeros(responses: readonly { payload: Payload | undefined }[], expected: readonly number[]): void {
  expect(sizes(responses)).toEqual(expected);
  for (const { payload } of responses) {
    expect(payload?.type).toBe(PayloadType.COMPRESSABLE);
    expect(payload?.body.equals(Buffer.alloc(payload.body.length))).toBe(true);
  }
}
