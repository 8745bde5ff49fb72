interface ImportMetaEnv {
  /** The calculator service's base URL for this build (default: the page's origin). */
  readonly VITE_CALCULATOR_URL?: string;
  /** `connect` (default) or `grpc-web`. */
  readonly VITE_CALCULATOR_PROTOCOL?: string;
}

/** swagger-ui-dist's self-contained ES bundle is the `swagger-ui` package's API, which @types/swagger-ui describes. */
declare module "swagger-ui-dist/swagger-ui-es-bundle.js" {
  import SwaggerUI from "swagger-ui";
  export default SwaggerUI;
}
