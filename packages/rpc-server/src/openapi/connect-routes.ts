/**
 * The Connect protocol's unary calls (https://connectrpc.com/docs/protocol/) as HTTP operations:
 * `POST /{service}/{method}` with the request message as its JSON body, and, for a method marked
 * `idempotency_level = NO_SIDE_EFFECTS`, `GET /{service}/{method}?encoding=json&message=…`, which
 * caches may keep. Streaming methods have Connect's enveloped stream bodies, which OpenAPI cannot
 * describe: the document leaves them out (gRPC, gRPC-Web and Connect clients call them).
 */
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { headerProtocolVersion, headerTimeout, protocolVersion } from "@connectrpc/connect/protocol-connect";
import { cacheHeaders } from "./cache-header.js";
import { comment } from "./comments.js";
import type { ErrorResponses } from "./errors.js";
import type { RouteContext } from "./route-context.js";
import { firstSentence, paragraphs } from "./text.js";
import type { Operation, Parameter, PathItem, Response } from "./types.js";

const PROTOCOL_VERSION: Parameter = {
  name: headerProtocolVersion,
  in: "header",
  description: "The Connect protocol version. Optional here; Connect clients send it.",
  schema: { type: "string", enum: [protocolVersion] },
};

const TIMEOUT: Parameter = {
  name: headerTimeout,
  in: "header",
  description:
    "The call's time limit in milliseconds (at most 10 digits): past it the call ends with `deadline_exceeded`.",
  schema: { type: "string", pattern: "^[0-9]{1,10}$" },
};

/** The unary methods of a service, as Connect operations, by path. */
export function connectRoutes(
  service: DescService,
  context: RouteContext,
  errors: ErrorResponses,
): Record<string, PathItem> {
  const paths: Record<string, PathItem> = {};
  for (const method of service.methods) {
    if (method.methodKind !== "unary") continue;
    const operation = connectOperation(method, context, errors);
    paths[`/${service.typeName}/${method.name}`] = {
      ...(method.idempotency === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS
        ? { get: connectGetOperation(method, context, operation) }
        : {}),
      post: operation,
    };
  }
  return paths;
}

function connectOperation(method: DescMethod, context: RouteContext, errors: ErrorResponses): Operation {
  const about = comment(method);
  return {
    operationId: `${method.parent.typeName}_${method.name}`,
    summary: `Connect: ${about === undefined ? method.name : firstSentence(about)}`,
    description: paragraphs(
      about,
      `The Connect protocol's unary call of \`${method.parent.typeName}.${method.name}\`: the request message as ` +
        "the JSON body (`Content-Type: application/json`), the response message as the JSON answer. Connect clients " +
        "may send the binary protobuf encoding instead (`application/proto`), and compress either (`Content-Encoding`).",
    ),
    tags: [method.parent.typeName],
    ...(method.deprecated ? { deprecated: true } : {}),
    parameters: [PROTOCOL_VERSION, TIMEOUT],
    requestBody: {
      description: `${method.input.typeName} as proto3 JSON. ${context.requestLimit}`,
      required: true,
      content: { "application/json": { schema: context.schemas.ref(method.input) } },
    },
    responses: {
      "200": answer(method, context),
      ...errors.refs,
    },
  };
}

/** A successful call's answer: the response message as JSON. */
function answer(method: DescMethod, context: RouteContext): Response {
  return {
    description: `${method.output.typeName} as proto3 JSON.`,
    content: { "application/json": { schema: context.schemas.ref(method.output) } },
  };
}

/** The same call as a GET: Connect's rule for methods without side effects. */
function connectGetOperation(method: DescMethod, context: RouteContext, post: Operation): Operation {
  return {
    operationId: `${post.operationId}_get`,
    summary: post.summary.replace(/^Connect:/, "Connect GET:"),
    description: paragraphs(
      comment(method),
      `The same call as \`POST /${method.parent.typeName}/${method.name}\`, as a GET (the method has no side effects, ` +
        "so caches may keep its answers): the request message is the `message` query parameter.",
    ),
    tags: post.tags,
    ...(post.deprecated === true ? { deprecated: true } : {}),
    parameters: [
      {
        name: "connect",
        in: "query",
        description: "The Connect protocol version. Optional here; Connect clients send it.",
        schema: { type: "string", enum: [`v${protocolVersion}`] },
      },
      {
        name: "encoding",
        in: "query",
        required: true,
        description: "The request's encoding: `json` here (Connect clients may send `proto`, with `base64=1`).",
        schema: { type: "string", enum: ["json"] },
      },
      {
        name: "message",
        in: "query",
        required: true,
        description: `${method.input.typeName} as proto3 JSON, percent-encoded. ${context.requestLimit}`,
        content: { "application/json": { schema: context.schemas.ref(method.input) } },
      },
      TIMEOUT,
    ],
    responses: { ...post.responses, "200": { ...answer(method, context), headers: cacheHeaders(method) } },
  };
}
