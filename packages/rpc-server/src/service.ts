/**
 * A service as the engine serves it: the method table read from the contract's generated grpc-js
 * service definition (ts-proto's `outputServices=grpc-js`: each method's path, call kind and binary
 * codec), the implementation's handler for each method, and the descriptor set the web protocols
 * read JSON with. Nothing here, nor anywhere in the engine, names a service or a method: a method
 * added to the .proto is served on every protocol once its handler exists.
 */
import type { CallContext } from "./call-context.js";

/** The four call kinds of gRPC, as `requestStream`/`responseStream` make them. */
export type MethodKind = "unary" | "server_streaming" | "client_streaming" | "bidi_streaming";

/** One entry of a generated grpc-js service definition (what ts-proto writes for each rpc). */
export interface MethodDefinition<I = unknown, O = unknown> {
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  readonly requestSerialize: (value: I) => Buffer;
  readonly requestDeserialize: (bytes: Buffer) => I;
  readonly responseSerialize: (value: O) => Buffer;
  readonly responseDeserialize: (bytes: Buffer) => O;
}

/** Any generated method definition, whatever its message types. */
export interface AnyMethodDefinition {
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  readonly requestSerialize: (value: never) => Buffer;
  readonly requestDeserialize: (bytes: Buffer) => unknown;
  readonly responseSerialize: (value: never) => Buffer;
  readonly responseDeserialize: (bytes: Buffer) => unknown;
}

/** A generated grpc-js service definition: the handler's name → its method. */
export type ServiceDefinition = Readonly<Record<string, AnyMethodDefinition>>;

/** A method of a service, as every protocol names it, with its codec. */
export interface MethodInfo<I = unknown, O = unknown> {
  /** "Calculator", "grpc.testing.TestService": the fully-qualified service name. */
  readonly service: string;
  /** "Calculate" */
  readonly name: string;
  /** "/Calculator/Calculate": the HTTP path of every protocol. */
  readonly path: string;
  /** The handler's name in the implementation ("calculate"). */
  readonly localName: string;
  readonly kind: MethodKind;
  /** Whether the client sends a stream of requests (client streaming, bidi), and the server a stream of responses. */
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  /** The request from its protobuf bytes; throws on bytes that do not parse. */
  readonly decode: (bytes: Uint8Array) => I;
  /** The response's protobuf bytes. */
  readonly encode: (message: O) => Uint8Array;
}

/** What the implementation of a method of kind `kind` is. */
export type UnaryHandler<I, O> = (request: I, context: CallContext) => O | PromiseLike<O>;
export type ServerStreamingHandler<I, O> = (request: I, context: CallContext) => Iterable<O> | AsyncIterable<O>;
export type ClientStreamingHandler<I, O> = (requests: AsyncIterable<I>, context: CallContext) => O | PromiseLike<O>;
export type BidiStreamingHandler<I, O> = (
  requests: AsyncIterable<I>,
  context: CallContext,
) => Iterable<O> | AsyncIterable<O>;

type RequestOf<M> = M extends { readonly requestDeserialize: (bytes: Buffer) => infer I } ? I : never;
type ResponseOf<M> = M extends { readonly responseDeserialize: (bytes: Buffer) => infer O } ? O : never;

/** The handler a method definition asks for, by its call kind. */
export type HandlerFor<M> = M extends { readonly requestStream: true; readonly responseStream: true }
  ? BidiStreamingHandler<RequestOf<M>, ResponseOf<M>>
  : M extends { readonly requestStream: true }
    ? ClientStreamingHandler<RequestOf<M>, ResponseOf<M>>
    : M extends { readonly responseStream: true }
      ? ServerStreamingHandler<RequestOf<M>, ResponseOf<M>>
      : UnaryHandler<RequestOf<M>, ResponseOf<M>>;

/** A service's implementation: one handler per method of its definition, each typed by its call kind. */
export type ServiceImplementation<D> = { readonly [K in keyof D]: HandlerFor<D[K]> };

/** Any handler, as the engine holds it. */
export type AnyHandler =
  | UnaryHandler<unknown, unknown>
  | ServerStreamingHandler<unknown, unknown>
  | ClientStreamingHandler<unknown, unknown>
  | BidiStreamingHandler<unknown, unknown>;

/** A method and the handler that serves it. */
export interface MethodEntry {
  readonly method: MethodInfo;
  readonly handler: AnyHandler;
}

/** A service ready to serve: `defineService`'s result. */
export interface ServiceRegistration {
  /** "Calculator" */
  readonly name: string;
  /** The generated definition, as grpc-js takes it. */
  readonly definition: ServiceDefinition;
  readonly methods: readonly MethodEntry[];
  /**
   * The contract's `google.protobuf.FileDescriptorSet` (what `buf build` writes), which holds this
   * service: the web protocols read and write JSON from it. Without it, JSON calls are refused.
   */
  readonly descriptorSet: Uint8Array | undefined;
}

export function methodKind(definition: Pick<MethodDefinition, "requestStream" | "responseStream">): MethodKind {
  if (definition.requestStream) return definition.responseStream ? "bidi_streaming" : "client_streaming";
  return definition.responseStream ? "server_streaming" : "unary";
}

/** The method table entry of one generated method. */
export function methodInfo<I, O>(localName: string, definition: MethodDefinition<I, O>): MethodInfo<I, O> {
  const [, service = "", name = ""] = definition.path.split("/");
  return {
    service,
    name,
    path: definition.path,
    localName,
    kind: methodKind(definition),
    requestStream: definition.requestStream,
    responseStream: definition.responseStream,
    decode: (bytes) =>
      definition.requestDeserialize(
        Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      ),
    encode: definition.responseSerialize,
  };
}

export interface DefineServiceOptions {
  /** The contract's FileDescriptorSet (for JSON on the web protocols, see ServiceRegistration). */
  readonly descriptorSet?: Uint8Array | undefined;
}

/**
 * A service to serve: its generated definition and its implementation, one handler per method
 * (a missing one is an error at start, never a silent UNIMPLEMENTED).
 */
export function defineService<D extends ServiceDefinition>(
  definition: D,
  implementation: ServiceImplementation<D>,
  options: DefineServiceOptions = {},
): ServiceRegistration {
  const methods = Object.entries(definition).map(([localName, method]): MethodEntry => {
    const handler = (implementation as Readonly<Record<string, AnyHandler | undefined>>)[localName];
    if (typeof handler !== "function") throw new Error(`no handler for ${method.path} (${localName})`);
    return { method: methodInfo(localName, method as MethodDefinition), handler };
  });
  const names = new Set(methods.map((entry) => entry.method.service));
  if (names.size !== 1) throw new Error(`a service definition names one service, not ${[...names].join(", ")}`);
  return { name: [...names][0] ?? "", definition, methods, descriptorSet: options.descriptorSet };
}
