import { HealthCheckResponse_ServingStatus as ServingStatus, HealthClient } from "@grpc-calculator/proto/health";
import { Metadata } from "@grpc/grpc-js";
import type { CalculatorError } from "../core/calculator-error.js";
import { toCalculatorError } from "./call.js";
import { type ConnectionOptions, resolveConnection } from "./connection.js";

/** A serving status by name: `"SERVING"`, `"NOT_SERVING"`, `"UNKNOWN"`, `"SERVICE_UNKNOWN"`. */
export type ServingStatusName = keyof typeof ServingStatus;

/**
 * `grpc.health.v1.Health/Check` against a target: the serving status of `service` ("" = the whole
 * server), with the grpc-js client generated from grpc's health.proto in `@grpc-calculator/proto/health`.
 */
export async function checkHealth(
  target: string,
  options: ConnectionOptions & { readonly service?: string; readonly timeoutMs: number },
): Promise<ServingStatusName> {
  const connection = resolveConnection(target, options);
  const client = new HealthClient(connection.target.address, connection.credentials, connection.clientOptions);
  try {
    return await new Promise((resolve, reject: (error: CalculatorError) => void) => {
      client.check(
        { service: options.service ?? "" },
        new Metadata(),
        { deadline: Date.now() + options.timeoutMs },
        (error, response) => {
          if (error) reject(toCalculatorError(error));
          else resolve(ServingStatus[response.status] as ServingStatusName);
        },
      );
    });
  } finally {
    client.close();
  }
}
