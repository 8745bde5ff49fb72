import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { promisify } from "node:util";
import { e2eRoot } from "./paths.js";

const execFileAsync = promisify(execFile);
const bufBinary = join(e2eRoot, "node_modules/.bin/buf");

/** The published contract, as a user of @grpc-calculator/proto gets it. */
export const publishedProto = createRequire(import.meta.url).resolve("@grpc-calculator/proto/calculator.proto");

export interface BufCurlOptions {
  /** A .proto or descriptor set; without it, buf curl asks the server's reflection service. */
  readonly schema?: string;
  readonly reflectProtocol?: "grpc-v1" | "grpc-v1alpha";
  /** PEM CA to trust for https:// URLs. */
  readonly caFile?: string;
  /** The wire protocol. Default "grpc". */
  readonly protocol?: "grpc" | "grpcweb" | "connect";
  /** For http:// URLs: h2c (prior knowledge, the default) or HTTP/1.1 (web protocols only). */
  readonly httpVersion?: "2" | "1.1";
}

/**
 * One call with `buf curl` (an independent client of gRPC, gRPC-Web and Connect, written in Go, from the
 * @bufbuild/buf npm package); gRPC over HTTP/2 (prior knowledge for http://) unless told otherwise.
 * Returns the response message as parsed JSON.
 */
export async function bufCurl(url: string, body: unknown, options: BufCurlOptions = {}): Promise<unknown> {
  const args = ["curl", "--protocol", options.protocol ?? "grpc", "--data", JSON.stringify(body)];
  if (url.startsWith("http://") && options.httpVersion !== "1.1") args.push("--http2-prior-knowledge");
  if (options.schema) args.push("--schema", options.schema);
  if (options.reflectProtocol) args.push("--reflect-protocol", options.reflectProtocol);
  if (options.caFile) args.push("--cacert", options.caFile);
  args.push(url);
  try {
    const { stdout } = await execFileAsync(bufBinary, args, { timeout: 30_000 });
    return JSON.parse(stdout) as unknown;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`buf ${args.join(" ")} failed${stderr ? `: ${stderr}` : ""}`, { cause: error });
  }
}
