// How the bench's node:http2 baselines listen and stop: on $PORT and $HOST (the bench passes both), and on
// SIGTERM they stop taking connections, close the open sessions (each ends when its calls have) and exit.
import process from "node:process";

/** Listens with `server` (a node:http2 server) until SIGTERM. */
export function listenUntilSigterm(server) {
  const sessions = new Set();
  server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  server.listen(Number(process.env.PORT ?? "50051"), process.env.HOST ?? "127.0.0.1");
  process.on("SIGTERM", () => {
    server.close(() => process.exit(0));
    for (const session of sessions) session.close();
  });
}
