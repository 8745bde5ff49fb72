/**
 * grpc's interop TestService on @grpc-calculator/rpc-server: the service, and a server of it (gRPC,
 * Connect and gRPC-Web on one port, HTTP/2 and HTTP/1.1).
 */
import { startRpcServer, type RpcServer } from "@grpc-calculator/rpc-server";
import { testService } from "./test-service.js";

export { ECHO_INITIAL, ECHO_TRAILING, testService } from "./test-service.js";

export interface InteropServerOptions {
  /** Default 8080; 0 for any free port (`RpcServer.port` tells which). */
  readonly port?: number | undefined;
  /** Default `::` (all interfaces, falling back to 0.0.0.0 where IPv6 is off). */
  readonly host?: string | undefined;
}

export function startInteropServer(options: InteropServerOptions = {}): Promise<RpcServer> {
  return startRpcServer({ services: [testService], port: options.port ?? 8080, host: options.host });
}
