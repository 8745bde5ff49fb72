// A throwaway self-signed certificate for localhost and 127.0.0.1, made with openssl: what the TLS tests
// (the server's own TLS, the SDK's custom roots, the e2e suite's TLS front end) present and trust.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { requireExecutable } from "./external-tools.mjs";

/** Writes cert.pem and key.pem (valid 2 days) into `dir`; returns their paths. */
export function writeTestCertificate(dir) {
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  execFileSync(
    requireExecutable("openssl"),
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2"].concat([
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ]),
    { stdio: "ignore", timeout: 30_000 },
  );
  return { cert, key };
}
