// The API reference page: the contract's OpenAPI document (generated from calculator.proto and published as
// @grpc-calculator/proto/openapi.json, read at build time) rendered by Swagger UI, whose try-it form calls the
// service this page is configured for. Everything is bundled: the page loads nothing from elsewhere.
import openapi from "@grpc-calculator/proto/openapi.json" with { type: "json" };
import SwaggerUI from "swagger-ui-dist/swagger-ui-es-bundle.js";
import "swagger-ui-dist/swagger-ui.css";
import "./api.css";
import { serviceUrl } from "../service-url.js";
import { servedBy } from "./served-by.js";

const service = serviceUrl(window.location, import.meta.env);
document.getElementById("service")!.textContent = `Try it calls ${service}`;
// Back to the calculator, configured for the same service.
document.querySelector<HTMLAnchorElement>("#calculator-link")!.search = window.location.search;

SwaggerUI({
  domNode: document.getElementById("api"),
  spec: servedBy(openapi, service),
  // Swagger UI's default sends the document to validator.swagger.io for a badge: this page calls nobody but
  // the service.
  validatorUrl: "none",
  // The page's own `?service=` stays ours: no `?url=`/`?configUrl=` can point the page at another document.
  queryConfigEnabled: false,
  displayRequestDuration: true,
});
