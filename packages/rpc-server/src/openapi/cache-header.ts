/**
 * The `Cache-Control` the engine adds to a successful GET of a method without side effects
 * (web/cache-policy.ts), as a response header of the operations that get it.
 */
import type { DescMethod } from "@bufbuild/protobuf";
import { cacheControl, isCacheable } from "../web/cache-policy.js";
import type { Header } from "./types.js";

/** The header a GET of `method` answers with, by name, or none when its answers are not cached. */
export function cacheHeaders(method: DescMethod): Record<string, Header> {
  if (!isCacheable(method)) return {};
  const none = () => undefined;
  return {
    "Cache-Control": {
      description:
        `\`${cacheControl(method, "GET", none, undefined)}\`: the method has no side effects, so caches may keep ` +
        "the answer. `private` instead when the request carries credentials (`Authorization`, `Cookie`); a " +
        "handler may set its own.",
      schema: { type: "string" },
    },
  };
}
