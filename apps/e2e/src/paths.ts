import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: the server image's build context. */
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
/** This package's directory. */
export const e2eRoot = fileURLToPath(new URL("../", import.meta.url));
/** Where the suite writes its reports (git-ignored). */
export const resultsDir = join(e2eRoot, ".results");
/** The server's Dockerfile, relative to the build context. */
export const dockerfile = "packages/server/Dockerfile";
/** The script that builds local stand-ins for the Dockerfile's base images. */
export const baseImagesScript = join(repoRoot, "packages/server/docker/build-base-images.sh");
