// After the two tsc runs: mark dist/cjs as CommonJS (the package itself is ESM) and publish the
// descriptor set and grpc's health.proto next to the code, so `@grpc-calculator/proto/calculator.binpb`
// and `@grpc-calculator/proto/health.proto` resolve.
import { cpSync, copyFileSync, writeFileSync } from "node:fs";

writeFileSync("dist/cjs/package.json", `${JSON.stringify({ type: "commonjs" })}\n`);
copyFileSync("src/gen/calculator.binpb", "dist/calculator.binpb");
cpSync("src/gen/proto", "dist/proto", { recursive: true });
