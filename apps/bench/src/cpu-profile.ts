// Where a server's CPU went, from a V8 .cpuprofile (what `node --cpu-prof` writes): self time per
// function and per package.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** "grpc-js", "pino", "node:internal", "ours", "(garbage collector)" …: where a frame's code comes from. */
export function packageOf(url: string, functionName: string): string {
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return "node core";
  const modules = url.lastIndexOf("node_modules/");
  if (modules >= 0) {
    const [scope, name] = url.slice(modules + "node_modules/".length).split("/");
    return scope?.startsWith("@") ? `${scope}/${name}` : (scope ?? url);
  }
  return url.includes("/packages/proto/") ? "@grpc-calculator/proto" : "ours (packages/server)";
}

export interface SelfTime {
  name: string;
  ms: number;
  share: number;
}

/** Self time per function and per package, largest first. */
export function summarize(profile: CpuProfile): { functions: SelfTime[]; packages: SelfTime[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/packages\//, "packages/");
    const key = `${functionName || "(anonymous)"} ${file ? `${file}:${lineNumber + 1}` : ""}`.trim();
    functions.set(key, (functions.get(key) ?? 0) + us);
    const pkg = packageOf(url, functionName);
    packages.set(pkg, (packages.get(pkg) ?? 0) + us);
    total += us;
  });
  const rank = (m: Map<string, number>): SelfTime[] =>
    [...m].map(([name, us]) => ({ name, ms: us / 1000, share: us / total })).sort((a, b) => b.ms - a.ms);
  return { functions: rank(functions), packages: rank(packages) };
}
