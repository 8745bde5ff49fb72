import type { CalculatorService } from "@grpc-calculator/proto";

/** The four kinds of gRPC call, named as protobuf-es names them. */
export type CallKind = "unary" | "server_streaming" | "client_streaming" | "bidi_streaming";

/**
 * How a runtime describes a method of the contract, as a type-level function of the method's request and
 * response types and its kind: `descriptor` is what the runtime's transport takes for such a method (Node:
 * grpc-js's `MethodDefinition`, as generated; web: a protobuf-es `DescMethod`). A runtime declares it as an
 * interface extending this one, written in terms of `this["request"]`, `this["response"]` and
 * `this["kind"]`; {@link MethodOf} applies it.
 */
export interface MethodDescriptors {
  readonly request: unknown;
  readonly response: unknown;
  readonly kind: CallKind;
  readonly descriptor: unknown;
}

/** The descriptor runtime `D` gives a method of kind `K` taking `I` and answering `O`. */
export type MethodOf<D extends MethodDescriptors, I, O, K extends CallKind> = (D & {
  readonly request: I;
  readonly response: O;
  readonly kind: K;
})["descriptor"];

// The contract's methods and their message types, read from the grpc-js service definition that ts-proto
// generates (as a type only: no code of it reaches a bundle).
type Contract = CalculatorService;
type RequestOf<M> = M extends { requestSerialize(value: infer I): unknown } ? I : never;
type ResponseOf<M> = M extends { responseDeserialize(bytes: never): infer O } ? O : never;
type KindOf<M> = M extends { readonly requestStream: true }
  ? M extends { readonly responseStream: true }
    ? "bidi_streaming"
    : "client_streaming"
  : M extends { readonly responseStream: true }
    ? "server_streaming"
    : "unary";

/** Every method of the service by its generated local name (`calculate`, ...), as runtime `D` describes it. */
export type ServiceMethods<D extends MethodDescriptors> = {
  readonly [K in keyof Contract]: MethodOf<D, RequestOf<Contract[K]>, ResponseOf<Contract[K]>, KindOf<Contract[K]>>;
};

/** The kind of a method from the streaming flags its generated grpc-js definition carries. */
export function callKind(method: { readonly requestStream: boolean; readonly responseStream: boolean }): CallKind {
  if (method.requestStream) return method.responseStream ? "bidi_streaming" : "client_streaming";
  return method.responseStream ? "server_streaming" : "unary";
}
