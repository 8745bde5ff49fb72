// The throughput floor of any server on node:http2: every stream read to its end and answered with the
// same prebuilt answer (Calculate's 2 + 3 = 5), nothing decoded, validated, routed or logged. gRPC gets
// headers, one enveloped message and `grpc-status: 0` trailers; gRPC-Web the message and a trailer frame in
// the body; anything else (Connect JSON, the REST routes) `{"result":5}` as JSON. No server that parses its
// requests can serve more calls per second on the same core than this: the bench sets each throughput goal,
// in requests per second, beside what this serves in the same run.
// Usage: PORT=50051 [HOST=127.0.0.1] node baselines/http2-floor.mjs
import http2 from "node:http2";
import { Buffer } from "node:buffer";
import { CalculationResult } from "@grpc-calculator/proto";
import { listenUntilSigterm } from "./listen.mjs";

const answer = { result: 5 };
const message = CalculationResult.encode(answer).finish();
const envelope = (flags, data) => {
  const frame = Buffer.alloc(5 + data.length);
  frame.writeUInt8(flags, 0);
  frame.writeUInt32BE(data.length, 1);
  frame.set(data, 5);
  return frame;
};
const grpcBody = envelope(0, message);
const grpcWebBody = Buffer.concat([grpcBody, envelope(0x80, Buffer.from("grpc-status: 0\r\n"))]);
const jsonBody = Buffer.from(JSON.stringify(CalculationResult.toJSON(answer)));
const grpcTrailers = { "grpc-status": "0" };

function respond(stream, contentType) {
  if (contentType?.startsWith("application/grpc-web")) {
    stream.respond({ ":status": 200, "content-type": "application/grpc-web+proto" });
    stream.end(grpcWebBody);
  } else if (contentType?.startsWith("application/grpc")) {
    stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
    stream.once("wantTrailers", () => stream.sendTrailers(grpcTrailers));
    stream.end(grpcBody);
  } else {
    stream.respond({ ":status": 200, "content-type": "application/json" });
    stream.end(jsonBody);
  }
}

const server = http2.createServer();
server.on("stream", (stream, headers) => {
  stream.on("error", () => {}); // a reset by the client
  stream.resume(); // the body, read and dropped
  stream.once("end", () => respond(stream, headers["content-type"]));
});
listenUntilSigterm(server);
