import { status } from "@grpc/grpc-js";
import { expect, it } from "vitest";
import { statusCode, statusNames } from "../src/core/status.js";

it("names every gRPC status code as grpc-js's status enum does", () => {
  const grpcJs = Object.entries(status).filter(([, value]) => typeof value === "number");
  expect(statusNames.map((name, code) => [name, code])).toEqual(grpcJs);
  expect(statusCode("UNAVAILABLE")).toBe(status.UNAVAILABLE);
});
