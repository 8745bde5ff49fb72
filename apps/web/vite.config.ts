import { defineConfig } from "vite";

// `pnpm dev:web` serves the page on http://localhost:5173 and forwards the calculator's calls
// (`/Calculator/...`) to `pnpm start`'s server on localhost:50051 over HTTP/1.1, where it speaks Connect and
// gRPC-Web: same origin for the browser, so no CORS. CALCULATOR_DEV_TARGET points the proxy elsewhere.
export default defineConfig({
  server: {
    port: 5173,
    strictPort: true,
    proxy: { "/Calculator/": process.env.CALCULATOR_DEV_TARGET ?? "http://localhost:50051" },
  },
  build: { target: "es2022" },
});
