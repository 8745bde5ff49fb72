// The test suites' tools: the Node runtimes they run on and the external programs they drive.
export { MissingToolError, SETUP_COMMAND, findExecutable, requireExecutable } from "./external-tools.mjs";
export { nodeBinary, nodeRuntimes } from "./node-runtimes.mjs";
export { writeTestCertificate } from "./test-certificate.mjs";
