/** A method's messages in the protobuf binary format, with the engine's errors for bytes that do not parse. */
import { wireErrors } from "../call-error.js";
import type { MethodInfo } from "../service.js";

/** The request in `bytes`, or the INTERNAL error they raise (gRPC's code for a message that does not parse). */
export function decodeMessage(method: MethodInfo, bytes: Uint8Array): unknown {
  try {
    return method.decode(bytes);
  } catch (error) {
    return wireErrors.cannotParse(error);
  }
}
