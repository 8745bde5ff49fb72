import type { DescMethodStreaming, DescMethodUnary, Message } from "@bufbuild/protobuf";
import type { CallKind, MethodDescriptors } from "../core/method.js";

declare const messages: unique symbol;

/**
 * How the web entry describes a method: its protobuf-es descriptor (`CalculatorDesc.method.calculate`, what
 * connect-web takes), narrowed to its kind. protobuf-es descriptors built at run time carry no message types,
 * so the request and response types (ts-proto's, from the same .proto) ride along as a phantom only the
 * compiler sees.
 */
export interface WebMethods extends MethodDescriptors {
  readonly descriptor: WebMethod<this["request"], this["response"], this["kind"]>;
}

/** The protobuf-es descriptor of a method of kind `K` taking `I` and answering `O`. */
export type WebMethod<I, O, K extends CallKind> = Extract<
  DescMethodUnary | DescMethodStreaming,
  { readonly methodKind: K }
> & {
  readonly [messages]?: { readonly request: I; readonly response: O };
};

/*
 * The contract's messages cross between ts-proto's types (the API's) and protobuf-es's shapes (connect-web's)
 * here and only here. Both generators name every field alike (`firstOperand`, `result`), and the contract
 * has only scalar and enum fields, which both represent as numbers, so the shapes agree field for field;
 * what the compiler cannot see, these two functions state.
 */

/** A request (a ts-proto message) as the init shape of the same protobuf-es message. */
export const toProtobufEs = <I>(request: I): Record<string, unknown> => ({ ...(request as Record<string, unknown>) });

/** A response (a protobuf-es message) as the contract's ts-proto type. */
export const fromProtobufEs = <O>(message: Message): O => message as unknown as O;
