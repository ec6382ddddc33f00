import type { DeviceArray } from "../../array.js";
import * as l from "../../lax/primitives.js";
import type { BinaryPrimitive, UnaryPrimitive } from "../../ir/primitives.js";
import { bind1 } from "../trace.js";

/**
 * Derivatives of the elementwise primitives, written once and used by both forward mode
 * (tangent * d) and reverse mode (cotangent * d). `y` is the primal output.
 *  - "linear": the op is linear in its operand (neg), handled by applying the op itself;
 *  - "zero": piecewise constant or integer-valued (floor, sign, comparisons): zero derivative;
 *  - a function: the derivative dy/dx as an array.
 */
export type UnaryDerivative = "linear" | "zero" | ((x: DeviceArray, y: DeviceArray) => Factor);
/** A derivative to multiply by: an array, or the reciprocal of one (`{ over: x }`: divide by x, one op instead of two, as JAX writes log's and div's). */
export type Factor = DeviceArray | { readonly over: DeviceArray };
/** A partial derivative: a factor, the constants 1 and -1 (no multiplication needed), or none. */
export type Partial = Factor | 1 | -1 | null;
/**
 * The partials of a binary op. Only the wanted ones are built (an operand that is a constant
 * of the differentiation, or has no tangent, needs none): in eager mode every op here runs.
 */
export type BinaryPartials = "zero" | ((a: DeviceArray, b: DeviceArray, y: DeviceArray, wantA: boolean, wantB: boolean) => [Partial, Partial]);

/** t * d, without an op when d is 1 or -1. */
export function scaleBy(t: DeviceArray, d: Exclude<Partial, null>): DeviceArray {
  return d === 1 ? t : d === -1 ? l.neg(t) : "over" in d ? l.div(t, d.over) : l.mul(t, d);
}

const c = l.scalarLike;
const one = (x: DeviceArray) => c(x, 1);

export const unaryDerivatives: { readonly [P in UnaryPrimitive]: UnaryDerivative } = {
  neg: "linear",
  sign: "zero", floor: "zero", ceil: "zero", round: "zero", not: "zero", is_finite: "zero",
  abs: (x) => l.sign(x),
  exp: (_, y) => y,
  exp2: (_, y) => l.mul(y, c(y, Math.LN2)),
  log: (x) => ({ over: x }),
  log1p: (x) => ({ over: l.add(x, one(x)) }),
  expm1: (_, y) => l.add(y, one(y)),
  sqrt: (_, y) => l.div(c(y, 0.5), y),
  rsqrt: (x, y) => l.mul(l.div(y, x), c(x, -0.5)),
  cbrt: (x, y) => l.div(y, l.mul(x, c(x, 3))),
  sin: (x) => l.cos(x),
  cos: (x) => l.neg(l.sin(x)),
  tan: (_, y) => l.add(one(y), l.square(y)),
  asin: (x) => l.rsqrt(l.sub(one(x), l.square(x))),
  acos: (x) => l.neg(l.rsqrt(l.sub(one(x), l.square(x)))),
  atan: (x) => l.reciprocal(l.add(one(x), l.square(x))),
  sinh: (x) => l.unary("cosh")(x),
  cosh: (x) => l.unary("sinh")(x),
  tanh: (_, y) => l.sub(one(y), l.square(y)),
  asinh: (x) => l.rsqrt(l.add(l.square(x), one(x))),
  acosh: (x) => l.rsqrt(l.mul(l.sub(x, one(x)), l.add(x, one(x)))),
  atanh: (x) => l.reciprocal(l.sub(one(x), l.square(x))),
  logistic: (_, y) => l.mul(y, l.sub(one(y), y)),
  erf: (x) => l.mul(c(x, 2 / Math.sqrt(Math.PI)), l.exp(l.neg(l.square(x)))),
  erfc: (x) => l.mul(c(x, -2 / Math.sqrt(Math.PI)), l.exp(l.neg(l.square(x)))),
  erf_inv: (_, y) => l.mul(c(y, Math.sqrt(Math.PI) / 2), l.exp(l.square(y))),
  lgamma: (x) => l.unary("digamma")(x),
  // d/dx digamma is the trigamma function, which the engine does not have (JAX has polygamma).
  digamma: () => { throw new Error("digamma: its derivative (polygamma(1, x)) is not implemented"); },
  square: (x) => l.mul(x, c(x, 2)),
  reciprocal: (_, y) => l.neg(l.square(y)),
};

export const binaryPartials: { readonly [P in BinaryPrimitive]: BinaryPartials } = {
  add: () => [1, 1],
  sub: () => [1, -1],
  mul: (a, b) => [b, a],
  div: (_, b, y, wantA, wantB) => [wantA ? { over: b } : null, wantB ? l.neg(l.div(y, b)) : null],
  // rem(a, b) = a - trunc(a / b) * b, and trunc(a / b) = (a - rem(a, b)) / b.
  rem: (a, b, _y, _wantA, wantB) => [1, wantB ? l.neg(l.div(l.sub(a, l.binary("rem")(a, b)), b)) : null],
  pow: (a, b, y, wantA, wantB) => {
    // d/da a^b = b a^(b-1) (0 where b == 0); d/db = log(a) a^b (0 where a == 0, as JAX defines it).
    const zero = c(a, 0);
    const da = wantA ? l.select(l.eq(b, zero), zero, l.mul(b, l.pow(a, l.sub(b, one(b))))) : null;
    const db = wantB ? l.select(l.eq(a, zero), zero, l.mul(l.log(a), y)) : null;
    return [da, db];
  },
  // Ties split the derivative evenly, as JAX does.
  max: (a, b, _y, wantA, wantB) => balancedChoice(l.gt(a, b), l.eq(a, b), a, wantA, wantB),
  min: (a, b, _y, wantA, wantB) => balancedChoice(l.lt(a, b), l.eq(a, b), a, wantA, wantB),
  atan2: (a, b, _y, wantA, wantB) => {
    const d = l.add(l.square(a), l.square(b));
    return [wantA ? l.div(b, d) : null, wantB ? l.neg(l.div(a, d)) : null];
  },
  // nextafter(a, b) is a moved by one ulp: its derivative is a's, not zero.
  nextafter: () => [1, null],
  and: "zero", or: "zero", xor: "zero", eq: "zero", ne: "zero", lt: "zero", le: "zero", gt: "zero", ge: "zero",
  shift_left: "zero", shift_right_logical: "zero", shift_right_arithmetic: "zero",
};

function balancedChoice(pick: DeviceArray, tie: DeviceArray, like: DeviceArray, wantA: boolean, wantB: boolean): [Partial, Partial] {
  const one_ = c(like, 1), half = c(like, 0.5), zero = c(like, 0);
  return [wantA ? l.select(pick, one_, l.select(tie, half, zero)) : null, wantB ? l.select(pick, zero, l.select(tie, half, one_)) : null];
}

/**
 * For each element of x, the product of the other elements of its reduction group (over
 * `axes`): the partial derivative of reduce_prod. Computed from exclusive prefix and suffix
 * products, so it is exact where x has zeros (y / x would be 0 / 0 there).
 */
export function productOfOthers(x: DeviceArray, axes: readonly number[]): DeviceArray {
  const keep = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...keep, ...axes];
  const n = axes.reduce((p, a) => p * x.shape[a]!, 1);
  if (n === 0) return l.zerosLike(x);
  const moved = l.transpose(x, perm);
  const lanes = l.reshape(moved, [...keep.map((i) => x.shape[i]!), n]);
  const last = keep.length, one = c(x, 1);
  const zeroPad = keep.map(() => [0, 0, 0] as const);
  const cumprod = (v: DeviceArray, reverse: boolean) => bind1("cumprod", [v], { axis: last, reverse });
  const start = lanes.shape.map(() => 0);
  const before = l.pad(l.slice(cumprod(lanes, false), start, [...lanes.shape.slice(0, -1), n - 1]), one, [...zeroPad, [1, 0, 0]]);
  const after = l.pad(l.slice(cumprod(lanes, true), [...start.slice(0, -1), 1], lanes.shape), one, [...zeroPad, [0, 1, 0]]);
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return l.transpose(l.reshape(l.mul(before, after), moved.shape), inverse);
}

/**
 * Forward (tangent t) or reverse (cotangent ct) product with the Jacobian of cumprod along
 * `axis`: J[k, i] = prod_{j <= k, j != i} x_j for i <= k (>= for reverse), built per lane as an
 * n x n matrix so that it is exact where x has zeros (the y / x form is 0 / 0 there).
 */
export function cumprodJacobianProduct(x: DeviceArray, v: DeviceArray, axis: number, reverse: boolean, transposed: boolean): DeviceArray {
  const perm = [...x.shape.map((_, i) => i).filter((i) => i !== axis), axis];
  const inverse = perm.map((_, i) => perm.indexOf(i));
  const xt = l.transpose(x, perm), vt = l.transpose(v, perm);
  const b = xt.ndim - 1, n = x.shape[axis]!;
  const square = [...xt.shape.slice(0, b), n, n];
  const batchDims = Array.from({ length: b }, (_, i) => i);
  const k = l.iota("int32", square, b), j = l.iota("int32", square, b + 1);
  const inLane = reverse ? l.ge(j, k) : l.le(j, k);
  const z = l.select(inLane, l.broadcastInDim(xt, square, [...batchDims, b + 1]), l.fullLike(l.broadcastInDim(xt, square, [...batchDims, b + 1]), 1));
  const jac = l.select(inLane, productOfOthers(z, [b + 1]), l.zerosLike(z));
  const out = transposed
    ? l.reduceSum(l.mul(jac, l.broadcastInDim(vt, square, [...batchDims, b])), [b])
    : l.reduceSum(l.mul(jac, l.broadcastInDim(vt, square, [...batchDims, b + 1])), [b + 1]);
  return l.transpose(out, inverse);
}
