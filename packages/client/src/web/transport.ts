import { Code, ConnectError, encodeBinaryHeader, type Transport as ConnectTransport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { CalculatorError } from "../core/calculator-error.js";
import type { StatusDetails } from "../core/error-details.js";
import { metadataEntries } from "../core/call-options.js";
import { statusCode } from "../core/status.js";
import { authorization, type TokenSource } from "../core/token.js";
import type { Transport } from "../core/transport.js";
import { resolveBaseUrl } from "./base-url.js";
import { fromProtobufEs, toProtobufEs, type WebMethods } from "./web-methods.js";

/**
 * A wire protocol of the web entry, binary protobuf over `fetch`: {@link connectProtocol} (the default) or
 * {@link grpcWebProtocol}. Values rather than names, so that a bundle carries only the protocol it uses
 * (gRPC-Web costs ≈ 1.2 KB min+gz more).
 */
export interface WebProtocol {
  readonly name: "connect" | "grpc-web";
  readonly createTransport: (options: {
    baseUrl: string;
    useBinaryFormat: boolean;
    useHttpGet: boolean;
    fetch: typeof globalThis.fetch;
  }) => ConnectTransport;
}

/** The Connect protocol (`application/proto`, unary POST): the default. */
export const connectProtocol: WebProtocol = { name: "connect", createTransport: createConnectTransport };

/** gRPC-Web (`application/grpc-web+proto`): for servers and proxies (Envoy) that speak it rather than Connect. */
export const grpcWebProtocol: WebProtocol = { name: "grpc-web", createTransport: createGrpcWebTransport };

/** How the web transport reaches the service. */
export interface FetchTransportOptions {
  /** `connectProtocol` (default) or `grpcWebProtocol`: both unary over HTTP/1.1 or HTTP/2. */
  readonly protocol?: WebProtocol | undefined;
  /** Bearer auth on every call: a function returning a token (`Bearer ` is added unless present). */
  readonly auth?: TokenSource | undefined;
  /** The `fetch` to use (a wrapped or polyfilled one). Default: `globalThis.fetch`. */
  readonly fetch?: typeof globalThis.fetch | undefined;
  /** For `host:port` targets: TLS (`https`) or not; by default plaintext only for loopback hosts. */
  readonly tls?: boolean | undefined;
  /**
   * Connect only: call the methods without side effects (`Calculate`: `idempotency_level = NO_SIDE_EFFECTS` in
   * calculator.proto) with HTTP GET, the request in the URL, so browsers and CDNs may cache the answers
   * (connect-web's `useHttpGet`). Default false: POST. gRPC-Web has no GET and ignores it.
   */
  readonly useHttpGet?: boolean | undefined;
}

/**
 * The web transport: `@connectrpc/connect-web` speaking Connect or gRPC-Web with binary protobuf (the
 * float32 results arrive bit for bit as in Node), calling any unary method by its generated protobuf-es
 * descriptor. `fetch` cannot stream request bodies in browsers, so it has no `bidiStream` and the client
 * makes unary calls instead; connect-web does not retry, so the client runs the retry rule.
 */
export function createFetchTransport(target: string, options: FetchTransportOptions): Transport<WebMethods> {
  const resolved = resolveBaseUrl(target, options.tls);
  const settings = {
    baseUrl: resolved.address,
    useBinaryFormat: true,
    useHttpGet: options.useHttpGet ?? false,
    fetch: unavailableOnNetworkFailure(
      options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      resolved.address,
    ),
  };
  const transport = (options.protocol ?? connectProtocol).createTransport(settings);
  return {
    target: resolved,
    retriesUnavailable: false,
    async unary(method, request, call) {
      const timeoutMs = call.deadline === undefined ? undefined : call.deadline - Date.now();
      // connect-web reads a timeout ≤ 0 as none: a deadline already past ends the call here.
      if (timeoutMs !== undefined && timeoutMs <= 0) {
        throw new CalculatorError(statusCode("DEADLINE_EXCEEDED"), "the deadline passed before the call was sent");
      }
      const headers = new Headers();
      for (const [key, value] of metadataEntries(call.metadata)) {
        headers.append(key, typeof value === "string" ? value : encodeBinaryHeader(value));
      }
      if (options.auth) headers.set("authorization", await authorization(options.auth));
      try {
        const response = await transport.unary(method, call.signal, timeoutMs, headers, toProtobufEs(request));
        return fromProtobufEs(response.message);
      } catch (error) {
        const e = ConnectError.from(error);
        // Connect's codes are gRPC's numbers; rawMessage is the server's message without the code prefix.
        throw new CalculatorError(e.code, e.rawMessage, { cause: error, metadata: e.metadata, ...(await details(e)) });
      }
    },
    close() {}, // fetch keeps no connection of ours to release
  };
}

/**
 * The details connect-web read off the wire (Connect's error JSON, gRPC-Web's `grpc-status-details-bin`: type
 * names and bytes; a detail "made in code" only exists on a server), decoded by a module loaded on the first
 * error that brings any: bundlers split it off, so a page pays for the decoders (0.75 KB min+gz) only once an
 * error brings details, never on the success path. Bundled with the rest, they took the page calling `add` to
 * 1.103× bare connect-web, past the 1.10× budget (test/bundle.test.ts); split off, it weighs 1.098×. Should
 * the module fail to load, the details stay undecoded.
 */
async function details(error: ConnectError): Promise<Partial<StatusDetails>> {
  const statusDetails = error.details.flatMap((detail) => ("type" in detail ? [detail] : []));
  if (statusDetails.length === 0) return {};
  return import("../core/error-details.js").then(
    ({ decodeDetails }) => decodeDetails(statusDetails),
    () => ({ statusDetails }),
  );
}

/**
 * A `fetch` that reports a failure to reach the server (refused, DNS, TLS, CORS, offline: browsers say
 * only "Failed to fetch") as UNAVAILABLE, as gRPC clients report a connection that cannot be made, so the
 * retry rule applies and callers see one code for "the service could not be reached". Aborts (deadline,
 * signal) pass through for connect-web to report.
 */
function unavailableOnNetworkFailure(fetchImpl: typeof globalThis.fetch, baseUrl: string): typeof globalThis.fetch {
  return async (input, init) => {
    try {
      return await fetchImpl(input, init);
    } catch (error) {
      if (init?.signal?.aborted) throw error;
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
      const why = error instanceof Error ? `${error.message}${cause}` : String(error);
      throw new ConnectError(`cannot reach ${baseUrl}: ${why}`, Code.Unavailable, undefined, undefined, error);
    }
  };
}
