/**
 * gRPC status codes by number, as grpc/doc/statuscodes.md defines them and every gRPC, gRPC-Web and Connect
 * implementation uses them. Written out here because neither runtime's library may be loaded by the other
 * (grpc-js's `status` is Node only; Connect's `Code` spells CANCELLED "Canceled"); a test checks this table
 * against grpc-js's `status` enum.
 */
export const statusNames = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED",
] as const;

/** A gRPC status code name: `"INVALID_ARGUMENT"`, `"UNAVAILABLE"`, ... */
export type StatusName = (typeof statusNames)[number];

/** The number of a status code name: `statusCode("UNAVAILABLE")` is 14. */
export const statusCode = (name: StatusName): number => statusNames.indexOf(name);
