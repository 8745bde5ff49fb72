/**
 * Where a client connects and whether it uses TLS, from the target string a user writes.
 *
 * | target                      | host          | port                 | TLS by default          |
 * | --------------------------- | ------------- | -------------------- | ----------------------- |
 * | `host:port`                 | host          | port                 | no for loopback, else yes |
 * | `host`                      | host          | 443 (50051 loopback) | no for loopback, else yes |
 * | `dns:///host:port`          | host          | port (443 if absent) | no for loopback, else yes |
 * | `https://host[:port]`       | host          | port, else 443       | yes (always)            |
 * | `http://host[:port]`        | host          | port, else 80        | no (always)             |
 *
 * Loopback hosts are `localhost` (and `*.localhost`), `127.0.0.0/8` and `::1` (written `[::1]`).
 * `tls` forces either way, except against an explicit `https://` or `http://` scheme, which is an error.
 */
export interface CalculatorTarget {
  /** Host name or IP address, without brackets for IPv6. */
  readonly host: string;
  readonly port: number;
  /** Whether the channel uses TLS. */
  readonly tls: boolean;
  /** The target string handed to grpc-js (`dns:///host:port`, `ipv4:` / `ipv6:` for literal addresses). */
  readonly address: string;
}

export interface ParseTargetOptions {
  /** Force TLS on (`true`) or off (`false`); by default it follows the scheme, then loopback or not. */
  readonly tls?: boolean | undefined;
}

/** The port of the classic calculator server and of `calculator`'s default target. */
export const DEFAULT_PLAINTEXT_PORT = 50051;

/** Parses a target; throws a `TypeError` naming the target when it cannot be used. */
export function parseTarget(target: string, options: ParseTargetOptions = {}): CalculatorTarget {
  const fail = (why: string): never => {
    throw new TypeError(`invalid target ${JSON.stringify(target)}: ${why}`);
  };
  const trimmed = target.trim();
  if (trimmed === "") fail("it is empty");

  let scheme: "https" | "http" | undefined;
  let rest = trimmed;
  const schemeMatch = /^([a-z][a-z0-9+.-]*):(.*)$/i.exec(trimmed);
  // "localhost:50051" also matches the scheme pattern; a scheme is only a known word followed by its form.
  if (schemeMatch && /^(https?|dns)$/i.test(schemeMatch[1] ?? "")) {
    const name = (schemeMatch[1] ?? "").toLowerCase();
    const after = schemeMatch[2] ?? "";
    if (name === "dns") {
      if (!after.startsWith("///")) fail('use "dns:///host:port" (a DNS server authority is not supported)');
      rest = after.slice(3);
    } else {
      if (!after.startsWith("//")) fail(`use "${name}://host[:port]"`);
      scheme = name as "https" | "http";
      rest = after.slice(2).replace(/\/$/, "");
      if (rest.includes("/")) fail("gRPC targets have no path");
    }
  }
  if (rest.includes("/") || rest.includes("@") || rest.includes("?") || rest.includes("#")) {
    fail("expected host[:port]");
  }

  const { host, port: givenPort } = splitHostPort(rest, fail);
  if (host === "") fail("the host is empty");

  if (options.tls !== undefined && scheme !== undefined && options.tls !== (scheme === "https")) {
    fail(`the ${scheme}:// scheme contradicts tls: ${String(options.tls)}`);
  }
  const { tls, port: defaultPort } =
    scheme === undefined
      ? schemelessDefaults(host, options.tls)
      : { tls: scheme === "https", port: scheme === "https" ? 443 : 80 };
  const port = givenPort ?? defaultPort;

  return { host, port, tls, address: grpcAddress(host, port) };
}

/**
 * TLS and default port of a target written without a scheme, in every runtime: plaintext on port 50051
 * for loopback hosts, TLS on 443 for the rest; `tls` forces either way (a forced-TLS loopback host gets 443).
 */
export function schemelessDefaults(host: string, tls: boolean | undefined): { tls: boolean; port: number } {
  const loopback = isLoopbackHost(host);
  const secure = tls ?? !loopback;
  return { tls: secure, port: loopback && !secure ? DEFAULT_PLAINTEXT_PORT : 443 };
}

/** Whether a host name or address is this machine: `localhost`, `*.localhost`, `127.0.0.0/8`, `::1`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, "");
  return h === "localhost" || h.endsWith(".localhost") || /^127(\.\d{1,3}){3}$/.test(h) || h === "::1";
}

function splitHostPort(hostPort: string, fail: (why: string) => never): { host: string; port: number | undefined } {
  let host: string;
  let portText: string | undefined;
  if (hostPort.startsWith("[")) {
    const close = hostPort.indexOf("]");
    if (close < 0) fail("an IPv6 address needs its closing ']'");
    host = hostPort.slice(1, close);
    const after = hostPort.slice(close + 1);
    if (after !== "" && !after.startsWith(":")) fail("expected ':port' after ']'");
    portText = after === "" ? undefined : after.slice(1);
  } else {
    const colons = hostPort.split(":").length - 1;
    if (colons > 1) fail("write an IPv6 address in brackets, e.g. [::1]:50051");
    const [h, p] = hostPort.split(":");
    host = h ?? "";
    portText = p;
  }
  if (portText === undefined) return { host, port: undefined };
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    fail(`the port must be a number from 1 to 65535, got ${JSON.stringify(portText)}`);
  }
  return { host, port: Number(portText) };
}

function grpcAddress(host: string, port: number): string {
  if (host.includes(":")) return `ipv6:[${host}]:${port}`;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return `ipv4:${host}:${port}`;
  return `dns:///${host}:${port}`;
}
