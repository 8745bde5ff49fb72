// Generates everything derived from the contracts into src/gen/ (git-ignored):
//   - calculator.ts            ts-proto types and codecs of calculator.proto, no RPC library (buf.gen.yaml):
//                              the package root and `./messages` (safe for browsers);
//   - grpc-js/calculator.ts    the grpc-js service definition and client (buf.gen.grpc-js.yaml): the root
//                              re-exports only its service symbols;
//   - grpc-js/grpc/health/v1/health.ts
//                              grpc's health.proto, the one the grpc-health-check package ships (pinned
//                              devDependency), for the server and the CLI (`./health`); the .proto is
//                              published too (`./health.proto`), so the server's reflection describes it;
//   - google/rpc/*.ts          google.rpc's Status and error details, every codec (buf.gen.errors.yaml): the root,
//                              for servers; errors/google/rpc/*.ts the same with `decode` alone: `./errors`;
//   - calculator.binpb         the binary FileDescriptorSet with source info (`buf build`), published;
//   - calculator-comments.binpb the same before the imports' source info is dropped, for the OpenAPI document;
//   - descriptor-set.ts        the same bytes as a module, so bundles (the server's) need no file at run time;
//   - protobuf-es.ts           calculator.proto embedded as protoc-gen-es embeds it (`fileDesc`, no source
//                              info) and its services as protobuf-es descriptors (`./protobuf-es`): what
//                              @connectrpc/connect-web takes, ~0.5 KB instead of the 4 KB descriptor set.
// The `buf` binary ships inside the @bufbuild/buf npm package: nothing here uses the network.
import { execFileSync } from "node:child_process";
import { Buffer } from "node:buffer";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { clone, createFileRegistry, fromBinary, toBinary } from "@bufbuild/protobuf";
import { embedFileDesc } from "@bufbuild/protobuf/codegenv2";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";

/** google.rpc's Status and the standard error details, which every error of the contract carries. */
const ERROR_FILES = ["google/rpc/code.proto", "google/rpc/error_details.proto", "google/rpc/status.proto"];
const GOOGLEAPIS_FILES = ["google/api/annotations.proto", "google/api/http.proto", ...ERROR_FILES];

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const gen = join(root, "src/gen");
const require = createRequire(join(root, "package.json"));
const buf = (...args) => execFileSync(join(root, "node_modules/.bin/buf"), args, { cwd: root, stdio: "inherit" });

rmSync(gen, { recursive: true, force: true });
mkdirSync(gen, { recursive: true });

// The googleapis files the contract and its errors use, copied from the pinned google-proto-files package
// (Google's own protos on npm) beside calculator.proto, under proto/google/ (git-ignored, published): what
// calculator.proto imports resolves there, so proto/ is a whole import root for every tool given the
// published .proto (protoc -I, grpcurl -import-path, proto-loader, buf curl --schema). google.api.http (REST
// routes), google.rpc.Status and its error details (the details every error carries).
const googleapis = dirname(require.resolve("google-proto-files/package.json"));
rmSync(join(root, "proto/google"), { recursive: true, force: true });
for (const file of GOOGLEAPIS_FILES) {
  mkdirSync(dirname(join(root, "proto", file)), { recursive: true });
  cpSync(join(googleapis, file), join(root, "proto", file));
}

// grpc's health.proto under its canonical name (grpc/health/v1/health.proto), as other servers report it.
const health = join(gen, "proto/grpc/health/v1/health.proto");
mkdirSync(dirname(health), { recursive: true });
cpSync(join(dirname(require.resolve("grpc-health-check/package.json")), "proto/health/v1/health.proto"), health);

// The contract and the error details its errors carry; google.api's files are only options of the
// contract, read from the descriptor set, and need no code.
const CONTRACT = ["proto/calculator.proto", ...ERROR_FILES.map((file) => `proto/${file}`)];
const paths = (files) => files.flatMap((file) => ["--path", file]);
buf("generate", "--path", "proto/calculator.proto");
// google.rpc's, with every codec (servers) and with `decode` alone (`./errors`, clients): buf.gen.errors.yaml.
buf("generate", "--template", "buf.gen.errors.yaml", ...paths(CONTRACT.slice(1)));
buf("generate", "--template", "buf.gen.grpc-js.yaml", "--path", "proto/calculator.proto");
buf("generate", "src/gen/proto", "--template", "buf.gen.grpc-js.yaml");
// ts-proto also writes a module for each file the generated ones import, even one imported only for
// its options: google.api's annotations (and descriptor.proto under them) are read from the descriptor
// set at run time and need no code; nothing imports these modules.
for (const dir of ["", "grpc-js/"]) {
  rmSync(join(gen, dir, "google/api"), { recursive: true, force: true });
  rmSync(join(gen, dir, "google/protobuf/descriptor.ts"), { force: true });
}
buf("build", "-o", "src/gen/calculator.binpb", ...paths(CONTRACT));
// The same set with every file's comments, for the OpenAPI document's descriptions of google.rpc's error
// details too (scripts/openapi.mjs; not published).
cpSync(join(gen, "calculator.binpb"), join(gen, "calculator-comments.binpb"));

// The set keeps calculator.proto's comments (reflection shows them) and drops the source info of the
// files it imports (google/protobuf/descriptor.proto's alone is ~100 KB of it): what the server embeds.
const set = fromBinary(FileDescriptorSetSchema, readFileSync(join(gen, "calculator.binpb")));
for (const file of set.file) if (file.name !== "calculator.proto") file.sourceCodeInfo = undefined;
const bytes = Buffer.from(toBinary(FileDescriptorSetSchema, set));
writeFileSync(join(gen, "calculator.binpb"), bytes);
writeFileSync(
  join(gen, "descriptor-set.ts"),
  `// Generated by scripts/generate.mjs from \`buf build\`. Do not edit.
/** The google.protobuf.FileDescriptorSet of calculator.proto (with source info), as bytes. */
export const fileDescriptorSet: Uint8Array = Buffer.from(
  "${bytes.toString("base64")}",
  "base64",
);
`,
);

// protobuf-es descriptors: one `fileDesc` per file of the set that declares a service, one `serviceDesc`
// per service, each typed with its methods' local names and kinds, as protoc-gen-es writes them (without
// its message types: ts-proto's are this package's types). A client needs the messages and methods, with
// the methods' `idempotency_level` (connect-web's GET): a file's imports are dropped when its messages use
// none of their types (calculator.proto imports google.api's annotations for its REST routes, options a
// client never reads), and with them the options they define.
const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, bytes));
const lines = [];
for (const file of registry.files) {
  if (file.services.length === 0) continue;
  const fileConst = `file_${file.name.replace(/\.proto$/, "").replace(/\W/g, "_")}`;
  const proto = clone(FileDescriptorProtoSchema, file.proto);
  const foreign = file.messages.flatMap((message) => message.fields).filter((field) => field.message ?? field.enum);
  if (foreign.every((field) => (field.message ?? field.enum)?.file === file)) {
    proto.dependency = [];
    for (const method of proto.service.flatMap((service) => service.method)) {
      if (method.options !== undefined) method.options.$unknown = undefined;
    }
  }
  lines.push(
    `/** ${file.proto.name}, embedded without source info. */`,
    `export const ${fileConst}: DescFile = /*@__PURE__*/ fileDesc("${embedFileDesc(proto).base64()}");`,
  );
  file.services.forEach((service, index) => {
    const methods = service.methods.map((method) => `${method.localName}: Method<"${method.methodKind}">`).join("; ");
    lines.push(
      `/** service ${service.typeName}: ${service.methods.map((m) => `${m.name} (${m.methodKind})`).join(", ")}. */`,
      `export const ${service.name}Desc = /*@__PURE__*/ serviceDesc<{ ${methods} }>(${fileConst}, ${index});`,
    );
  });
}
writeFileSync(
  join(gen, "protobuf-es.ts"),
  `// Generated by scripts/generate.mjs from \`buf build\`. Do not edit.
import type { DescFile, DescMessage, DescMethod } from "@bufbuild/protobuf";
import { fileDesc, serviceDesc } from "@bufbuild/protobuf/codegenv2";

/** A method of the given kind, so that e.g. \`CalculatorDesc.method.calculate\` is a \`DescMethodUnary\`. */
type Method<Kind extends DescMethod["methodKind"]> = { methodKind: Kind; input: DescMessage; output: DescMessage };

${lines.join("\n")}
`,
);
