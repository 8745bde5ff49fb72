/**
 * A service as the engine serves it: the method table read from the contract's generated grpc-js
 * service definition (ts-proto's `outputServices=grpc-js`: each method's path, call kind and binary
 * codec), the implementation's handler for each method, and the descriptor set the web protocols
 * read JSON with. Nothing here, nor anywhere in the engine, names a service or a method: a method
 * added to the .proto is served on every protocol once its handler exists.
 */
import { BinaryWriter } from "@bufbuild/protobuf/wire";
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
  /** "grpc.testing.TestService": the fully-qualified service name. */
  readonly service: string;
  /** "UnaryCall" */
  readonly name: string;
  /** "/grpc.testing.TestService/UnaryCall": the HTTP path of every protocol. */
  readonly path: string;
  /** The handler's name in the implementation ("unaryCall"). */
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
  /** "grpc.testing.TestService" */
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

/** A message's codec as ts-proto generates it (`encode` into a given writer). */
export interface MessageCodec<T = unknown> {
  encode(message: T, writer?: BinaryWriter): { finish(): Uint8Array };
}

/**
 * ts-proto's generic definition of the same service (`outputServices=generic-definitions`): its
 * methods by the same names, each with its message codecs.
 */
export interface GenericServiceDefinition {
  readonly methods: Readonly<Record<string, { readonly responseType: MessageCodec<never> }>>;
}

// One writer for every answer: encoding is synchronous, and finish() hands back a copy and resets it.
const writer = new BinaryWriter();

/**
 * The method table entry of one generated method. With the message codec of its response
 * (`responseType`), answers are encoded with one reused writer: the grpc-js serializer makes a
 * writer and a copy per answer (measured by the bench's profile: ~0.6 µs of `ensureCapacity` and the
 * garbage for the collector, per call).
 */
export function methodInfo<I, O>(
  localName: string,
  definition: MethodDefinition<I, O>,
  responseType?: MessageCodec<O>,
): MethodInfo<I, O> {
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
    encode:
      responseType === undefined
        ? definition.responseSerialize
        : (message) => responseType.encode(message, writer).finish(),
  };
}

export interface DefineServiceOptions {
  /** The contract's FileDescriptorSet (for JSON on the web protocols, see ServiceRegistration). */
  readonly descriptorSet?: Uint8Array | undefined;
  /**
   * The same service's generic definition, when the contract is generated with
   * `outputServices=generic-definitions` too: the engine then encodes answers with the messages' own
   * codecs and one reused writer (see `methodInfo`). Optional: a speed-up, not a behaviour.
   */
  readonly messages?: GenericServiceDefinition | undefined;
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
    const responseType = options.messages?.methods[localName]?.responseType as MessageCodec | undefined;
    if (options.messages !== undefined && responseType === undefined) {
      throw new Error(`the generic definition given for ${method.path} has no method ${localName}`);
    }
    return { method: methodInfo(localName, method as MethodDefinition, responseType), handler };
  });
  const names = new Set(methods.map((entry) => entry.method.service));
  if (names.size !== 1) throw new Error(`a service definition names one service, not ${[...names].join(", ")}`);
  return { name: [...names][0] ?? "", definition, methods, descriptorSet: options.descriptorSet };
}
