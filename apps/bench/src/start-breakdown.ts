// Where one start of ours goes, from a `node --cpu-prof` run of an unminified copy of the bundle: the
// wall-clock phases from spawn to the first answer, and in each the profile's samples by package (through
// the bundle's region comments, src/bundle-regions.ts). Sample times and the marks share one clock: V8
// stamps samples with the monotonic clock that process.hrtime() and performance.now() read too.
import { builtinShim, packageAtLine, runtimeHelpers, type Region } from "./bundle-regions.js";

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
  /** Self samples per 1-based source line. */
  positionTicks?: { line: number; ticks: number }[];
}

export interface StartProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  /** µs, monotonic clock. */
  startTime: number;
  endTime: number;
}

export interface BreakdownInput {
  profile: StartProfile;
  /** file:// URLs of the profiled entry (start.mjs) and of the bundle it loads (server.mjs). */
  entryUrl: string;
  bundleUrl: string;
  regions: readonly Region[];
  /** Marks on the profile's clock, µs: the spawn, the server's "listening" log line, its first answer. */
  spawnedAt: number;
  listeningAt: number;
  firstAnswerAt: number;
}

export interface Share {
  name: string;
  ms: number;
}

export interface Phase {
  name: string;
  /** ms from spawn. */
  fromMs: number;
  toMs: number;
  /** The profile's samples in the phase by where they ran, largest first (ms of samples). */
  where: Share[];
}

export const categories = {
  gc: "GC",
  program: "(program): V8 outside JS",
  idle: "idle",
  /** Node's JavaScript with no frame of ours above it: its bootstrap, its loader, its own callbacks. */
  node: "Node's own JS",
  /** Node's JavaScript under start.mjs: its `import()` of server.mjs (read, compiled, linked). */
  entryImport: "Node's import() of server.mjs",
  entry: "start.mjs",
  topLevel: "the bundle's top level",
  helpers: runtimeHelpers,
  other: "other",
} as const;

const builtinsVia = (pkg: string): string => `node built-ins via ${pkg}`;

/** Where one sample ran: [name, weight] pairs whose weights sum to 1. */
type Attribution = [string, number][];

function attribute(stack: readonly ProfileNode[], input: BreakdownInput): Attribution {
  const leaf = stack[stack.length - 1]!.callFrame.functionName;
  if (leaf === "(garbage collector)") return [[categories.gc, 1]];
  if (leaf === "(program)") return [[categories.program, 1]];
  if (leaf === "(idle)") return [[categories.idle, 1]];
  let deepest = -1;
  for (let i = stack.length - 1; i >= 0; i--) {
    const url = stack[i]!.callFrame.url;
    if (url === input.bundleUrl || url === input.entryUrl) {
      deepest = i;
      break;
    }
  }
  const ranNode = (from: number) => stack.slice(from).some((node) => node.callFrame.url.startsWith("node:"));
  if (deepest < 0) return [[ranNode(0) ? categories.node : categories.other, 1]];
  const frame = stack[deepest]!;
  const inEntry = frame.callFrame.url === input.entryUrl;
  // Below our code, Node's own JavaScript: a built-in being required, or a Node API called. Named by the
  // package that asked, past the bundle's `require("node:…")` shims and esbuild's wrappers.
  if (ranNode(deepest + 1)) {
    if (inEntry) return [[categories.entryImport, 1]];
    for (let i = deepest; i >= 0; i--) {
      if (stack[i]!.callFrame.url !== input.bundleUrl) continue;
      const pkg = framePackage(stack[i]!, input.regions);
      if (pkg !== runtimeHelpers && pkg !== builtinShim) return [[builtinsVia(pkg), 1]];
    }
    return [[builtinsVia(categories.topLevel), 1]];
  }
  if (inEntry) return [[categories.entry, 1]];
  // The bundle's top level holds every ES module's top-level code: split by the lines its samples hit.
  const ticks = isTopLevel(frame) ? (frame.positionTicks ?? []) : [];
  const total = ticks.reduce((sum, t) => sum + t.ticks, 0);
  if (total === 0) return [[framePackage(frame, input.regions), 1]];
  return ticks.map((t) => [packageAtLine(input.regions, t.line), t.ticks / total]);
}

const isTopLevel = (node: ProfileNode): boolean =>
  node.callFrame.lineNumber === 0 && node.callFrame.functionName === "";

function framePackage(node: ProfileNode, regions: readonly Region[]): string {
  return isTopLevel(node) ? categories.topLevel : packageAtLine(regions, node.callFrame.lineNumber + 1);
}

const isModuleTop = (node: ProfileNode, url: string): boolean => node.callFrame.url === url && isTopLevel(node);

/**
 * The phases of one start: process start (until start.mjs first runs), start.mjs (the compile cache, then
 * server.mjs read, compiled and linked), server.mjs's evaluation (every module's top level, then main until
 * it first waits), listen (until the "listening" line) and the first call (until the first answer).
 */
export function startBreakdown(input: BreakdownInput): Phase[] {
  const { profile } = input;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const stackOf = (id: number): ProfileNode[] => {
    const stack: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(byId.get(at)!);
    return stack.reverse();
  };

  // Each sample stands for the time from it to the next one.
  const times: number[] = [];
  let t = profile.startTime;
  for (const delta of profile.timeDeltas) times.push((t += delta));
  let entryAt: number | undefined;
  let evaluationAt: number | undefined;
  let evaluationEnd: number | undefined;
  const stacks = profile.samples.map((id, i) => {
    const stack = stackOf(id);
    const at = times[i]!;
    if (entryAt === undefined && stack.some((n) => n.callFrame.url === input.entryUrl)) entryAt = at;
    if (evaluationAt === undefined && stack.some((n) => n.callFrame.url === input.bundleUrl)) evaluationAt = at;
    if (at < input.listeningAt && stack.some((n) => isModuleTop(n, input.bundleUrl))) evaluationEnd = times[i + 1];
    return stack;
  });
  const marks = [input.spawnedAt, entryAt, evaluationAt, evaluationEnd, input.listeningAt, input.firstAnswerAt];
  // A mark the profile lacks (or out of order) takes the one before it: its phase is then empty.
  for (let i = 1; i < marks.length; i++) marks[i] = Math.max(marks[i] ?? marks[i - 1]!, marks[i - 1]!);
  const names = [
    "process start: exec, V8, Node's bootstrap, until start.mjs runs",
    "start.mjs: compile cache on; server.mjs read, compiled, linked",
    "server.mjs evaluated: every module's top level, then main until it first waits",
    "listen: the server set up and bound, until its 'listening' line",
    "first call: until the first answer",
  ];
  const sums = names.map(() => new Map<string, number>());
  stacks.forEach((stack, i) => {
    const at = times[i]!;
    const us = (times[i + 1] ?? profile.endTime) - at;
    const phase = marks.findIndex((mark, m) => m > 0 && at < mark!) - 1;
    if (phase < 0 || stack.length === 0) return;
    for (const [name, weight] of attribute(stack, input))
      sums[phase]!.set(name, (sums[phase]!.get(name) ?? 0) + weight * us);
  });
  return names.map((name, i) => ({
    name,
    fromMs: (marks[i]! - input.spawnedAt) / 1000,
    toMs: (marks[i + 1]! - input.spawnedAt) / 1000,
    where: [...sums[i]!].map(([where, us]) => ({ name: where, ms: us / 1000 })).sort((a, b) => b.ms - a.ms),
  }));
}
