/** Reading a request's headers and peer from Node's HTTP objects, for every transport. */
import type { IncomingHttpHeaders } from "node:http";
import type { Socket } from "node:net";
import type { HeaderLookup } from "../call-context.js";

/** A lookup of `headers` (Node's, lower-case names): the first value of a repeated header. */
export function headerLookup(headers: IncomingHttpHeaders): HeaderLookup {
  return (name) => {
    const value = headers[name];
    return typeof value === "string" ? value : value?.[0];
  };
}

/** `ip:port` of a socket's remote end (`[ip]:port` for IPv6), as gRPC names peers. */
export function peerOf(socket: Pick<Socket, "remoteAddress" | "remotePort"> | null | undefined): string | undefined {
  const address = socket?.remoteAddress;
  if (address === undefined) return undefined;
  return `${address.includes(":") ? `[${address}]` : address}:${socket?.remotePort ?? 0}`;
}
