/**
 * gRPC server reflection, v1 and v1alpha, answered from the descriptor sets that `buf build` wrote
 * (the calculator's, published by @grpc-calculator/proto, and grpc's own health and reflection
 * protos, generated in this package), so `grpcurl`/`buf curl` work without the .proto files.
 *
 * Why not @grpc/reflection 1.0.4: it rebuilds descriptors with protobufjs, registers a service of a
 * proto with no package as `.Calculator` (so clients list `.Calculator` and then fail to find
 * `Calculator`) and names the health service's map entry `Statuses` instead of `StatusesEntry`;
 * it also parses .proto files at start. Serving the exact bytes `buf build` produced avoids all of
 * that; the two protocol versions share one implementation since their messages are identical on
 * the wire.
 */
import type { DescriptorProto, FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { status, type ServerDuplexStream } from "@grpc/grpc-js";
import type {
  ServerReflectionRequest,
  ServerReflectionResponse,
  ServerReflectionServer,
} from "./gen/grpc/reflection/v1/reflection.js";

export { ServerReflectionService as ReflectionV1Service } from "./gen/grpc/reflection/v1/reflection.js";
export { ServerReflectionService as ReflectionV1AlphaService } from "./gen/grpc/reflection/v1alpha/reflection.js";

interface IndexedFile {
  readonly proto: FileDescriptorProto;
  /** The file's own serialized FileDescriptorProto. */
  readonly bytes: Uint8Array;
}

/** Files by name and by every symbol they declare, built on the first reflection request. */
class DescriptorIndex {
  readonly files = new Map<string, IndexedFile>();
  readonly symbols = new Map<string, IndexedFile>();
  /** `.pkg.Message` → extension numbers declared for it, over all files. */
  readonly extensions = new Map<string, Map<number, IndexedFile>>();

  /** Decodes the descriptor sets; @bufbuild/protobuf loads only now, keeping it off the start path. */
  static async load(sets: readonly Uint8Array[]): Promise<DescriptorIndex> {
    const [{ fromBinary, toBinary }, { FileDescriptorProtoSchema, FileDescriptorSetSchema }] = await Promise.all([
      import("@bufbuild/protobuf"),
      import("@bufbuild/protobuf/wkt"),
    ]);
    const index = new DescriptorIndex();
    for (const set of sets) {
      for (const proto of fromBinary(FileDescriptorSetSchema, set).file) {
        if (index.files.has(proto.name)) continue;
        const file: IndexedFile = { proto, bytes: toBinary(FileDescriptorProtoSchema, proto) };
        index.files.set(proto.name, file);
        index.#indexFile(file);
      }
    }
    return index;
  }

  private constructor() {}

  #indexFile(file: IndexedFile): void {
    const { proto } = file;
    const prefix = proto.package === "" ? "" : `${proto.package}.`;
    const add = (name: string) => this.symbols.set(name, file);
    for (const service of proto.service) {
      add(prefix + service.name);
      for (const method of service.method) add(`${prefix}${service.name}.${method.name}`);
    }
    for (const enumType of proto.enumType) {
      add(prefix + enumType.name);
      // Enum values are scoped to the enum's parent, as in protoc's descriptor pool.
      for (const value of enumType.value) add(prefix + value.name);
    }
    for (const message of proto.messageType) this.#indexMessage(file, prefix + message.name, message);
    for (const extension of proto.extension) {
      add(prefix + extension.name);
      this.#addExtension(file, extension.extendee, extension.number);
    }
  }

  #indexMessage(file: IndexedFile, name: string, message: DescriptorProto): void {
    this.symbols.set(name, file);
    for (const field of message.field) this.symbols.set(`${name}.${field.name}`, file);
    for (const oneof of message.oneofDecl) this.symbols.set(`${name}.${oneof.name}`, file);
    for (const enumType of message.enumType) {
      this.symbols.set(`${name}.${enumType.name}`, file);
      for (const value of enumType.value) this.symbols.set(`${name}.${value.name}`, file);
    }
    for (const nested of message.nestedType) this.#indexMessage(file, `${name}.${nested.name}`, nested);
    for (const extension of message.extension) {
      this.symbols.set(`${name}.${extension.name}`, file);
      this.#addExtension(file, extension.extendee, extension.number);
    }
  }

  #addExtension(file: IndexedFile, extendee: string, number: number): void {
    const key = extendee.startsWith(".") ? extendee.slice(1) : extendee;
    let numbers = this.extensions.get(key);
    if (numbers === undefined) this.extensions.set(key, (numbers = new Map<number, IndexedFile>()));
    numbers.set(number, file);
  }

  /** The file and every file it imports, transitively, the file itself first. */
  withDependencies(file: IndexedFile): Uint8Array[] {
    const seen = new Set<string>();
    const out: Uint8Array[] = [];
    const visit = (current: IndexedFile) => {
      if (seen.has(current.proto.name)) return;
      seen.add(current.proto.name);
      out.push(current.bytes);
      for (const dependency of current.proto.dependency) {
        const imported = this.files.get(dependency);
        if (imported !== undefined) visit(imported);
      }
    };
    visit(file);
    return out;
  }
}

function stripDot(name: string): string {
  return name.startsWith(".") ? name.slice(1) : name;
}

/**
 * Answers reflection requests about `services` (full service names, e.g. "Calculator") from the
 * given binary FileDescriptorSets. The returned handlers serve both v1 and v1alpha.
 */
export function createReflection(
  services: readonly string[],
  descriptorSets: readonly Uint8Array[],
): ServerReflectionServer {
  let loading: Promise<DescriptorIndex> | undefined;
  const loadIndex = () => (loading ??= DescriptorIndex.load(descriptorSets));

  const notFound = (message: string): Partial<ServerReflectionResponse> => ({
    errorResponse: { errorCode: status.NOT_FOUND, errorMessage: message },
  });
  const answer = (
    descriptors: DescriptorIndex,
    request: ServerReflectionRequest,
  ): Partial<ServerReflectionResponse> => {
    const files = (file: IndexedFile | undefined, what: string): Partial<ServerReflectionResponse> =>
      file === undefined
        ? notFound(`${what} not found`)
        : {
            fileDescriptorResponse: {
              fileDescriptorProto: descriptors.withDependencies(file).map((bytes) => Buffer.from(bytes)),
            },
          };
    if (request.listServices !== undefined) {
      return { listServicesResponse: { service: services.map((name) => ({ name })) } };
    }
    if (request.fileByFilename !== undefined) {
      return files(descriptors.files.get(request.fileByFilename), `file ${JSON.stringify(request.fileByFilename)}`);
    }
    if (request.fileContainingSymbol !== undefined) {
      const symbol = stripDot(request.fileContainingSymbol);
      return files(descriptors.symbols.get(symbol), `symbol ${JSON.stringify(symbol)}`);
    }
    if (request.fileContainingExtension !== undefined) {
      const { containingType, extensionNumber } = request.fileContainingExtension;
      const type = stripDot(containingType);
      return files(
        descriptors.extensions.get(type)?.get(extensionNumber),
        `extension ${extensionNumber} of ${JSON.stringify(type)}`,
      );
    }
    if (request.allExtensionNumbersOfType !== undefined) {
      const type = stripDot(request.allExtensionNumbersOfType);
      if (!descriptors.symbols.has(type)) return notFound(`type ${JSON.stringify(type)} not found`);
      return {
        allExtensionNumbersResponse: {
          baseTypeName: type,
          extensionNumber: [...(descriptors.extensions.get(type)?.keys() ?? [])],
        },
      };
    }
    return { errorResponse: { errorCode: status.INVALID_ARGUMENT, errorMessage: "request names no reflection query" } };
  };

  return {
    serverReflectionInfo: (call: ServerDuplexStream<ServerReflectionRequest, ServerReflectionResponse>) => {
      // Answers stay in request order: each waits for the one before it.
      let previous: Promise<unknown> = Promise.resolve();
      const after = (step: (descriptors: DescriptorIndex) => void) => {
        previous = previous.then(loadIndex).then(step, (error: unknown) => {
          call.emit("error", { code: status.INTERNAL, details: `reflection unavailable: ${String(error)}` });
        });
      };
      call.on("data", (request: ServerReflectionRequest) => {
        after((descriptors) =>
          call.write({ validHost: request.host, originalRequest: request, ...answer(descriptors, request) }),
        );
      });
      call.on("end", () => after(() => call.end()));
    },
  };
}
