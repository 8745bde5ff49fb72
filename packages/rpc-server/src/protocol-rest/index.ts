/**
 * `@grpc-calculator/rpc-server/rest`: how the engine reads a method's `google.api.http` rule — its HTTP
 * bindings and the path templates they route by — for tools that describe or call the routes (a bench, a
 * document generator). Not on the root entry: these modules load protobuf-es's reflection, which the
 * engine itself loads only with the web protocols, on the first web request, so that gRPC's start
 * carries none of it (~30 ms of a start on Node 24 when the root re-exported them).
 */
export {
  bindingFields,
  httpBindings,
  HttpRuleError,
  type BindingFields,
  type HttpBinding,
  type PathField,
  type QueryParameter,
} from "./http-rule.js";
export {
  parsePathTemplate,
  PathTemplateError,
  type PathTemplate,
  type TemplateSegment,
  type TemplateVariable,
} from "./path-template.js";
