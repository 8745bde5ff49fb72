import openapi from "@grpc-calculator/proto/openapi.json" with { type: "json" };
import { defineConfig } from "vite";

const target = process.env.CALCULATOR_DEV_TARGET ?? "http://localhost:50051";

// `pnpm dev:web` serves the pages on http://localhost:5173 and forwards the service's calls to `pnpm start`'s
// server on localhost:50051 over HTTP/1.1, where it speaks Connect, gRPC-Web and REST: the calculator's
// (`/Calculator/...`) and every path of the OpenAPI document the API page tries (a templated path by its
// literal prefix). Same origin for the browser, so no CORS. CALCULATOR_DEV_TARGET points the proxy elsewhere.
const documentPaths = Object.keys(openapi.paths).map((path) => path.split("{")[0] ?? path);

export default defineConfig({
  server: {
    port: 5173,
    strictPort: true,
    proxy: Object.fromEntries(["/Calculator/", ...documentPaths].map((path) => [path, target])),
  },
  build: {
    target: "es2022",
    // Two pages: the calculator (index.html) and the API reference (api.html), each with its own bundle, so
    // the calculator's stays as small as it was.
    rolldownOptions: { input: ["index.html", "api.html"] },
    // Swagger UI is one 1.6 MB chunk (440 KB gzipped), measured and accepted: it is the API page's alone.
    chunkSizeWarningLimit: 1700,
  },
});
