import { LocatedTypeError } from "./checks.js";
import type { DeviceArray } from "../array.js";
import { isFloat, isInt, isUnsigned, type DType } from "../dtype.js";
import * as l from "../lax/primitives.js";
import type { UnaryPrimitive } from "../ir/primitives.js";
import { asArray, promote, promoteFloat, type ArrayLike } from "./convert.js";

/** Elementwise math with numpy broadcasting and JAX's type promotion. */

const floatUnary = (p: UnaryPrimitive) => (x: ArrayLike): DeviceArray => l.unary(p)(promoteFloat(x)[0]!);
const anyUnary = (p: UnaryPrimitive) => (x: ArrayLike): DeviceArray => l.unary(p)(asArray(x));

export const exp = floatUnary("exp"), exp2 = floatUnary("exp2"), log = floatUnary("log"), log1p = floatUnary("log1p"), expm1 = floatUnary("expm1");
export const sqrt = floatUnary("sqrt"), cbrt = floatUnary("cbrt"), rsqrt = floatUnary("rsqrt");
export const sin = floatUnary("sin"), cos = floatUnary("cos"), tan = floatUnary("tan");
export const arcsin = floatUnary("asin"), arccos = floatUnary("acos"), arctan = floatUnary("atan");
export const sinh = floatUnary("sinh"), cosh = floatUnary("cosh"), tanh = floatUnary("tanh");
export const arcsinh = floatUnary("asinh"), arccosh = floatUnary("acosh"), arctanh = floatUnary("atanh");
export const asin = arcsin, acos = arccos, atan = arctan, asinh = arcsinh, acosh = arccosh, atanh = arctanh;
export const negative = anyUnary("neg"), sign = anyUnary("sign"), square = anyUnary("square");
export const absolute = anyUnary("abs"), abs = absolute;
export const reciprocal = floatUnary("reciprocal");
export const log2 = (x: ArrayLike) => { const a = promoteFloat(x)[0]!; return l.mul(l.log(a), l.scalarLike(a, 1 / Math.LN2)); };
export const log10 = (x: ArrayLike) => { const a = promoteFloat(x)[0]!; return l.mul(l.log(a), l.scalarLike(a, 1 / Math.LN10)); };
export const positive = (x: ArrayLike) => asArray(x);

const intPassthrough = (p: UnaryPrimitive) => (x: ArrayLike) => { const a = asArray(x); return isFloat(a.dtype) ? l.unary(p)(a) : a; };
export const floor = intPassthrough("floor"), ceil = intPassthrough("ceil");
export const trunc = (x: ArrayLike) => { const a = asArray(x); return isFloat(a.dtype) ? l.select(l.lt(a, l.scalarLike(a, 0)), l.unary("ceil")(a), l.floor(a)) : a; };
export const fix = trunc;
/** Round half to even, as numpy does (optionally to `decimals` places). */
export function round(x: ArrayLike, decimals = 0): DeviceArray {
  const a = asArray(x);
  if (!isFloat(a.dtype)) return a;
  const scale = Math.pow(10, decimals);
  const s = decimals ? l.mul(a, l.scalarLike(a, scale)) : a;
  const r = l.unary("round")(s);
  const tie = l.eq(l.abs(l.sub(s, l.floor(s))), l.scalarLike(a, 0.5));
  const odd = l.ne(l.binary("rem")(r, l.scalarLike(a, 2)), l.scalarLike(a, 0));
  const even = l.select(l.and(tie, odd), l.sub(r, l.sign(s)), r);
  return decimals ? l.div(even, l.scalarLike(a, scale)) : even;
}
export const around = round, rint = (x: ArrayLike) => round(x);

export const isfinite = (x: ArrayLike) => { const a = asArray(x); return isFloat(a.dtype) ? l.unary("is_finite")(a) : l.fullLike(l.convert(a, "bool"), 1); };
export const isnan = (x: ArrayLike) => { const a = asArray(x); return isFloat(a.dtype) ? l.ne(a, a) : l.fullLike(l.convert(a, "bool"), 0); };
export const isinf = (x: ArrayLike) => { const a = asArray(x); return isFloat(a.dtype) ? l.eq(l.abs(a), l.scalarLike(a, Infinity)) : l.fullLike(l.convert(a, "bool"), 0); };
export const isposinf = (x: ArrayLike) => { const a = promoteFloat(x)[0]!; return l.eq(a, l.scalarLike(a, Infinity)); };
export const isneginf = (x: ArrayLike) => { const a = promoteFloat(x)[0]!; return l.eq(a, l.scalarLike(a, -Infinity)); };
export const signbit = (x: ArrayLike) => {
  const a = asArray(x);
  if (!isFloat(a.dtype)) return l.lt(a, l.scalarLike(a, 0));
  // -0.0 has its sign bit set: 1 / -0 = -inf.
  return l.or(l.lt(a, l.scalarLike(a, 0)), l.and(l.eq(a, l.scalarLike(a, 0)), l.lt(l.reciprocal(a), l.scalarLike(a, 0))));
};
export const deg2rad = (x: ArrayLike) => { const a = promoteFloat(x)[0]!; return l.mul(a, l.scalarLike(a, Math.PI / 180)); };
export const rad2deg = (x: ArrayLike) => { const a = promoteFloat(x)[0]!; return l.mul(a, l.scalarLike(a, 180 / Math.PI)); };
export const radians = deg2rad, degrees = rad2deg;
export const logicalNot = (x: ArrayLike) => l.not(l.convert(asArray(x), "bool"));
export const bitwiseNot = (x: ArrayLike) => l.not(asArray(x));
export const invert = bitwiseNot;
export const conj = (x: ArrayLike) => asArray(x), conjugate = conj, real = conj;
export const sinc = (x: ArrayLike) => {
  const a = promoteFloat(x)[0]!;
  const px = l.mul(a, l.scalarLike(a, Math.PI));
  const zero = l.eq(a, l.scalarLike(a, 0));
  const safe = l.select(zero, l.fullLike(a, 1), px);
  return l.select(zero, l.fullLike(a, 1), l.div(l.sin(safe), safe));
};

type Binary = (x: ArrayLike, y: ArrayLike) => DeviceArray;
const arith = (f: (a: DeviceArray, b: DeviceArray) => DeviceArray): Binary => (x, y) => { const [a, b] = promote(x, y); return f(a!, b!); };
const floatArith = (f: (a: DeviceArray, b: DeviceArray) => DeviceArray): Binary => (x, y) => { const [a, b] = promoteFloat(x, y); return f(a!, b!); };

export const add: Binary = arith(l.add);
export const subtract: Binary = arith(l.sub);
export const multiply: Binary = arith(l.mul);
export const divide: Binary = floatArith(l.div);
export const trueDivide = divide;
export const power: Binary = arith((a, b) => l.pow(a, b));
export const pow = power;
export const maximum: Binary = arith(l.max);
export const minimum: Binary = arith(l.min);
export const fmax: Binary = arith((a, b) => (isFloat(a.dtype) ? l.select(l.ne(b, b), a, l.select(l.ne(a, a), b, l.max(a, b))) : l.max(a, b)));
export const fmin: Binary = arith((a, b) => (isFloat(a.dtype) ? l.select(l.ne(b, b), a, l.select(l.ne(a, a), b, l.min(a, b))) : l.min(a, b)));
export const arctan2: Binary = floatArith(l.binary("atan2"));
export const atan2 = arctan2;
export const hypot: Binary = floatArith((a, b) => {
  // Scaled to avoid overflow: m * sqrt(1 + (n/m)^2).
  const x = l.abs(a), y = l.abs(b);
  const m = l.max(x, y), n = l.min(x, y);
  const safe = l.select(l.eq(m, l.scalarLike(m, 0)), l.fullLike(m, 1), m);
  return l.mul(m, l.sqrt(l.add(l.scalarLike(m, 1), l.square(l.div(n, safe)))));
});
/** floor division: rounds toward -inf like numpy (unlike lax.div, which truncates). */
export const floorDivide: Binary = arith((a, b) => {
  if (isFloat(a.dtype)) return l.floor(l.div(a, b));
  const q = l.div(a, b);
  const r = l.binary("rem")(a, b);
  const adjust = l.and(l.ne(r, l.scalarLike(r, 0)), l.ne(l.lt(r, l.scalarLike(r, 0)), l.lt(b, l.scalarLike(b, 0))));
  return l.select(adjust, l.sub(q, l.scalarLike(q, 1)), q);
});
/** numpy.mod / remainder: the result has the sign of the divisor. */
export const remainder: Binary = arith((a, b) => {
  const r = l.binary("rem")(a, b);
  const zero = l.scalarLike(r, 0);
  const fix_ = l.and(l.ne(r, zero), l.ne(l.lt(r, zero), l.lt(b, l.scalarLike(b, 0))));
  return l.select(fix_, l.add(r, b), r);
});
export const mod = remainder;
export const fmod: Binary = arith(l.binary("rem"));
export const copysign: Binary = floatArith((a, b) => l.select(signbit(b), l.neg(l.abs(a)), l.abs(a)));
export const nextafter: Binary = floatArith(l.binary("nextafter"));
export const logaddexp: Binary = floatArith((a, b) => {
  const m = l.max(a, b);
  const safe = l.select(l.unary("is_finite")(m), m, l.zerosLike(m));
  const r = l.add(safe, l.log(l.add(l.exp(l.sub(a, safe)), l.exp(l.sub(b, safe)))));
  return l.select(l.unary("is_finite")(m), r, m);
});
export const logaddexp2: Binary = floatArith((a, b) => {
  const ln2 = l.scalarLike(a, Math.LN2);
  return l.div(logaddexp(l.mul(a, ln2), l.mul(b, ln2)), ln2);
});
export const heaviside: Binary = floatArith((a, b) => l.select(l.lt(a, l.scalarLike(a, 0)), l.zerosLike(a), l.select(l.gt(a, l.scalarLike(a, 0)), l.fullLike(a, 1), l.broadcastTo(b, l.binary("add")(a, b).shape))));

export const equal: Binary = arith(l.eq), notEqual: Binary = arith(l.ne);
export const less: Binary = arith(l.lt), lessEqual: Binary = arith(l.le);
export const greater: Binary = arith(l.gt), greaterEqual: Binary = arith(l.ge);

const logical = (f: (a: DeviceArray, b: DeviceArray) => DeviceArray): Binary => (x, y) => f(l.convert(asArray(x), "bool"), l.convert(asArray(y), "bool"));
export const logicalAnd = logical(l.and), logicalOr = logical(l.or), logicalXor = logical(l.binary("xor"));
const bitwise = (f: (a: DeviceArray, b: DeviceArray) => DeviceArray): Binary => (x, y) => {
  const [a, b] = promote(x, y);
  if (isFloat(a!.dtype)) throw new LocatedTypeError(`bitwise operations need integer or bool operands, got ${a!.dtype}`);
  return f(a!, b!);
};
export const bitwiseAnd = bitwise(l.and), bitwiseOr = bitwise(l.or), bitwiseXor = bitwise(l.binary("xor"));
export const leftShift = bitwise(l.binary("shift_left"));
export const rightShift = bitwise((a, b) => l.binary(isUnsigned(a.dtype) ? "shift_right_logical" : "shift_right_arithmetic")(a, b));

/** np.where(cond, x, y); with one argument, see nonzero. */
export function where(cond: ArrayLike, x: ArrayLike, y: ArrayLike): DeviceArray {
  const [a, b] = promote(x, y);
  return l.select(l.convert(asArray(cond), "bool"), a!, b!);
}

export function clip(x: ArrayLike, min?: ArrayLike | null, max?: ArrayLike | null): DeviceArray {
  let a = asArray(x);
  if (min !== undefined && min !== null) a = maximum(a, min);
  if (max !== undefined && max !== null) a = minimum(a, max);
  return a;
}

export function isclose(a: ArrayLike, b: ArrayLike, opts: { rtol?: number; atol?: number; equalNan?: boolean } = {}): DeviceArray {
  const { rtol = 1e-5, atol = 1e-8, equalNan = false } = opts;
  const [x, y] = promoteFloat(a, b);
  const close = l.le(l.abs(l.sub(x!, y!)), l.add(l.scalarLike(x!, atol), l.mul(l.scalarLike(x!, rtol), l.abs(y!))));
  const bothInf = l.and(l.eq(x!, y!), l.not(l.unary("is_finite")(x!)));
  let r = l.or(close, bothInf);
  if (equalNan) r = l.or(r, l.and(l.ne(x!, x!), l.ne(y!, y!)));
  return r;
}

export function nanToNum(x: ArrayLike, opts: { nan?: number; posinf?: number; neginf?: number } = {}): DeviceArray {
  const a = asArray(x);
  if (!isFloat(a.dtype)) return a;
  const big = a.dtype === "float16" ? 65504 : a.dtype === "bfloat16" ? 3.3895313892515355e38 : a.dtype === "float64" ? Number.MAX_VALUE : 3.4028234663852886e38;
  let r = l.select(l.ne(a, a), l.fullLike(a, opts.nan ?? 0), a);
  r = l.select(l.eq(r, l.scalarLike(a, Infinity)), l.fullLike(a, opts.posinf ?? big), r);
  return l.select(l.eq(r, l.scalarLike(a, -Infinity)), l.fullLike(a, opts.neginf ?? -big), r);
}

/** Casts to a dtype (numpy's astype). */
export function astype(x: ArrayLike, dtype: DType): DeviceArray {
  return l.convert(asArray(x), dtype);
}

export const isInteger = (x: DeviceArray) => isInt(x.dtype);
