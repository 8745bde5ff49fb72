import { connectProtocol, grpcWebProtocol, type WebProtocol } from "@grpc-calculator/client/web";
import { serviceUrl } from "./service-url.js";

/** Where the page sends its calls and how: from the page's URL, then the build's environment, then defaults. */
export interface PageConfig {
  /** The service's base URL; default: this page's origin (through the dev server's proxy, or a shared host). */
  readonly service: string;
  readonly protocol: WebProtocol;
}

/**
 * `?service=https://calc.example.com&protocol=grpc-web` wins over `VITE_CALCULATOR_URL` and
 * `VITE_CALCULATOR_PROTOCOL` (set at build time), which win over the page's own origin and Connect.
 */
export function pageConfig(location: Location, env: ImportMetaEnv): PageConfig {
  const service = serviceUrl(location, env);
  const protocolName =
    new URLSearchParams(location.search).get("protocol") ?? env.VITE_CALCULATOR_PROTOCOL ?? "connect";
  const protocol = [connectProtocol, grpcWebProtocol].find((candidate) => candidate.name === protocolName);
  if (protocol === undefined)
    throw new Error(`unknown protocol ${JSON.stringify(protocolName)}: use connect or grpc-web`);
  return { service, protocol };
}
