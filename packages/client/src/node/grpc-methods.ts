import type { MethodDefinition } from "@grpc/grpc-js";
import type { MethodDescriptors } from "../core/method.js";

/**
 * How the Node entry describes a method: grpc-js's `MethodDefinition`, which is what ts-proto generates for
 * each method of the service (`CalculatorService.calculate`: path, streaming flags, serializers).
 */
export interface GrpcMethods extends MethodDescriptors {
  readonly descriptor: MethodDefinition<this["request"], this["response"]>;
}
