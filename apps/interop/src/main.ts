/**
 * `PORT=N pnpm interop:server`: serves the interop TestService in the foreground on $PORT (default
 * 8080) and $HOST (default `::`) until SIGTERM or SIGINT, then drains: calls in flight get 5 s to end.
 */
import process from "node:process";
import { startInteropServer } from "./index.js";

const GRACE_MS = 5_000;

const port = process.env.PORT === undefined || process.env.PORT === "" ? 8080 : Number(process.env.PORT);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  process.stderr.write(`PORT must be a TCP port number, not ${JSON.stringify(process.env.PORT)}\n`);
  process.exit(2);
}
const server = await startInteropServer({ port, host: process.env.HOST || undefined });
process.stdout.write(`interop server (grpc.testing.TestService) listening on ${server.host} port ${server.port}\n`);

let stopping = false;
const stop = (signal: NodeJS.Signals): void => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`${signal}: draining (up to ${GRACE_MS} ms)\n`);
  void server.shutdown(GRACE_MS).then(() => {
    process.stdout.write("stopped\n");
    process.exit(0);
  });
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
