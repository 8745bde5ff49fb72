/** What every protocol's operations are built with. */
import type { Registry } from "@bufbuild/protobuf";
import type { ComponentSchemas } from "./json-schema.js";

export interface RouteContext {
  readonly registry: Registry;
  readonly schemas: ComponentSchemas;
  /** The request size limit, as a sentence for request descriptions. */
  readonly requestLimit: string;
}
