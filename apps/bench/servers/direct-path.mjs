// A bench-only start of the real server (packages/server's `startServer`, its unbundled build: every
// service, the request logging, limits and error details the image serves) with the direct gRPC path on or
// off (DIRECT_PATH=on|off): what the direct path saves per call, on the same code and Node flags. `--floor`
// runs both beside the grpc-js baseline.
// Usage: PORT=N [HOST=127.0.0.1] [LOG_LEVEL=info] DIRECT_PATH=on|off node servers/direct-path.mjs
import process from "node:process";
import { startServer } from "@grpc-calculator/server";

const direct = process.env.DIRECT_PATH ?? "on";
if (direct !== "on" && direct !== "off") throw new Error(`DIRECT_PATH=${direct}: on or off`);
const server = await startServer({
  port: Number(process.env.PORT ?? "50051"),
  host: process.env.HOST ?? "127.0.0.1",
  logLevel: process.env.LOG_LEVEL ?? "info",
  directPath: direct === "on",
});
process.on("SIGTERM", () => void server.shutdown().then(() => process.exit(0)));
