import {
  type CallCredentials,
  credentials,
  InterceptingCall,
  type Interceptor,
  Metadata,
  status as Status,
} from "@grpc/grpc-js";

/** A function that returns a bearer token for each call (it may cache; it is called per call). */
export type TokenSource = () => string | Promise<string>;

/** How calls authenticate: a token source, or `"google"` for a Google ID token (Cloud Run IAM). */
export type AuthOption = TokenSource | "google";

/** Resolves the `auth` option to a token source; `"google"` loads google-auth-library only now. */
export function tokenSourceFor(auth: AuthOption, audience: string): TokenSource {
  return auth === "google" ? googleIdTokenSource(audience) : auth;
}

/** The header value; a failing or empty token source fails the call with UNAUTHENTICATED. */
async function authorization(source: TokenSource): Promise<string> {
  let token: unknown;
  try {
    token = await source();
  } catch (error) {
    throw Object.assign(
      new Error(`the auth token source failed: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      }),
      {
        code: Status.UNAUTHENTICATED,
      },
    );
  }
  if (typeof token !== "string" || token === "") {
    throw Object.assign(new Error("the auth token source returned no token"), { code: Status.UNAUTHENTICATED });
  }
  return token.startsWith("Bearer ") ? token : `Bearer ${token}`;
}

/** Call credentials that add `authorization: Bearer <token>` to each call (TLS channels). */
export function bearerCallCredentials(source: TokenSource): CallCredentials {
  return credentials.createFromMetadataGenerator((_params, callback) => {
    authorization(source).then(
      (value) => {
        const metadata = new Metadata();
        metadata.set("authorization", value);
        callback(null, metadata);
      },
      (error: Error) => callback(error),
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
          (error: Error) => {
            // Fail the call as grpc-js fails one whose call credentials plugin throws.
            listener.onReceiveStatus?.({
              code: Status.UNAUTHENTICATED,
              details: error.message,
              metadata: new Metadata(),
            });
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
