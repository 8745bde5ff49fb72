/** The Calculator's methods as every protocol names them, read from the generated service definition. */
import { CalculatorService } from "@grpc-calculator/proto";
import type { MethodInfo } from "../pipeline/call-context.js";

function methodInfo(definition: { readonly path: string; readonly requestStream: boolean }): MethodInfo {
  const [, service = "", name = ""] = definition.path.split("/");
  return { service, name, path: definition.path, streaming: definition.requestStream };
}

export const CALCULATE = methodInfo(CalculatorService.calculate);
export const CALCULATE_STREAM = methodInfo(CalculatorService.calculateStream);
