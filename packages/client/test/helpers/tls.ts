import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeTestCertificate } from "@grpc-calculator/test-tools";

/** A throwaway self-signed certificate for localhost and 127.0.0.1, made with openssl. */
export function selfSignedCertificate(): { cert: Buffer; key: Buffer; certPath: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), "calculator-tls-"));
  const { cert: certPath, key: keyPath } = writeTestCertificate(dir);
  return {
    cert: readFileSync(certPath),
    key: readFileSync(keyPath),
    certPath,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
