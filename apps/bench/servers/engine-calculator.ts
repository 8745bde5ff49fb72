// A bench-only server: the Calculator on the RPC engine (@grpc-calculator/rpc-server) and nothing else — no
// health, reflection, request logging or telemetry — with `calculate` synchronous, as packages/server serves
// it, or async: one `await` of a resolved promise before the same arithmetic (CALCULATE_HANDLER=sync|async,
// read once at start). src/handler-pair.ts bundles it with esbuild as the server's bundle is built and runs
// both variants the same way, so the two differ in the handler alone.
import process from "node:process";
import { CallError, defineService, eachRequest, startRpcServer } from "@grpc-calculator/rpc-server";
import {
  CalculatorService,
  fileDescriptorSet,
  type BinaryOperation,
  type CalculationResult,
} from "@grpc-calculator/proto";
import { calculate } from "@grpc-calculator/server";

const handler = process.env.CALCULATE_HANDLER ?? "sync";
if (handler !== "sync" && handler !== "async") throw new Error(`CALCULATE_HANDLER=${handler}: sync or async`);

function answer(request: BinaryOperation): CalculationResult {
  const outcome = calculate(request.firstOperand, request.secondOperand, request.operation);
  if (!outcome.ok) throw new CallError(outcome.code, outcome.message);
  return { result: outcome.result };
}

const service = defineService(
  CalculatorService,
  {
    calculate:
      handler === "async"
        ? async (request) => {
            await Promise.resolve();
            return answer(request);
          }
        : (request) => answer(request),
    calculateStream: eachRequest((request: BinaryOperation) => answer(request)),
  },
  { descriptorSet: fileDescriptorSet },
);

const server = await startRpcServer({
  services: [service],
  port: Number(process.env.PORT ?? 50051),
  host: process.env.HOST,
});
process.stdout.write(`engine calculator (${handler} calculate) listening on ${server.host}:${server.port}\n`);
process.once("SIGTERM", () => void server.shutdown(5_000).then(() => process.exit(0)));
