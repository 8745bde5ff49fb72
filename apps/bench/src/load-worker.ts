// The Node load generator, run in its own process (pinned to the load core): drives a server through the
// client SDK or through a raw grpc-js client generated from the contract, unary or streaming, for a
// warm-up then a timed window, and prints one JSON line: {"opsPerSec": …, "cpuUsPerOp": …, "completed": …}
// (cpuUsPerOp: this process's CPU time per operation in the window, the client's own cost per call).
//
//   node --import tsx src/load-worker.ts --port P --client sdk|raw --mode unary|stream \
//     --connections 16 --streams 16 --warmup-ms 1000 --duration-ms 3000
import { parseArgs } from "node:util";
import { credentials, type ServiceError } from "@grpc/grpc-js";
import { createCalculatorClient } from "@grpc-calculator/client";
import { CalculatorClient, type BinaryOperation, type CalculationResult } from "@grpc-calculator/proto";
import { expectedResult, sampleOperation } from "./grpc-wire.js";

/** One connection's worth of load: unary calls, or one stream fed until `running()` turns false. */
interface Driver {
  unary(): Promise<number>;
  stream(operations: AsyncIterable<BinaryOperation>, onResult: (result: number) => void): Promise<void>;
  close(): void;
}

/** Unanswered operations a raw stream may have in flight (the SDK's calculateMany bounds them too). */
const maxInFlight = 1024;

// Each driver gets its own connection: grpc-js otherwise shares one subchannel between equal channels.
const ownConnection = { "grpc.use_local_subchannel_pool": 1 };

function sdkDriver(port: number): Driver {
  const client = createCalculatorClient(`127.0.0.1:${port}`, { channelOptions: ownConnection });
  return {
    unary: () => client.calculate(sampleOperation),
    async stream(operations, onResult) {
      for await (const result of client.calculateMany(operations)) onResult(result);
    },
    close: () => client.close(),
  };
}

function rawDriver(port: number): Driver {
  const client = new CalculatorClient(`127.0.0.1:${port}`, credentials.createInsecure(), ownConnection);
  return {
    unary: () =>
      new Promise((resolve, reject) =>
        client.calculate(sampleOperation, (error: ServiceError | null, response?: CalculationResult) =>
          error ? reject(error) : resolve(response!.result),
        ),
      ),
    async stream(operations, onResult) {
      // grpc-js acknowledges writes long before the server has them, so `write()` backpressure alone lets
      // a writer run far ahead of the answers; like the SDK, bound the unanswered operations.
      const call = client.calculateStream();
      let unanswered = 0;
      let wake: (() => void) | undefined;
      const done = new Promise<void>((resolve, reject) => {
        call.on("data", (response: CalculationResult) => {
          unanswered -= 1;
          wake?.();
          onResult(response.result);
        });
        call.on("end", resolve);
        call.on("error", reject);
      });
      const pump = async (): Promise<void> => {
        for await (const operation of operations) {
          while (unanswered >= maxInFlight) await new Promise<void>((resolve) => (wake = resolve));
          unanswered += 1;
          if (!call.write(operation)) await new Promise((resolve) => call.once("drain", resolve));
        }
        call.end();
      };
      // A failed call rejects `done` at once, even while the pump waits.
      await Promise.all([done, pump()]);
    },
    close: () => client.close(),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      client: { type: "string", default: "sdk" },
      mode: { type: "string", default: "unary" },
      connections: { type: "string", default: "16" },
      streams: { type: "string", default: "16" },
      "warmup-ms": { type: "string", default: "1000" },
      "duration-ms": { type: "string", default: "3000" },
    },
  });
  const port = Number(values.port);
  const connections = Number(values.connections);
  const streams = Number(values.streams);
  const warmupMs = Number(values["warmup-ms"]);
  const durationMs = Number(values["duration-ms"]);
  const makeDriver = values.client === "raw" ? rawDriver : sdkDriver;
  const drivers = Array.from({ length: connections }, () => makeDriver(port));

  let counting = false;
  let running = true;
  let completed = 0;
  const check = (result: number): void => {
    if (result !== expectedResult) throw new Error(`wrong result ${result}`);
    if (counting) completed += 1;
  };
  // An async source, as calculateMany's callers write one; the consumer's backpressure paces it.
  // eslint-disable-next-line @typescript-eslint/require-await
  async function* operations(): AsyncGenerator<BinaryOperation> {
    while (running) yield sampleOperation;
  }

  const loops: Promise<void>[] = [];
  for (const driver of drivers) {
    if (values.mode === "stream") {
      for (let s = 0; s < streams; s++) loops.push(driver.stream(operations(), check));
    } else {
      for (let s = 0; s < streams; s++) {
        loops.push(
          (async () => {
            while (running) check(await driver.unary());
          })(),
        );
      }
    }
  }
  const failed = Promise.all(loops).then(() => undefined);
  const timer = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  await Promise.race([timer(warmupMs), failed]);
  counting = true;
  const startedAt = performance.now();
  const cpuAtStart = process.cpuUsage();
  await Promise.race([timer(durationMs), failed]);
  counting = false;
  const elapsedMs = performance.now() - startedAt;
  const cpu = process.cpuUsage(cpuAtStart);
  running = false;
  await failed;
  for (const driver of drivers) driver.close();
  process.stdout.write(
    `${JSON.stringify({ opsPerSec: (completed / elapsedMs) * 1_000, cpuUsPerOp: (cpu.user + cpu.system) / completed, completed })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`load-worker: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
