import { readFileSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { isCalculatorError } from "../core/calculator-error.js";
import { formatFloat32 } from "../core/float32.js";
import { Operation, operationFromJSON } from "@grpc-calculator/proto/messages";
import { createCalculatorClient } from "./client.js";
import { operandProblem, operationNames } from "../core/operation.js";
import { DEFAULT_PLAINTEXT_PORT } from "../core/target.js";
import type { ConnectionOptions } from "./connection.js";
import { checkHealth } from "./health-check.js";

/**
 * Operator symbols the CLI accepts besides the operation names, which come from the generated `Operation`
 * enum (`add`, `divide`, ..., any case): a new operation is a word of the CLI without an edit here, and a
 * symbol only where one is wanted. `x`: no shell quoting.
 */
const operatorSymbols: ReadonlyMap<string, Operation> = new Map([
  ["+", Operation.ADD],
  ["-", Operation.SUBTRACT],
  ["x", Operation.MULTIPLY],
  ["*", Operation.MULTIPLY],
  ["×", Operation.MULTIPLY],
  ["/", Operation.DIVIDE],
  ["÷", Operation.DIVIDE],
]);
/** The operation words: the enum's names in lower case. */
const operationWords = operationNames.map((name) => name.toLowerCase());
/** The ASCII symbols, as usage shows them (`×` and `÷` work too). */
const asciiSymbols = [...operatorSymbols.keys()].filter((symbol) => /^[\x20-\x7e]$/.test(symbol));

interface GlobalOptions {
  target: string;
  plaintext?: true;
  caFile?: string;
  token?: string;
  json?: true;
  timeout: number;
}

/** Exit codes: 0 success, 1 the call failed (or the server is not serving), 2 bad command line. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** An operand: a number the SDK's input rules accept (core/operation.ts), else a usage error. */
function parseOperand(text: string): number {
  const value = text.trim() === "" ? Number.NaN : Number(text);
  if (Number.isNaN(value)) throw new InvalidArgumentError(`not a finite number: ${text}`);
  const problem = operandProblem(value);
  if (problem !== undefined) throw new InvalidArgumentError(`${text} ${problem}`);
  return value;
}

function parseOperator(text: string): Operation {
  const operation = operatorSymbols.get(text) ?? operationFromJSON(text.toUpperCase());
  if (operation === Operation.UNRECOGNIZED) {
    throw new InvalidArgumentError(`use ${asciiSymbols.join(" ")} or ${operationWords.join(", ")}`);
  }
  return operation;
}

function parseTimeout(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new InvalidArgumentError("a positive number of milliseconds");
  return value;
}

function connectionOptions(options: GlobalOptions): ConnectionOptions {
  return {
    ...(options.plaintext ? { tls: false } : {}),
    ...(options.caFile ? { rootCertificates: readFileSync(options.caFile) } : {}),
    ...(options.token ? { auth: () => options.token ?? "" } : {}),
  };
}

/** One line for a failure a user can act on. */
function describeFailure(error: unknown, target: string, timeoutMs: number): string {
  if (!isCalculatorError(error)) return error instanceof Error ? error.message : String(error);
  if (error.codeName === "UNAVAILABLE" && /ECONNREFUSED/.test(error.details)) {
    return `cannot connect to ${target}: connection refused (is the server running?)`;
  }
  if (error.codeName === "UNAVAILABLE" && /No connection established|Last error/.test(error.details)) {
    return `cannot connect to ${target}: ${error.details.replace(/^No connection established\. Last error: (Error: )?/, "").replace(/\. Resolution note:.*$/, "")}`;
  }
  if (error.codeName === "DEADLINE_EXCEEDED")
    return `no answer from ${target} within ${timeoutMs} ms (DEADLINE_EXCEEDED)`;
  // The request fields the server refused, from its details (google.rpc.BadRequest), never from the message.
  const fields = error.fieldViolations.map((violation) => violation.field);
  return `${error.details} (${[error.codeName, ...fields.map((field) => `field ${field}`)].join(", ")})`;
}

/** Runs the `calculator` command line; resolves to the exit code. Output goes to stdout, errors to stderr. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const fail = (line: string) => process.stderr.write(`calculator: ${line}\n`);
  let exitCode = 0;

  const withConnectionOptions = (command: Command) =>
    command
      .addOption(
        new Option("-t, --target <target>", "server: host:port, dns:///host:port, https://host or http://host:port")
          .default(`localhost:${DEFAULT_PLAINTEXT_PORT}`)
          .env("CALCULATOR_TARGET"),
      )
      .option("--plaintext", "no TLS, even for a non-loopback target")
      .option("--ca-file <path>", "PEM file of root certificate(s) to trust instead of the system roots (implies TLS)")
      .addOption(
        new Option(
          "--token <token>",
          'bearer token for a private service, e.g. "$(gcloud auth print-identity-token)"',
        ).env("CALCULATOR_TOKEN"),
      )
      .option("--json", "print JSON")
      .option("--timeout <ms>", "deadline of the call in milliseconds", parseTimeout, 10_000);

  const program = new Command("calculator")
    .description("Calls the grpc-calculator service.")
    .exitOverride()
    .configureOutput({
      writeErr: (text) => process.stderr.write(text),
      writeOut: (text) => process.stdout.write(text),
      outputError: (text, write) => write(`calculator: ${text.replace(/^error: /, "")}`),
    });

  withConnectionOptions(
    program
      .command("calc", { isDefault: true })
      .description(
        "compute <first> <operator> <second>, e.g. `calculator 2 + 3`, `calculator 10 / 4 --target host:443`",
      )
      .argument("<first>", "a number", parseOperand)
      .argument(
        "<operator>",
        `${asciiSymbols.join(" ")} (quote * in a shell) or ${operationWords.join(", ")}`,
        parseOperator,
      )
      .argument("<second>", "a number", parseOperand),
  ).action(async (first: number, operation: Operation, second: number, options: GlobalOptions) => {
    try {
      await using calculator = createCalculatorClient(options.target, {
        ...connectionOptions(options),
        timeoutMs: options.timeout,
      });
      const result = formatFloat32(
        await calculator.calculate({ firstOperand: first, secondOperand: second, operation }),
      );
      out(options.json ? JSON.stringify({ result }) : String(result));
    } catch (error) {
      fail(describeFailure(error, options.target, options.timeout));
      exitCode = EXIT_FAILURE;
    }
  });

  withConnectionOptions(
    program
      .command("health")
      .description("grpc.health.v1 Check: prints the serving status; exit code 0 only when SERVING")
      .option("--service <name>", 'the service to check ("" = the whole server)', ""),
  ).action(async (options: GlobalOptions & { service: string }) => {
    try {
      const status = await checkHealth(options.target, {
        ...connectionOptions(options),
        service: options.service,
        timeoutMs: options.timeout,
      });
      out(options.json ? JSON.stringify({ status }) : status);
      if (status !== "SERVING") exitCode = EXIT_FAILURE;
    } catch (error) {
      fail(describeFailure(error, options.target, options.timeout));
      exitCode = EXIT_FAILURE;
    }
  });

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version print and exit 0; parse errors were already printed by commander
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    fail(error instanceof Error ? error.message : String(error));
    return EXIT_USAGE;
  }
}
