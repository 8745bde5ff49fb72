// The calculator page: two numbers, an operator, the answer, through the SDK's web entry.
import {
  createCalculatorClient,
  formatFloat32,
  isCalculatorError,
  type OperationName,
  operationNames,
} from "@grpc-calculator/client/web";
import { pageConfig } from "./config.js";

/** How the page writes an operation; one the contract adds later is offered under its name until it gets a symbol here. */
const symbols: Partial<Record<OperationName, string>> = { ADD: "+", SUBTRACT: "−", MULTIPLY: "×", DIVIDE: "÷" };
const symbol = (name: OperationName): string => symbols[name] ?? name.toLowerCase();

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = element<HTMLFormElement>("calculator");
const first = element<HTMLInputElement>("first");
const second = element<HTMLInputElement>("second");
const operator = element<HTMLSelectElement>("operator");
const answer = element<HTMLOutputElement>("answer");

// The operators are the contract's operations, in the proto's order (operationNames comes from the generated enum).
for (const name of operationNames) {
  const label = symbols[name] === undefined ? name.toLowerCase() : `${symbols[name]} ${name.toLowerCase()}`;
  operator.add(new Option(label, name));
}

const config = pageConfig(window.location, import.meta.env);
const calculator = createCalculatorClient(config.service, { protocol: config.protocol });
element("service").textContent = `Service: ${calculator.target.address} (${config.protocol.name})`;
// The API reference, configured for the same service.
element<HTMLAnchorElement>("api-link").search = window.location.search;

const show = (text: string, isError = false) => {
  answer.textContent = text;
  answer.classList.toggle("error", isError);
};

/** A number as people type it ("2,5" too); undefined when it is not one. */
const parse = (text: string): number | undefined => {
  const value = Number(text.trim().replace(",", "."));
  return text.trim() === "" || !Number.isFinite(value) ? undefined : value;
};

/** What a failure means to the person at the page. */
function describe(error: unknown): string {
  if (!isCalculatorError(error)) return `Something went wrong: ${String(error)}`;
  if (error.codeName === "UNAVAILABLE") return "Network failure: the calculator service could not be reached.";
  if (error.codeName === "DEADLINE_EXCEEDED") return "The calculator service did not answer in time.";
  return `The service says: ${error.details}`;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const a = parse(first.value);
  const b = parse(second.value);
  if (a === undefined || b === undefined) {
    show("Enter two numbers.", true);
    (a === undefined ? first : second).focus();
    return;
  }
  const operation = operator.value as OperationName;
  form.setAttribute("aria-busy", "true");
  show("…");
  calculator
    .calculate({ firstOperand: a, secondOperand: b, operation })
    .then(
      (result) => show(`${a} ${symbol(operation)} ${b} = ${formatFloat32(result)}`),
      (error: unknown) => show(describe(error), true),
    )
    .finally(() => form.removeAttribute("aria-busy"));
});
