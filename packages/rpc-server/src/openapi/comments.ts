/**
 * The .proto comments of a descriptor, from its file's source info (`buf build` keeps it unless told
 * not to): what the document's descriptions are. A set without source info gives no descriptions.
 *
 * Written here, ~40 lines, rather than taken from @bufbuild/protoplugin's `getComments`: that package
 * brings TypeScript 5.4 and @typescript/vfs (its transpiler) into the engine for this one function.
 */
import type {
  DescEnum,
  DescEnumValue,
  DescField,
  DescFile,
  DescMessage,
  DescMethod,
  DescService,
} from "@bufbuild/protobuf";

export type Commented = DescMessage | DescEnum | DescEnumValue | DescField | DescService | DescMethod;

// Field numbers in google.protobuf.FileDescriptorProto and the messages under it, which source
// info paths are made of (descriptor.proto).
const FILE_MESSAGE_TYPE = 4;
const FILE_ENUM_TYPE = 5;
const FILE_SERVICE = 6;
const FILE_SYNTAX = 12;
const MESSAGE_FIELD = 2;
const MESSAGE_NESTED_TYPE = 3;
const MESSAGE_ENUM_TYPE = 4;
const ENUM_VALUE = 2;
const SERVICE_METHOD = 2;

/** The source info path of a descriptor: the field numbers and indexes that lead to it from its file. */
function sourcePath(desc: Commented): number[] {
  switch (desc.kind) {
    case "message":
      return desc.parent === undefined
        ? [FILE_MESSAGE_TYPE, desc.file.proto.messageType.indexOf(desc.proto)]
        : [...sourcePath(desc.parent), MESSAGE_NESTED_TYPE, desc.parent.proto.nestedType.indexOf(desc.proto)];
    case "enum":
      return desc.parent === undefined
        ? [FILE_ENUM_TYPE, desc.file.proto.enumType.indexOf(desc.proto)]
        : [...sourcePath(desc.parent), MESSAGE_ENUM_TYPE, desc.parent.proto.enumType.indexOf(desc.proto)];
    case "enum_value":
      return [...sourcePath(desc.parent), ENUM_VALUE, desc.parent.proto.value.indexOf(desc.proto)];
    case "field":
      return [...sourcePath(desc.parent), MESSAGE_FIELD, desc.parent.proto.field.indexOf(desc.proto)];
    case "service":
      return [FILE_SERVICE, desc.file.proto.service.indexOf(desc.proto)];
    case "rpc":
      return [...sourcePath(desc.parent), SERVICE_METHOD, desc.parent.proto.method.indexOf(desc.proto)];
  }
}

function fileOf(desc: Commented): DescFile {
  switch (desc.kind) {
    case "enum_value":
    case "field":
    case "rpc":
      return fileOf(desc.parent);
    default:
      return desc.file;
  }
}

/** A comment as written, without the one space after `//` on each line, and without surrounding blank lines. */
const clean = (comment: string): string =>
  comment
    .split("\n")
    .map((line) => line.replace(/^ /, "").trimEnd())
    .join("\n")
    .trim();

function commentsAt(file: DescFile, path: readonly number[]): { leading: string; detached: string[] } | undefined {
  const location = file.proto.sourceCodeInfo?.location.find(
    (l) => l.path.length === path.length && l.path.every((n, i) => n === path[i]),
  );
  if (location === undefined) return undefined;
  return {
    leading: clean(location.leadingComments || location.trailingComments),
    detached: location.leadingDetachedComments.map(clean),
  };
}

/** The comment above a descriptor (or after it, when there is none above), or undefined. */
export function comment(desc: Commented): string | undefined {
  return commentsAt(fileOf(desc), sourcePath(desc))?.leading || undefined;
}

/** A file's header: the comments above its `syntax` statement, or undefined. */
export function fileHeader(file: DescFile): string | undefined {
  const found = commentsAt(file, [FILE_SYNTAX]);
  if (found === undefined) return undefined;
  return [...found.detached, found.leading].filter((c) => c !== "").join("\n\n") || undefined;
}
