/**
 * The reliability suite's reusable parts: the hostile case table (run it against any server, e.g. the
 * container in the e2e suite), the raw HTTP/2 and TCP clients, gRPC framing, the seeded wire fuzzer,
 * the server-process harness and the report writer.
 */
export { abuseLimits } from "./private/abuse-cases.js";
export {
  framingCases,
  hostileCases,
  httpCases,
  metadataCases,
  protobufCases,
  runCase,
  describe as describeOutcome,
  type CaseKind,
  type CaseResult,
  type CaseRun,
  type HostileCase,
} from "./hostile-cases.js";
export { slowWebCases, webCases } from "./web-cases.js";
export {
  decodeFrames,
  decodeResult,
  encodeFrame,
  requestBody,
  requestFrame,
  type DecodedFrames,
  type FrameOptions,
} from "./grpc-frame.js";
export {
  authority,
  calculateRaw,
  connect,
  grpcHeaders,
  rawCall,
  rawCallOnce,
  rawTcp,
  type RawCallRequest,
  type RawOutcome,
  type Target,
  type TcpOutcome,
} from "./raw-client.js";
export {
  defaultBundlePath,
  readFdCount,
  readRssBytes,
  startServerProcess,
  type ExitInfo,
  type ServerProcess,
  type StartOptions,
} from "./server-process.js";
export {
  clearSections,
  mergeSections,
  recordSection,
  renderTable,
  writeReport,
  type ReliabilityReport,
  type ReportSection,
  type ResourceFigures,
} from "./report.js";
