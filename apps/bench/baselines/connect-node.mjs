// The web-protocol baseline: the classic calculator served the way connect-es's docs write a Node server
// (connectrpc.com/docs/node/getting-started): `@connectrpc/connect-node`'s `connectNodeAdapter` on a
// node:http2 server (h2c), with Connect, gRPC and gRPC-Web all enabled (the adapter's defaults). What a
// TypeScript user picks to serve these protocols. The service descriptor is built at start from the
// descriptor set @grpc-calculator/proto publishes (no second code generator, no copy of the contract);
// the arithmetic is the server's own `calculate`, so both sides compute the same answers and errors.
// Usage: PORT=50051 [HOST=127.0.0.1] node baselines/connect-node.mjs
import http2 from "node:http2";
import { createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { ConnectError } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { fileDescriptorSet } from "@grpc-calculator/proto";
import { calculate } from "@grpc-calculator/server";
import { listenUntilSigterm } from "./listen.mjs";

const Calculator = createFileRegistry(fromBinary(FileDescriptorSetSchema, fileDescriptorSet)).getService("Calculator");

function answer({ firstOperand, secondOperand, operation }) {
  const outcome = calculate(firstOperand, secondOperand, operation);
  // Connect's codes are gRPC's status numbers.
  if (!outcome.ok) throw new ConnectError(outcome.message, outcome.code);
  return { result: outcome.result };
}

const handler = connectNodeAdapter({
  routes(router) {
    router.service(Calculator, {
      calculate: (request) => answer(request),
      async *calculateStream(requests) {
        for await (const request of requests) yield answer(request);
      },
    });
  },
});

const server = http2.createServer(handler);
listenUntilSigterm(server);
