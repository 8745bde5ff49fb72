import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A throwaway self-signed certificate for localhost and 127.0.0.1, made with openssl. */
export function selfSignedCertificate(): { cert: Buffer; key: Buffer; certPath: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), "calculator-tls-"));
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      keyPath,
      "-out",
      certPath,
      "-days",
      "2",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ],
    { stdio: "ignore", timeout: 30_000 },
  );
  return {
    cert: readFileSync(certPath),
    key: readFileSync(keyPath),
    certPath,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
