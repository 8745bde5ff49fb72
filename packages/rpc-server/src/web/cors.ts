/**
 * CORS for browsers calling from other origins, closed by default: `CORS_ALLOWED_ORIGINS` (config.ts)
 * lists the origins admitted, or `*`. The allowed methods and headers, and the response headers
 * exposed to scripts, are connect-es's `cors` constants: what the Connect and gRPC-Web protocols
 * need; the REST routes' methods are allowed too. A request from an origin that is not admitted is refused with 403 before anything runs.
 */
import type { OutgoingHttpHeaders } from "node:http";
import { cors } from "@connectrpc/connect";
import type { HeaderLookup } from "../call-context.js";

/** Origins admitted: a set, or "*" for any. */
export type AllowedOrigins = ReadonlySet<string> | "*";

/** How long a browser may cache a preflight answer: 2 hours (Chromium's cap). */
const PREFLIGHT_MAX_AGE_SECONDS = 7200;

// Added to the protocols' own: `authorization` (the SDK's token auth) and the trace context headers that
// browsers instrumented with OpenTelemetry send.
const ALLOWED_HEADERS = [...cors.allowedHeaders, "authorization", "traceparent", "tracestate"].join(", ");
const EXPOSED_HEADERS = cors.exposedHeaders.join(", ");

export type CorsDecision =
  /** No Origin header: not a cross-origin browser request. */
  | { readonly kind: "none" }
  /** Admitted: add these headers to the response. */
  | { readonly kind: "allowed"; readonly headers: OutgoingHttpHeaders }
  /** A preflight, admitted: answer 204 with these headers, nothing else. */
  | { readonly kind: "preflight"; readonly headers: OutgoingHttpHeaders }
  /** Refused: answer 403. */
  | { readonly kind: "refused"; readonly origin: string };

const NONE: CorsDecision = { kind: "none" };

/** `restMethods`: the HTTP methods of the REST routes (PUT, PATCH, …), allowed besides the protocols' own. */
export function corsPolicy(
  allowed: AllowedOrigins,
  restMethods: readonly string[] = [],
): (method: string, header: HeaderLookup) => CorsDecision {
  const admits = (origin: string) => allowed === "*" || allowed.has(origin);
  const allowedMethods = [...new Set([...cors.allowedMethods, ...restMethods.filter((m) => m !== "*")])].join(", ");
  return (method, header) => {
    const origin = header("origin");
    if (origin === undefined) return NONE;
    if (!admits(origin)) return { kind: "refused", origin };
    const base = { "access-control-allow-origin": origin, vary: "Origin" };
    if (method === "OPTIONS" && header("access-control-request-method") !== undefined) {
      return {
        kind: "preflight",
        headers: {
          ...base,
          "access-control-allow-methods": allowedMethods,
          "access-control-allow-headers": ALLOWED_HEADERS,
          "access-control-max-age": String(PREFLIGHT_MAX_AGE_SECONDS),
        },
      };
    }
    return { kind: "allowed", headers: { ...base, "access-control-expose-headers": EXPOSED_HEADERS } };
  };
}
