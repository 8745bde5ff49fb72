import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireExecutable, writeTestCertificate } from "@grpc-calculator/test-tools";
import getPort from "get-port";

/** nginx terminating TLS with HTTP/2 and passing gRPC in plaintext to the container, as Cloud Run's front end does. */
export interface TlsFrontEnd {
  /** https://localhost:PORT */
  readonly url: string;
  readonly port: number;
  /** PEM of the self-signed certificate the front end presents (the test CA). */
  readonly caPem: string;
  readonly caFile: string;
  stop(): Promise<void>;
}

/** Resolves once the port accepts a TCP connection; bounded in attempts and time. */
async function waitForListening(port: number, process: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; attempt < 500 && Date.now() < deadline; attempt++) {
    if (process.exitCode !== null) throw new Error(`nginx exited with ${process.exitCode}`);
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => resolve(true));
      socket.once("error", () => resolve(false));
    }).then((ok) => ok);
    if (accepted) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`nginx did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

const DIR_PREFIX = "grpc-calculator-e2e-nginx-";

/** `runId` names the temporary directory, so the teardown of this run finds what a crash left. */
export async function startTlsFrontEnd(upstream: string, runId: string): Promise<TlsFrontEnd> {
  const nginxPath = requireExecutable("nginx");
  const dir = await mkdtemp(join(tmpdir(), `${DIR_PREFIX}${runId}-`));
  let nginx: ChildProcess | undefined;
  const stop = async () => {
    if (nginx && nginx.exitCode === null && nginx.signalCode === null) {
      const exited = new Promise((resolve) => nginx?.once("exit", resolve));
      nginx.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (nginx.exitCode === null && nginx.signalCode === null) nginx.kill("SIGKILL");
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const { cert, key } = writeTestCertificate(dir);
    const port = await getPort({ host: "127.0.0.1" });
    await writeFile(
      join(dir, "nginx.conf"),
      `worker_processes 1;
events { worker_connections 512; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port} ssl http2;
    ssl_certificate ${cert};
    ssl_certificate_key ${key};
    location / { grpc_pass grpc://${upstream}; }
  }
}
`,
    );
    nginx = spawn(
      nginxPath,
      ["-p", dir, "-c", join(dir, "nginx.conf"), "-g", `daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log;`],
      {
        stdio: ["ignore", "inherit", "inherit"],
      },
    );
    nginx.once("error", () => undefined);
    await waitForListening(port, nginx, 10_000);
    return { url: `https://localhost:${port}`, port, caPem: await readFile(cert, "utf8"), caFile: cert, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * For the global teardown: stops any front end a crashed test file left running (its pid file names it,
 * and its command line must name its directory) and removes the directories.
 */
export async function removeLeftoverFrontEnds(runId: string): Promise<number> {
  const dirs = (await readdir(tmpdir()))
    .filter((name) => name.startsWith(`${DIR_PREFIX}${runId}-`))
    .map((name) => join(tmpdir(), name));
  for (const dir of dirs) {
    const pid = Number((await readFile(join(dir, "nginx.pid"), "utf8").catch(() => "")).trim());
    if (Number.isInteger(pid) && pid > 0) {
      const commandLine = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
      if (commandLine.includes(dir)) process.kill(pid, "SIGTERM");
    }
    await rm(dir, { recursive: true, force: true });
  }
  return dirs.length;
}
