import { type CallCredentials, credentials, InterceptingCall, type Interceptor, Metadata } from "@grpc/grpc-js";
import type { CalculatorError } from "../core/calculator-error.js";
import { authorization, type TokenSource } from "../core/token.js";

/** How calls authenticate: a token source, or `"google"` for a Google ID token (Cloud Run IAM). */
export type AuthOption = TokenSource | "google";

/** Resolves the `auth` option to a token source; `"google"` loads google-auth-library only now. */
export function tokenSourceFor(auth: AuthOption, audience: string): TokenSource {
  return auth === "google" ? googleIdTokenSource(audience) : auth;
}

/** The error grpc-js reports for a failed token: its `code` and, as the message, the client's details. */
const asGrpcError = (error: CalculatorError) => Object.assign(new Error(error.details), { code: error.code });

/** Call credentials that add `authorization: Bearer <token>` to each call (TLS channels). */
export function bearerCallCredentials(source: TokenSource): CallCredentials {
  return credentials.createFromMetadataGenerator((_params, callback) => {
    authorization(source).then(
      (value) => {
        const metadata = new Metadata();
        metadata.set("authorization", value);
        callback(null, metadata);
      },
      (error: CalculatorError) => callback(asGrpcError(error)),
    );
  });
}

/**
 * The same header for plaintext channels, where grpc-js refuses call credentials (so tokens are not
 * sent in the clear by accident): an interceptor, used only when the caller chose plaintext (a local
 * server, a test, a sidecar) and also asked for auth.
 */
export function bearerInterceptor(source: TokenSource): Interceptor {
  return (options, nextCall) =>
    new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        authorization(source).then(
          (value) => {
            metadata.set("authorization", value);
            next(metadata, listener);
          },
          (error: CalculatorError) => {
            // Fail the call as grpc-js fails one whose call credentials plugin throws.
            listener.onReceiveStatus?.({ code: error.code, details: error.details, metadata: new Metadata() });
          },
        );
      },
    });
}

interface IdTokenClientLike {
  getRequestHeaders(): Promise<Headers | Record<string, string>>;
}
interface GoogleAuthModule {
  GoogleAuth: new () => { getIdTokenClient(audience: string): Promise<IdTokenClientLike> };
}

/**
 * ID tokens from google-auth-library (an optional peer dependency, imported only here): on Cloud Run,
 * GCE or GKE from the metadata server, locally from a service account key. The library caches the
 * token and refreshes it before it expires. The audience is the service URL, `https://host`.
 */
function googleIdTokenSource(audience: string): TokenSource {
  let client: Promise<IdTokenClientLike> | undefined;
  return async () => {
    client ??= (import("google-auth-library") as Promise<GoogleAuthModule>)
      .then(
        ({ GoogleAuth }) => new GoogleAuth().getIdTokenClient(audience),
        (error: unknown) => {
          throw new Error('auth: "google" needs the google-auth-library package (npm install google-auth-library)', {
            cause: error,
          });
        },
      )
      .catch((error: unknown) => {
        client = undefined; // try again on the next call (credentials may appear, e.g. after `gcloud auth`)
        throw error;
      });
    const headers = await (await client).getRequestHeaders();
    const value =
      headers instanceof Headers ? headers.get("authorization") : (headers.authorization ?? headers.Authorization);
    if (!value) throw new Error("google-auth-library returned no authorization header");
    return value;
  };
}
