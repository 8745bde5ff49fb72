// Which package each line of an unminified esbuild bundle comes from: esbuild writes a `// path` comment
// above each module's code (`// ../../node_modules/.pnpm/…/node_modules/pino/pino.js`, `// src/server.ts`,
// `// ../rpc-server/dist/esm/server.js`, `// builtin:node:http2`), so a profile's line number names a package.

export interface Region {
  /** 1-based line of the comment; the region runs until the next one. */
  line: number;
  /** The path as esbuild wrote it. */
  path: string;
}

const regionComment = /^\/\/ ((?:\.\.\/|[\w@.-]+\/|builtin:|omitted:)\S*)$/;

/** The bundle's regions in line order. */
export function bundleRegions(source: string): Region[] {
  const regions: Region[] = [];
  source.split("\n").forEach((text, index) => {
    const match = regionComment.exec(text);
    if (match) regions.push({ line: index + 1, path: match[1]! });
  });
  return regions;
}

/** "@grpc/grpc-js", "pino", "@grpc-calculator/rpc-server", "ours (packages/server)", "node built-ins" … */
export function packageOfRegion(path: string): string {
  if (path.startsWith("builtin:")) return builtinShim;
  if (path.startsWith("omitted:")) return "(omitted from the bundle)";
  const modules = path.lastIndexOf("node_modules/");
  if (modules >= 0) {
    const [scope, name] = path.slice(modules + "node_modules/".length).split("/");
    return scope?.startsWith("@") ? `${scope}/${name}` : (scope ?? path);
  }
  const sibling = /^\.\.\/([\w-]+)\//.exec(path);
  if (sibling) return `@grpc-calculator/${sibling[1]}`;
  return "ours (packages/server)";
}

/** Lines above the first region: esbuild's `__commonJS`, `__toESM`, … and the banner. */
export const runtimeHelpers = "esbuild runtime helpers";
/** `builtin:node:…` regions: server's bundle.mjs turns `import … from "node:x"` into `require("node:x")`. */
export const builtinShim = "node built-in (require shim)";

/**
 * The package of a 1-based `line` of the bundle; the lines above the first region are esbuild's own
 * helpers (`__commonJS`, `__toESM`, …) and the banner.
 */
export function packageAtLine(regions: readonly Region[], line: number): string {
  let low = 0;
  let high = regions.length - 1;
  let found: Region | undefined;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (regions[middle]!.line <= line) {
      found = regions[middle];
      low = middle + 1;
    } else high = middle - 1;
  }
  return found === undefined ? runtimeHelpers : packageOfRegion(found.path);
}
