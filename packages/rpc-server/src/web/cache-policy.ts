/**
 * Which web answers an HTTP cache (a CDN in front of Cloud Run, a browser) may keep: the successful
 * answers to GET — Connect GET and REST GET, whose whole request is in the URL a cache keys by — of
 * methods the contract marks `idempotency_level = NO_SIDE_EFFECTS`. Nothing else: a POST, an error
 * (a deadline or a shutdown would be cached as if it were the answer) or a method with effects.
 *
 * The value is `public, max-age=300`. NO_SIDE_EFFECTS says a read is safe to repeat, not how long its
 * answer stays true, and the engine serves any contract: 5 minutes lets a CDN answer a popular read
 * many times over while bounding how stale a changed answer can be. A handler that knows better sets
 * its own `Cache-Control` (`ctx.responseHeader`), which is kept. A request that carries credentials
 * (`Authorization`, `Cookie`) gets `private`: its answer may be the caller's own, and `public` would
 * let a shared cache hand it to others.
 */
import type { DescMethod } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import type { HeaderLookup } from "../call-context.js";

export const CACHE_MAX_AGE_SECONDS = 300;

/** Whether a method's GET answers may be cached at all. */
export function isCacheable(method: DescMethod): boolean {
  return method.idempotency === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS;
}

/**
 * The `Cache-Control` to add to a successful answer, or undefined: when the method or the request
 * method does not allow caching, or the handler set its own.
 */
export function cacheControl(
  method: DescMethod,
  httpMethod: string,
  header: HeaderLookup,
  handlerHeaders: Headers | undefined,
): string | undefined {
  if (httpMethod !== "GET" || !isCacheable(method) || handlerHeaders?.has("cache-control") === true) return undefined;
  const credentials = header("authorization") !== undefined || header("cookie") !== undefined;
  return `${credentials ? "private" : "public"}, max-age=${CACHE_MAX_AGE_SECONDS}`;
}
