/**
 * The oracle for the property tests and the fuzzer: the calculator's documented rule (calculator.proto's
 * header) computed independently of the server. The server computes in double and rounds with Math.fround;
 * this computes the exact rational result with BigInt and rounds it to the nearest float32 (ties to even)
 * with its own code, so a wrong result in either rounding path shows up as a disagreement. (For +, -, ×
 * and ÷ of float32 operands the double-then-float32 route is known to give the correctly rounded result:
 * 53 ≥ 2·24 + 2 bits, so double rounding is innocuous. That is what these checks confirm, they do not
 * assume it.) NaN/±Infinity operands, unknown operations and division by zero are INVALID_ARGUMENT; a
 * result past float32's range is OUT_OF_RANGE.
 */
import { status } from "@grpc/grpc-js";
import { Operation } from "@grpc-calculator/proto";

export type Expected = { readonly ok: true; readonly result: number } | { readonly ok: false; readonly code: status };

/** A finite value as sign × numerator / denominator, exactly; denominator > 0, numerator ≥ 0. */
interface Rational {
  readonly negative: boolean;
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/** The exact value of a finite double, read from its IEEE 754 bits. */
function exactValue(value: number): Rational {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const biasedExponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  // value = significand × 2^exponent
  const significand = biasedExponent === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biasedExponent === 0 ? 1 : biasedExponent) - 1075;
  return exponent >= 0
    ? { negative, numerator: significand << BigInt(exponent), denominator: 1n }
    : { negative, numerator: significand, denominator: 1n << BigInt(-exponent) };
}

function add(a: Rational, b: Rational): Rational {
  const left = (a.negative ? -a.numerator : a.numerator) * b.denominator;
  const right = (b.negative ? -b.numerator : b.numerator) * a.denominator;
  const sum = left + right;
  return { negative: sum < 0n, numerator: sum < 0n ? -sum : sum, denominator: a.denominator * b.denominator };
}

const negate = (a: Rational): Rational => ({ ...a, negative: !a.negative });
const isZero = (a: Rational): boolean => a.numerator === 0n;
const bitLength = (n: bigint): number => n.toString(2).length;

const FLOAT32_SIGNIFICAND_BITS = 24;
const FLOAT32_MIN_EXPONENT = -149; // the least significant bit of the smallest subnormal, 2^-149
const FLOAT32_LIMIT = 128; // 2^128: the first power of two past the largest finite float32

/** |x| rounded to the nearest float32 (ties to even), or undefined when that rounds past the largest float32. */
function roundToFloat32(x: Rational): number | undefined {
  const { numerator: p, denominator: q } = x;
  if (p === 0n) return 0;
  // e = floor(log2(p / q))
  let e = bitLength(p) - bitLength(q);
  if ((e >= 0 ? p : p << BigInt(-e)) < (e >= 0 ? q << BigInt(e) : q)) e -= 1;
  // The weight of the result's last significand bit: 24 bits below a normal's leading bit, never below 2^-149.
  const k = Math.max(e - (FLOAT32_SIGNIFICAND_BITS - 1), FLOAT32_MIN_EXPONENT);
  const scaledNumerator = k <= 0 ? p << BigInt(-k) : p;
  const scaledDenominator = k <= 0 ? q : q << BigInt(k);
  let n = scaledNumerator / scaledDenominator;
  const twiceRemainder = 2n * (scaledNumerator % scaledDenominator);
  if (twiceRemainder > scaledDenominator || (twiceRemainder === scaledDenominator && n % 2n === 1n)) n += 1n;
  // n × 2^k, n ≤ 2^24: past 2^128 is beyond the largest float32 (3.4028234663852886e38).
  if (bitLength(n) - 1 + k >= FLOAT32_LIMIT) return undefined;
  return Number(n) * 2 ** k; // exact: n has at most 25 bits and 2^k is a normal double
}

export function expectedOutcome(first: number, second: number, operation: number): Expected {
  if (!Number.isFinite(first) || !Number.isFinite(second)) return { ok: false, code: status.INVALID_ARGUMENT };
  const a = exactValue(first);
  const b = exactValue(second);
  let exact: Rational;
  let signOfZero: boolean; // a zero result's sign bit, by IEEE 754's rules for round-to-nearest
  switch (operation as Operation) {
    case Operation.ADD:
      exact = add(a, b);
      signOfZero = a.negative && b.negative; // -0 + -0 = -0; x + -x = +0
      break;
    case Operation.SUBTRACT:
      exact = add(a, negate(b));
      signOfZero = a.negative && !b.negative; // -0 - +0 = -0; x - x = +0
      break;
    case Operation.MULTIPLY:
      exact = {
        negative: a.negative !== b.negative,
        numerator: a.numerator * b.numerator,
        denominator: a.denominator * b.denominator,
      };
      signOfZero = exact.negative;
      break;
    case Operation.DIVIDE:
      if (isZero(b)) return { ok: false, code: status.INVALID_ARGUMENT };
      exact = {
        negative: a.negative !== b.negative,
        numerator: a.numerator * b.denominator,
        denominator: a.denominator * b.numerator,
      };
      signOfZero = exact.negative;
      break;
    default:
      return { ok: false, code: status.INVALID_ARGUMENT }; // not a value of Operation
  }
  const magnitude = roundToFloat32(exact);
  if (magnitude === undefined) return { ok: false, code: status.OUT_OF_RANGE };
  // A nonzero exact result that rounds to zero keeps its own sign (underflow), an exact zero takes signOfZero.
  const negative = isZero(exact) ? signOfZero : exact.negative;
  return { ok: true, result: negative ? -magnitude : magnitude };
}
