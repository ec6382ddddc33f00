import { castScalar, intBits, isInt, isUnsigned, type DType } from "../../dtype.js";
import type { BinaryPrimitive, UnaryPrimitive } from "../../ir/primitives.js";
import { digamma, erf, erfc, erfInv, lgamma } from "./special.js";

/**
 * Scalar semantics of the elementwise primitives, shared by eager ops and fused kernels of the
 * reference backend. Values are JS numbers; results are cast to the output dtype by the caller.
 */
export type UnaryFn = (x: number, dtype: DType) => number;
export type BinaryFn = (a: number, b: number, dtype: DType) => number;

const isIntType = isInt;

export const unaryFns: { readonly [P in UnaryPrimitive]: UnaryFn } = {
  neg: (x) => -x,
  sign: (x) => (Number.isNaN(x) ? NaN : x > 0 ? 1 : x < 0 ? -1 : x),
  floor: Math.floor, ceil: Math.ceil,
  // lax.round rounds half away from zero; jnp.round (half to even) is composed in the numpy layer.
  round: (x) => (x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5)),
  abs: Math.abs, exp: Math.exp, exp2: (x) => Math.pow(2, x), log: Math.log, log1p: Math.log1p, expm1: Math.expm1,
  sqrt: Math.sqrt, rsqrt: (x) => 1 / Math.sqrt(x), cbrt: Math.cbrt,
  sin: Math.sin, cos: Math.cos, tan: Math.tan, asin: Math.asin, acos: Math.acos, atan: Math.atan,
  sinh: Math.sinh, cosh: Math.cosh, tanh: Math.tanh, asinh: Math.asinh, acosh: Math.acosh, atanh: Math.atanh,
  logistic: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  erf, erfc, erf_inv: erfInv, lgamma, digamma,
  not: (x, d) => (d === "bool" ? (x ? 0 : 1) : d === "uint32" ? ~x >>> 0 : ~x),
  is_finite: (x) => (Number.isFinite(x) ? 1 : 0),
  square: (x) => x * x,
  reciprocal: (x) => 1 / x,
};

function intDiv(a: number, b: number, d: DType) {
  if (b === 0) return d === "uint32" ? 0xffffffff : -1; // XLA's result for division by zero
  return Math.trunc(a / b);
}

export const binaryFns: { readonly [P in BinaryPrimitive]: BinaryFn } = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b, d) => (d === "int32" ? Math.imul(a, b) : d === "uint32" ? Math.imul(a, b) >>> 0 : a * b),
  div: (a, b, d) => (isIntType(d) ? intDiv(a, b, d) : a / b),
  // lax.rem: C fmod semantics (sign of the dividend).
  rem: (a, b, d) => (isIntType(d) && b === 0 ? a : a % b),
  pow: (a, b, d) => (isIntType(d) ? intPow(a, b) : Math.pow(a, b)),
  max: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
  min: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
  atan2: Math.atan2,
  nextafter: (a, b, d) => nextAfter(a, b, d),
  and: (a, b, d) => (d === "bool" ? (a && b ? 1 : 0) : d === "uint32" ? (a & b) >>> 0 : a & b),
  or: (a, b, d) => (d === "bool" ? (a || b ? 1 : 0) : d === "uint32" ? (a | b) >>> 0 : a | b),
  xor: (a, b, d) => (d === "bool" ? (!!a !== !!b ? 1 : 0) : d === "uint32" ? (a ^ b) >>> 0 : a ^ b),
  eq: (a, b) => (a === b ? 1 : 0), ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0), le: (a, b) => (a <= b ? 1 : 0), gt: (a, b) => (a > b ? 1 : 0), ge: (a, b) => (a >= b ? 1 : 0),
  // Shifts by the width or more give 0 (or the sign, arithmetic), as XLA's; the caller wraps
  // the result to the dtype (int8 1 << 7 = -128).
  shift_left: (a, b, d) => (b >= 32 || b < 0 ? 0 : d === "uint32" ? (a << b) >>> 0 : a << b),
  shift_right_logical: (a, b, d) => (b >= intBits(d) || b < 0 ? 0 : d === "int32" ? (a >>> b) | 0 : (a & (2 ** intBits(d) - 1)) >>> b),
  shift_right_arithmetic: (a, b, d) => (isInt(d) && !isUnsigned(d) ? a >> Math.min(Math.max(b, 0), 31) : b >= 32 ? 0 : a >>> b),
};

function intPow(a: number, b: number) {
  if (b < 0) return a === 1 ? 1 : a === -1 ? (b % 2 === 0 ? 1 : -1) : 0;
  let r = 1, base = a, e = b;
  while (e > 0) { if (e & 1) r = Math.imul(r, base); base = Math.imul(base, base); e >>>= 1; }
  return r;
}

const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
function nextAfter(a: number, b: number, d: DType) {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  if (a === b) return b;
  if (d === "float64") {
    const buf = new Float64Array([a]), bits = new BigInt64Array(buf.buffer);
    if (a === 0) return b > 0 ? Number.MIN_VALUE : -Number.MIN_VALUE;
    bits[0] = bits[0]! + ((b > a) === (a > 0) ? 1n : -1n);
    return buf[0]!;
  }
  if (a === 0) { u32[0] = 1; return b > 0 ? f32[0]! : -f32[0]!; }
  f32[0] = a;
  u32[0] = u32[0]! + ((b > a) === (a > 0) ? 1 : -1);
  return f32[0]!;
}

export function selectFn(c: number, x: number, y: number) { return c ? x : y; }
export function clampFn(lo: number, x: number, hi: number) { return Math.min(Math.max(x, lo), hi); }
export { castScalar };
