/**
 * The calculator service's base URL for the pages (the calculator and the API reference): `?service=` in the
 * page's URL wins over `VITE_CALCULATOR_URL` (set at build time), which wins over the page's own origin
 * (through the dev server's proxy, or a host that serves the page and the API on one origin).
 */
export function serviceUrl(location: Location, env: ImportMetaEnv): string {
  return new URLSearchParams(location.search).get("service") ?? env.VITE_CALCULATOR_URL ?? location.origin;
}
