// The baseline: the classic calculator served the way the grpc-node examples write a server
// (examples/routeguide, examples/helloworld/dynamic_codegen): @grpc/proto-loader parses the .proto at
// start, grpc.loadPackageDefinition builds the service, one plain handler, no health, no logging.
// It loads the published contract file (no copy of it here) and serves only the classic `Calculate`.
// Usage: PORT=50051 [HOST=127.0.0.1] node baselines/server.mjs
import { createRequire } from "node:module";
import path from "node:path";
import process from "node:process";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

const PROTO_PATH = createRequire(import.meta.url).resolve("@grpc-calculator/proto/calculator.proto");

// calculator.proto imports googleapis' files, published beside it: its directory is the import root.
const packageDefinition = protoLoader.loadSync(path.basename(PROTO_PATH), {
  includeDirs: [path.dirname(PROTO_PATH)],
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});
const calculatorProto = grpc.loadPackageDefinition(packageDefinition);

function calculate(call, callback) {
  const { first_operand, second_operand, operation } = call.request;
  const result = operation === "SUBTRACT" ? first_operand - second_operand : first_operand + second_operand;
  callback(null, { result });
}

function main() {
  const server = new grpc.Server();
  server.addService(calculatorProto.Calculator.service, { Calculate: calculate });
  const address = `${process.env.HOST ?? "127.0.0.1"}:${process.env.PORT ?? "50051"}`;
  server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error) => {
    if (error) throw error;
  });
  process.on("SIGTERM", () => server.tryShutdown(() => process.exit(0)));
}

main();
