// Writes dist/openapi.json, published as `@grpc-calculator/proto/openapi.json`: the OpenAPI 3.1 document
// of the calculator's HTTP APIs (each unary method as a Connect call, each google.api.http route as
// REST), generated from the contract's descriptor set by the engine's generator,
// @grpc-calculator/rpc-server/openapi: a devDependency, run here at build time, never a dependency of
// the published package. Run by `build` after tsc: the contract's message limit comes from dist/.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { MAX_REQUEST_MESSAGE_BYTES } from "../dist/esm/limits.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

const { openApiDocument } = await import("@grpc-calculator/rpc-server/openapi").catch((error) => {
  throw new Error(
    "the OpenAPI document is made by @grpc-calculator/rpc-server, which is not built: " +
      "run `pnpm -C packages/rpc-server build` (turbo's build does it first)",
    { cause: error },
  );
});

/** The calculator's document, from a descriptor set of calculator.proto and what it imports. */
export function calculatorOpenApi(descriptorSet) {
  return openApiDocument({
    descriptorSet,
    services: ["Calculator"],
    info: {
      title: "grpc-calculator",
      version: pkg.version,
      summary: "The calculator over HTTP with JSON: Connect and REST, generated from calculator.proto.",
      license: { name: pkg.license, identifier: pkg.license },
    },
    servers: [
      {
        url: "https://{service}-{project}.{region}.run.app",
        description:
          "A Cloud Run deployment (deploy/cloud-run): `gcloud run services describe SERVICE --format='value(status.url)'` prints its URL.",
        variables: {
          service: { default: "grpc-calculator", description: "The Cloud Run service's name." },
          project: { default: "PROJECT_NUMBER", description: "The Google Cloud project's number." },
          region: { default: "us-central1", description: "The service's region." },
        },
      },
      {
        url: "http://localhost:{port}",
        description: "A server on your machine (`pnpm start`): HTTP/1.1 or h2c.",
        variables: { port: { default: "50051", description: "The server's PORT (50051 unless set)." } },
      },
    ],
    limits: { maxReceiveMessageBytes: MAX_REQUEST_MESSAGE_BYTES },
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const document = calculatorOpenApi(readFileSync(join(root, "src/gen/calculator-comments.binpb")));
  writeFileSync(join(root, "dist/openapi.json"), `${JSON.stringify(document, null, 2)}\n`);
}
