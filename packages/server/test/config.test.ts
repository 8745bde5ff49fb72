import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/index.js";

describe("parseConfig", () => {
  it("has production defaults", () => {
    expect(parseConfig({})).toEqual({
      port: 50051,
      host: undefined,
      logLevel: "info",
      shutdownGraceMs: 8000,
      tls: undefined,
      workers: 1,
      googleCloudProject: undefined,
      corsAllowedOrigins: new Set(),
    });
  });

  it("reads every variable", () => {
    expect(
      parseConfig({
        PORT: "8080",
        HOST: "[::1]",
        LOG_LEVEL: "DEBUG",
        SHUTDOWN_GRACE_MS: "500",
        TLS_CERT_FILE: "/c.pem",
        TLS_KEY_FILE: "/k.pem",
        WORKERS: "auto",
        GOOGLE_CLOUD_PROJECT: "p",
        CORS_ALLOWED_ORIGINS: "https://App.example.com, http://localhost:5173,http://[::1]:8080",
      }),
    ).toEqual({
      port: 8080,
      host: "::1",
      logLevel: "debug",
      shutdownGraceMs: 500,
      tls: { certFile: "/c.pem", keyFile: "/k.pem" },
      workers: availableParallelism(),
      googleCloudProject: "p",
      corsAllowedOrigins: new Set(["https://app.example.com", "http://localhost:5173", "http://[::1]:8080"]),
    });
  });

  it("reads CORS_ALLOWED_ORIGINS=* as any origin", () => {
    expect(parseConfig({ CORS_ALLOWED_ORIGINS: "*" }).corsAllowedOrigins).toBe("*");
  });

  it.each([
    [{ PORT: "abc" }, 'invalid PORT "abc": expected an integer from 0 to 65535'],
    [{ PORT: "65536" }, 'invalid PORT "65536"'],
    [{ PORT: "-1" }, 'invalid PORT "-1"'],
    [{ PORT: "80.5" }, 'invalid PORT "80.5"'],
    [{ LOG_LEVEL: "loud" }, 'invalid LOG_LEVEL "loud": expected one of trace, debug, info, warn, error, fatal, silent'],
    [{ SHUTDOWN_GRACE_MS: "soon" }, 'invalid SHUTDOWN_GRACE_MS "soon"'],
    [{ WORKERS: "0" }, 'invalid WORKERS "0": expected an integer from 1 to 256'],
    [{ TLS_CERT_FILE: "/c.pem" }, "TLS_CERT_FILE and TLS_KEY_FILE must be set together (TLS_KEY_FILE is missing)"],
    [{ HOST: "a b" }, 'invalid HOST "a b"'],
    [
      { CORS_ALLOWED_ORIGINS: "example.com" },
      'invalid CORS_ALLOWED_ORIGINS "example.com": "example.com" is not an origin',
    ],
    [{ CORS_ALLOWED_ORIGINS: "https://a.example/path" }, '"https://a.example/path" is not an origin'],
    [{ CORS_ALLOWED_ORIGINS: "https://a.example/" }, '"https://a.example/" is not an origin'],
    [{ CORS_ALLOWED_ORIGINS: "https://a.example,*" }, '"*" is not an origin'],
    [{ CORS_ALLOWED_ORIGINS: "ftp://a.example" }, '"ftp://a.example" is not an origin'],
  ])("rejects %o", (env, message) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(message);
  });
});
