interface ImportMetaEnv {
  /** The calculator service's base URL for this build (default: the page's origin). */
  readonly VITE_CALCULATOR_URL?: string;
  /** `connect` (default) or `grpc-web`. */
  readonly VITE_CALCULATOR_PROTOCOL?: string;
}
