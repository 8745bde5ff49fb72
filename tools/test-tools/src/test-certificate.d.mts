/** Writes a self-signed cert.pem and key.pem for localhost and 127.0.0.1 (valid 2 days) into `dir`; returns their paths. */
export declare function writeTestCertificate(dir: string): { cert: string; key: string };
