import { CalculatorError } from "./calculator-error.js";
import { statusCode } from "./status.js";

/** A function that returns a bearer token for each call (it may cache; it is called per call). */
export type TokenSource = () => string | Promise<string>;

/**
 * The `authorization` header value from a token source (`Bearer <token>`; a value that already starts
 * with "Bearer " is kept). A source that fails or returns nothing fails the call with UNAUTHENTICATED,
 * before it is sent.
 */
export async function authorization(source: TokenSource): Promise<string> {
  const unauthenticated = (details: string, cause?: unknown) =>
    new CalculatorError(statusCode("UNAUTHENTICATED"), details, { cause });
  let token: unknown;
  try {
    token = await source();
  } catch (error) {
    throw unauthenticated(
      `the auth token source failed: ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
  }
  if (typeof token !== "string" || token === "") throw unauthenticated("the auth token source returned no token");
  return token.startsWith("Bearer ") ? token : `Bearer ${token}`;
}
