import { isIP } from "node:net";
import { type ChannelCredentials, type ChannelOptions, type ClientOptions, credentials } from "@grpc/grpc-js";
import { type CalculatorTarget, parseTarget } from "../core/target.js";
import { type AuthOption, bearerCallCredentials, bearerInterceptor, tokenSourceFor } from "./auth.js";
import { defaultChannelOptions } from "./channel-options.js";
import { openTelemetryInterceptor, type OpenTelemetryOptions } from "./open-telemetry.js";

/** What decides how a channel connects: transport security, trust, auth, raw grpc-js options. */
export interface ConnectionOptions {
  /** Force TLS on or off. Default: off for loopback targets and `http://`, on otherwise. */
  readonly tls?: boolean | undefined;
  /** PEM root certificate(s) to trust instead of the system roots (a private proxy's CA). Implies TLS. */
  readonly rootCertificates?: string | Uint8Array | undefined;
  /** Bearer auth on every call: a token function, or `"google"` for a Google ID token (Cloud Run IAM). */
  readonly auth?: AuthOption | undefined;
  /** The ID token audience for `auth: "google"`. Default: `https://<host>` (the Cloud Run service URL). */
  readonly audience?: string | undefined;
  /** Extra grpc-js channel options, applied over this package's defaults. */
  readonly channelOptions?: ChannelOptions | undefined;
  /**
   * OpenTelemetry, when the application has `@opentelemetry/api`: the active trace context goes with every
   * call; `{ clientSpans: true }` also records a CLIENT span per call. `false` turns both off.
   */
  readonly openTelemetry?: OpenTelemetryOptions | false | undefined;
}

export interface Connection {
  readonly target: CalculatorTarget;
  readonly credentials: ChannelCredentials;
  readonly clientOptions: ClientOptions;
}

/** The ID token audience Cloud Run expects: the service URL, `https://host` (with `:port` only if not 443). */
export function defaultAudience(target: CalculatorTarget): string {
  const host = target.host.includes(":") ? `[${target.host}]` : target.host;
  return `https://${host}${target.port === 443 ? "" : `:${target.port}`}`;
}

/** Resolves a target and options to what a grpc-js client constructor takes. */
export function resolveConnection(target: string, options: ConnectionOptions = {}): Connection {
  const parsed = parseTarget(target, {
    tls: options.tls ?? (options.rootCertificates === undefined ? undefined : true),
  });
  if (!parsed.tls && options.rootCertificates !== undefined) {
    throw new TypeError("rootCertificates needs TLS, but the target or the tls option says plaintext");
  }
  const audience = options.audience ?? defaultAudience(parsed);
  const tokens = options.auth === undefined ? undefined : tokenSourceFor(options.auth, audience);
  const clientOptions: ClientOptions = { ...defaultChannelOptions, ...options.channelOptions };
  const interceptors =
    options.openTelemetry === false ? [] : [openTelemetryInterceptor(parsed, options.openTelemetry ?? {})];

  if (!parsed.tls) {
    if (tokens) interceptors.push(bearerInterceptor(tokens));
    return {
      target: parsed,
      credentials: credentials.createInsecure(),
      clientOptions: { ...clientOptions, interceptors },
    };
  }
  if (isIP(parsed.host) !== 0 && !nodeAllowsIpServerName()) {
    // grpc-js 1.14 always sends the target host as the TLS server name (SNI); Node 26 refuses an IP address
    // there (DEP0123 reached end of life), and every call would fail UNAVAILABLE after its retries.
    throw new TypeError(
      `TLS to an IP address (${parsed.host}) does not work on Node ${process.versions.node} with @grpc/grpc-js: ` +
        "it sends the address as the TLS server name, which Node 26 and later refuse. Use a host name the certificate names.",
    );
  }
  const roots = options.rootCertificates === undefined ? null : Buffer.from(options.rootCertificates);
  const tls = credentials.createSsl(roots);
  return {
    target: parsed,
    credentials: tokens ? credentials.combineChannelCredentials(tls, bearerCallCredentials(tokens)) : tls,
    clientOptions: { ...clientOptions, interceptors },
  };
}

/** Node before 26 accepts an IP address as the TLS server name (with a DEP0123 warning). */
export function nodeAllowsIpServerName(): boolean {
  return Number(process.versions.node.split(".")[0]) < 26;
}
