import { makeGenericClientConstructor, Metadata } from "@grpc/grpc-js";
import type { HealthCheckResponse__Output } from "grpc-health-check/build/src/generated/grpc/health/v1/HealthCheckResponse.js";
import type { CalculatorError } from "../calculator-error.js";
import { toCalculatorError } from "./call.js";
import { type ConnectionOptions, resolveConnection } from "./connection.js";

type HealthClient = InstanceType<ReturnType<typeof makeGenericClientConstructor>>;
type CheckMethod = (
  request: { service: string },
  metadata: Metadata,
  options: { deadline: number },
  callback: (error: Error | null, response?: HealthCheckResponse__Output) => void,
) => void;

/**
 * `grpc.health.v1.Health/Check` against a target: the serving status (`"SERVING"`, `"NOT_SERVING"`, ...)
 * of `service` ("" = the whole server). The service definition is grpc-health-check's, loaded from the
 * health.proto it ships (imported only when a health check is asked for: it parses the .proto at load).
 */
export async function checkHealth(
  target: string,
  options: ConnectionOptions & { readonly service?: string; readonly timeoutMs: number },
): Promise<HealthCheckResponse__Output["status"]> {
  const { service: healthService } = await import("grpc-health-check");
  const connection = resolveConnection(target, options);
  const Client = makeGenericClientConstructor(healthService, "grpc.health.v1.Health");
  const client: HealthClient = new Client(connection.target.address, connection.credentials, connection.clientOptions);
  try {
    return await new Promise((resolve, reject: (error: CalculatorError) => void) => {
      const check = (client as unknown as { check: CheckMethod }).check.bind(client);
      check(
        { service: options.service ?? "" },
        new Metadata(),
        { deadline: Date.now() + options.timeoutMs },
        (error, response) => {
          if (error || !response) reject(toCalculatorError(error ?? new Error("empty health answer")));
          else resolve(response.status);
        },
      );
    });
  } finally {
    client.close();
  }
}
