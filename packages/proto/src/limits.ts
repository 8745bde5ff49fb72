/**
 * The contract's limits: what calculator.proto's header documents and every server of the contract
 * applies (packages/server takes them from here; so does the OpenAPI document).
 */

/**
 * Largest request message a server accepts: 4 KiB (calculator.proto's header says "4 KiB"). A
 * `BinaryOperation` is at most 21 bytes on the wire (two fixed32 floats and a 10-byte negative int32
 * enum); the headroom admits unknown fields that newer clients may add (proto3 says to ignore them)
 * while a claimed-gigabyte message is refused with RESOURCE_EXHAUSTED before any of it is buffered.
 * Over JSON (Connect, REST) the limit is on the body's bytes.
 */
export const MAX_REQUEST_MESSAGE_BYTES = 4 * 1024;
