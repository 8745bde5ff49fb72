export { MissingToolError, SETUP_COMMAND, findExecutable, requireExecutable } from "./external-tools.mjs";
export { nodeBinary, nodeRuntimes } from "./node-runtimes.mjs";
export { writeTestCertificate } from "./test-certificate.mjs";
