// The start-time floor of a grpc-js server of this contract: @grpc/grpc-js and the generated codec
// (@grpc-calculator/proto, ts-proto: no .proto parsed at start), one handler, nothing else: no health,
// reflection, logging or limits. The bench measures only its spawn → first answer, to show how much
// of a grpc-js server's start is grpc-js itself.
// Usage: PORT=50051 [HOST=127.0.0.1] node baselines/grpc-js-floor.mjs
import process from "node:process";
import { Server, ServerCredentials, status } from "@grpc/grpc-js";
import { CalculatorService, Operation } from "@grpc-calculator/proto";

const server = new Server();
server.addService(CalculatorService, {
  calculate({ request }, callback) {
    const { firstOperand, secondOperand, operation } = request;
    callback(null, {
      result: operation === Operation.SUBTRACT ? firstOperand - secondOperand : firstOperand + secondOperand,
    });
  },
  calculateStream(call) {
    call.emit("error", { code: status.UNIMPLEMENTED, details: "not part of the floor" });
  },
});
server.bindAsync(
  `${process.env.HOST ?? "127.0.0.1"}:${process.env.PORT ?? "50051"}`,
  ServerCredentials.createInsecure(),
  (error) => {
    if (error) throw error;
  },
);
process.on("SIGTERM", () => server.tryShutdown(() => process.exit(0)));
