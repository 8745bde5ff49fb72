import { type CalculatorTarget, schemelessDefaults } from "../core/target.js";

/**
 * Where a web client sends its calls: a base URL to which `/Calculator/Calculate` is appended.
 *
 * - `https://host[:port][/prefix]`, `http://host[:port][/prefix]`: as written (a path prefix is kept,
 *   for a service behind a reverse proxy);
 * - `/prefix` or `/`: relative to the page (`location`), e.g. through a dev server's proxy;
 * - `host[:port]`: as in Node, plaintext on port 50051 for loopback hosts, else https on 443.
 *
 * `address` is the base URL. Not the Node entry's `parseTarget` (`dns:///` and its messages), which a
 * browser bundle would carry for nothing.
 */
export function resolveBaseUrl(target: string, tls: boolean | undefined): CalculatorTarget {
  const fail = (why: string): never => {
    throw new TypeError(`invalid target ${JSON.stringify(target)}: ${why}`);
  };
  const trimmed = target.trim();
  const parse = (text: string, base?: string): URL => {
    try {
      return new URL(text, base);
    } catch {
      return fail("expected a URL, a path or host[:port]");
    }
  };
  let url: URL;
  if (/^https?:\/\//i.test(trimmed)) {
    url = parse(trimmed);
    if (tls !== undefined && tls !== (url.protocol === "https:")) {
      fail(`the ${url.protocol}// scheme contradicts tls: ${tls}`);
    }
  } else if (trimmed.startsWith("/")) {
    url = parse(trimmed, (globalThis as { location?: { href: string } }).location?.href ?? fail("a path needs a page"));
  } else {
    // A scheme without default port keeps the port as written (":80" too).
    const written = parse(`target://${trimmed}`);
    if (written.pathname !== "" || written.username !== "" || written.search !== "") fail("expected host[:port]");
    const defaults = schemelessDefaults(written.hostname.replace(/^\[(.*)\]$/, "$1"), tls);
    url = parse(`${defaults.tls ? "https" : "http"}://${written.hostname}:${written.port || defaults.port}`);
  }
  const secure = url.protocol === "https:";
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port === "" ? (secure ? 443 : 80) : Number(url.port),
    tls: secure,
    address: `${url.origin}${url.pathname.replace(/\/+$/, "")}`,
  };
}
