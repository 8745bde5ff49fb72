/**
 * The contract as connect-es and protobuf-es need it: service and method descriptors built at run
 * time from each service's descriptor set (what `buf build` writes; no second code generator), the
 * JSON codec of each method, and the JSON options every web path reads and writes with.
 *
 * Handlers see the messages of the contract's generated code (ts-proto); protobuf-es messages exist
 * only for JSON and for connect-es, and go from one to the other through the binary format, which
 * both read and write alike (a float field's JSON number becomes a float32 on the way).
 */
import {
  createFileRegistry,
  fromBinary,
  toBinary,
  type DescMethod,
  type DescService,
  type FileRegistry,
  type JsonReadOptions,
  type JsonWriteOptions,
  type Message,
} from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { createMethodSerializationLookup, type Serialization } from "@connectrpc/connect/protocol";
import type { ServerLimits } from "../limits.js";
import type { MethodInfo, ServiceRegistration } from "../service.js";

/**
 * proto3 JSON, strictly: a field or enum name the contract does not have is INVALID_ARGUMENT, never
 * silently dropped (connect-es ignores unknown fields by default, which would turn a misspelt field
 * into its default value). Zero values are written (`{"result":0}`, not `{}`): clearer for `curl`
 * users, and equal in meaning to any proto3 JSON reader.
 */
export const JSON_OPTIONS: Partial<JsonReadOptions & JsonWriteOptions> = {
  ignoreUnknownFields: false,
  alwaysEmitImplicit: true,
};

/** A served service as protobuf-es describes it, with the registry of its whole descriptor set. */
export interface ServiceDescriptor {
  readonly service: DescService;
  /**
   * Every type and extension of the set: what its methods' options (google.api.http) and the Anys of
   * its errors' details are read with.
   */
  readonly registry: FileRegistry;
}

/** Each served service that has a descriptor set, by service name. */
export function serviceDescriptors(services: readonly ServiceRegistration[]): Map<string, ServiceDescriptor> {
  const descriptors = new Map<string, ServiceDescriptor>();
  for (const service of services) {
    if (service.descriptorSet === undefined) continue;
    const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, service.descriptorSet));
    const descriptor = registry.getService(service.name);
    if (descriptor === undefined) throw new Error(`the descriptor set given for ${service.name} does not hold it`);
    descriptors.set(service.name, { service: descriptor, registry });
  }
  return descriptors;
}

/** A method's messages between the generated code's objects, protobuf-es messages and JSON. */
export interface MethodCodec {
  readonly descriptor: DescMethod;
  /** The request of a JSON body (throws connect-es's ConnectError for bad JSON). */
  readonly requestFromJson: (body: Uint8Array) => unknown;
  /** The response as a JSON body. */
  readonly responseToJson: (response: unknown) => Uint8Array;
  /** A protobuf-es request as the handler's message. */
  readonly requestFromMessage: (message: Message) => unknown;
  /** The handler's response as a protobuf-es message. */
  readonly responseToMessage: (response: unknown) => Message;
}

export function methodCodec(method: MethodInfo, descriptor: DescMethod, limits: ServerLimits): MethodCodec {
  const json = createMethodSerializationLookup(descriptor, undefined, JSON_OPTIONS, {
    readMaxBytes: limits.maxReceiveMessageBytes,
    writeMaxBytes: limits.maxSendMessageBytes,
  });
  const requestJson: Serialization<Message> = json.getI(false);
  const responseJson: Serialization<Message> = json.getO(false);
  const requestFromMessage = (message: Message): unknown => method.decode(toBinary(descriptor.input, message));
  const responseToMessage = (response: unknown): Message => fromBinary(descriptor.output, method.encode(response));
  return {
    descriptor,
    requestFromJson: (body) => requestFromMessage(requestJson.parse(body)),
    responseToJson: (response) => responseJson.serialize(responseToMessage(response)),
    requestFromMessage,
    responseToMessage,
  };
}
