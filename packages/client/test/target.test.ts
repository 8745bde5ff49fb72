import { describe, expect, it } from "vitest";
import { parseTarget } from "../src/index.js";

describe("parseTarget", () => {
  it.each([
    // target, host, port, tls, grpc-js address
    ["localhost:50051", "localhost", 50051, false, "dns:///localhost:50051"],
    ["127.0.0.1:8080", "127.0.0.1", 8080, false, "ipv4:127.0.0.1:8080"],
    ["[::1]:50051", "::1", 50051, false, "ipv6:[::1]:50051"],
    ["localhost", "localhost", 50051, false, "dns:///localhost:50051"],
    ["calc.example.com:8443", "calc.example.com", 8443, true, "dns:///calc.example.com:8443"],
    [
      "grpc-calculator-xxxx-uc.a.run.app",
      "grpc-calculator-xxxx-uc.a.run.app",
      443,
      true,
      "dns:///grpc-calculator-xxxx-uc.a.run.app:443",
    ],
    ["dns:///calc.example.com:50051", "calc.example.com", 50051, true, "dns:///calc.example.com:50051"],
    ["dns:///localhost:50051", "localhost", 50051, false, "dns:///localhost:50051"],
    ["dns:///calc.example.com", "calc.example.com", 443, true, "dns:///calc.example.com:443"],
    [
      "https://grpc-calculator-xxxx-uc.a.run.app",
      "grpc-calculator-xxxx-uc.a.run.app",
      443,
      true,
      "dns:///grpc-calculator-xxxx-uc.a.run.app:443",
    ],
    [
      "https://grpc-calculator-xxxx-uc.a.run.app/",
      "grpc-calculator-xxxx-uc.a.run.app",
      443,
      true,
      "dns:///grpc-calculator-xxxx-uc.a.run.app:443",
    ],
    ["https://localhost:8443", "localhost", 8443, true, "dns:///localhost:8443"],
    ["http://calc.internal:8080", "calc.internal", 8080, false, "dns:///calc.internal:8080"],
    ["http://calc.internal", "calc.internal", 80, false, "dns:///calc.internal:80"],
    ["HTTPS://Example.com", "Example.com", 443, true, "dns:///Example.com:443"],
  ])("%s → %s port %i, TLS %s", (target, host, port, tls, address) => {
    expect(parseTarget(target)).toEqual({ host, port, tls, address });
  });

  it.each([
    ["localhost:50051", true, true, 50051],
    ["calc.example.com:50051", false, false, 50051],
    ["localhost", true, true, 443],
  ])("%s with tls: %s → TLS %s, port %i", (target, force, tls, port) => {
    expect(parseTarget(target, { tls: force })).toMatchObject({ tls, port });
  });

  it.each([
    ["", /empty/],
    ["https://example.com/api", /no path/],
    ["http://example.com", /contradicts/, true],
    ["https://example.com", /contradicts/, false],
    ["localhost:0", /port/],
    ["localhost:99999", /port/],
    ["localhost:http", /port/],
    ["::1:50051", /brackets/],
    ["[::1:50051", /\]/],
    ["dns://8.8.8.8/example.com:443", /authority/],
    ["user@example.com:443", /host\[:port\]/],
    [":50051", /host is empty/],
  ])("rejects %j", (target, message, tls?: boolean) => {
    expect(() => parseTarget(target, { tls })).toThrow(message);
  });
});
