// The Nodes a cold start is measured on: the image's (Node 24, the test runtime @grpc-calculator/test-tools
// installs from npm, as the e2e image's stand-in is built from it) and the host's (the one running the bench).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { nodeBinary } from "@grpc-calculator/test-tools";
import type { ServerSpec } from "./servers.js";

export interface NodeRuntime {
  /** "image" or "host". */
  key: string;
  /** Its `node`, absolute. */
  path: string;
  /** The directory put first on PATH for a script that runs `node`. */
  dir: string;
  /** e.g. "24.22.3". */
  version: string;
}

function runtime(key: string, node: string): NodeRuntime {
  const probe = spawnSync(node, ["-p", "process.versions.node"], { encoding: "utf8" });
  if (probe.status !== 0) throw new Error(`${node} does not run: ${probe.stderr || String(probe.error)}`);
  return { key, path: node, dir: path.dirname(node), version: probe.stdout.trim() };
}

/** The image's Node: the major the server's Dockerfile and `engines` name. */
export const imageNodeMajor = 24;

export function imageNode(): NodeRuntime {
  return runtime("image", nodeBinary(imageNodeMajor));
}

export function hostNode(): NodeRuntime {
  return runtime("host", process.execPath);
}

/** `spec` (a Node server run as `node ARGS`) on another Node. */
export function onNode(spec: ServerSpec, node: NodeRuntime): ServerSpec {
  return { ...spec, command: node.path };
}
