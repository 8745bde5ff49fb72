/**
 * `@grpc-calculator/proto/protobuf-es`: calculator.proto as protobuf-es (`@bufbuild/protobuf` v2)
 * descriptors, generated from the same `buf build` as everything else: `file_calculator` (a `DescFile`)
 * and `CalculatorDesc` (the `Calculator` service, a `DescService` whose `method.calculate` and
 * `method.calculateStream` are typed). What `@connectrpc/connect` clients, transports and routers take.
 */
export * from "./gen/protobuf-es.js";
