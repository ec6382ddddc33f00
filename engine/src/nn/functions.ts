import type { DeviceArray } from "../array.js";
import { isFloat } from "../dtype.js";
import * as l from "../lax/primitives.js";
import { normalizeAxes, normalizeAxis } from "../numpy/checks.js";
import { asArray, promoteFloat, type ArrayLike } from "../numpy/convert.js";
import { logsumexp as lse } from "../numpy/reductions.js";
import { erf } from "../lax/extra.js";
import { scalar } from "../trace/constants.js";
import { customJvp } from "../api/custom.js";

/** jax.nn activation and utility functions. */
const f = (x: ArrayLike) => promoteFloat(x)[0]!;
const c = l.scalarLike;

// relu and relu6 are custom_jvp functions in JAX: the derivative at the kinks is 0 (max's own
// derivative would average the tie to 0.5), and the rule is a select, so higher derivatives are 0.
const reluRule = customJvp(function relu(a: DeviceArray) { return l.max(a, c(a, 0)); })
  .defjvp(([a]: [DeviceArray], [t]: [DeviceArray]) => [l.max(a, c(a, 0)), l.select(l.gt(a, c(a, 0)), t, l.zerosLike(t))]);
const relu6Rule = customJvp(function relu6(a: DeviceArray) { return l.min(l.max(a, c(a, 0)), c(a, 6)); })
  .defjvp(([a]: [DeviceArray], [t]: [DeviceArray]) =>
    [l.min(l.max(a, c(a, 0)), c(a, 6)), l.select(l.and(l.gt(a, c(a, 0)), l.lt(a, c(a, 6))), t, l.zerosLike(t))]);
export const relu = (x: ArrayLike): DeviceArray => reluRule(asArray(x));
export const relu6 = (x: ArrayLike): DeviceArray => relu6Rule(asArray(x));
export const sigmoid = (x: ArrayLike) => l.logistic(f(x));
export const logSigmoid = (x: ArrayLike) => l.neg(softplus(l.neg(f(x))));
export const softplus = (x: ArrayLike) => {
  // log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), stable for large |x|.
  const a = f(x);
  return l.add(l.max(a, c(a, 0)), l.unary("log1p")(l.exp(l.neg(l.abs(a)))));
};
export const softSign = (x: ArrayLike) => { const a = f(x); return l.div(a, l.add(c(a, 1), l.abs(a))); };
export const silu = (x: ArrayLike) => { const a = f(x); return l.mul(a, l.logistic(a)); };
export const swish = silu;
export const tanh = (x: ArrayLike) => l.tanh(f(x));
export const hardTanh = (x: ArrayLike) => { const a = f(x); return l.min(l.max(a, c(a, -1)), c(a, 1)); };
export const hardSigmoid = (x: ArrayLike) => l.div(relu6(l.add(f(x), c(f(x), 3))), c(f(x), 6));
export const hardSilu = (x: ArrayLike) => l.mul(f(x), hardSigmoid(x));
export const hardSwish = hardSilu;
export const leakyRelu = (x: ArrayLike, negativeSlope = 0.01) => { const a = f(x); return l.select(l.ge(a, c(a, 0)), a, l.mul(a, c(a, negativeSlope))); };
export const elu = (x: ArrayLike, alpha = 1) => { const a = f(x); return l.select(l.gt(a, c(a, 0)), a, l.mul(c(a, alpha), l.unary("expm1")(l.min(a, c(a, 0))))); };
export const celu = (x: ArrayLike, alpha = 1) => { const a = f(x); return l.select(l.gt(a, c(a, 0)), a, l.mul(c(a, alpha), l.unary("expm1")(l.div(l.min(a, c(a, 0)), c(a, alpha))))); };
export const selu = (x: ArrayLike) => l.mul(elu(x, 1.6732632423543772), c(f(x), 1.0507009873554805));
/** GELU: the tanh approximation by default, as jax.nn.gelu. */
export function gelu(x: ArrayLike, approximate = true): DeviceArray {
  const a = f(x);
  if (approximate) {
    const inner = l.mul(c(a, Math.sqrt(2 / Math.PI)), l.add(a, l.mul(c(a, 0.044715), l.mul(a, l.square(a)))));
    return l.mul(l.mul(c(a, 0.5), a), l.add(c(a, 1), l.tanh(inner)));
  }
  return l.mul(l.mul(c(a, 0.5), a), l.add(c(a, 1), erf(l.mul(a, c(a, Math.SQRT1_2)))));
}
export const glu = (x: ArrayLike, axis = -1) => {
  const a = f(x);
  const ax = normalizeAxes("glu", axis, a.shape)[0]!;
  const n = a.shape[ax]! / 2;
  const lo = l.slice(a, a.shape.map(() => 0), a.shape.map((d, i) => (i === ax ? n : d)));
  const hi = l.slice(a, a.shape.map((_, i) => (i === ax ? n : 0)), a.shape);
  return l.mul(lo, l.logistic(hi));
};
export const mish = (x: ArrayLike) => l.mul(f(x), l.tanh(softplus(x)));

export function softmax(x: ArrayLike, axis: number | readonly number[] = -1): DeviceArray {
  const a = f(x);
  const axes = normalizeAxes("softmax", axis, a.shape);
  const keep = a.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const m = l.stopGradient(l.reduceMax(a, axes));
  const e = l.exp(l.sub(a, l.broadcastInDim(m, a.shape, keep)));
  return l.div(e, l.broadcastInDim(l.reduceSum(e, axes), a.shape, keep));
}
export function logSoftmax(x: ArrayLike, axis: number | readonly number[] = -1): DeviceArray {
  const a = f(x);
  const axes = normalizeAxes("logSoftmax", axis, a.shape);
  const keep = a.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const shifted = l.sub(a, l.broadcastInDim(l.stopGradient(l.reduceMax(a, axes)), a.shape, keep));
  return l.sub(shifted, l.broadcastInDim(l.log(l.reduceSum(l.exp(shifted), axes)), a.shape, keep));
}
export const logsumexp = lse;

/** oneHot(labels, numClasses): float32 rows with a 1 at each label (out-of-range labels give zeros). */
export function oneHot(x: ArrayLike, numClasses: number, opts: { dtype?: "float32" | "float64" | "int32" | "bool"; axis?: number } = {}): DeviceArray {
  const a = asArray(x);
  const labels = l.reshape(a, [...a.shape, 1]);
  const classes = l.iota(isFloat(a.dtype) ? a.dtype : "int32", [...a.shape, numClasses], a.ndim);
  const r = l.convert(l.eq(l.convert(labels, classes.dtype), classes), opts.dtype ?? "float32");
  // The class axis goes where `axis` says (last by default), as in jax.nn.one_hot.
  const axis = normalizeAxis("oneHot", opts.axis ?? -1, r.ndim, r.shape);
  if (axis === r.ndim - 1) return r;
  const perm = [...r.shape.keys()].slice(0, -1);
  perm.splice(axis, 0, r.ndim - 1);
  return l.transpose(r, perm);
}

/** standardize: (x - mean) / sqrt(var + eps) over an axis. */
export function standardize(x: ArrayLike, opts: { axis?: number | readonly number[]; epsilon?: number } = {}): DeviceArray {
  const a = f(x);
  const axes = normalizeAxes("standardize", opts.axis ?? -1, a.shape);
  const keep = a.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const n = axes.reduce((p, i) => p * a.shape[i]!, 1);
  const mean = l.broadcastInDim(l.div(l.reduceSum(a, axes), c(a, n)), a.shape, keep);
  const centered = l.sub(a, mean);
  const variance = l.broadcastInDim(l.div(l.reduceSum(l.square(centered), axes), c(a, n)), a.shape, keep);
  return l.mul(centered, l.rsqrt(l.add(variance, c(a, opts.epsilon ?? 1e-5))));
}
export const normalize = standardize;
export const identity = (x: ArrayLike) => asArray(x);
export const sparsePlus = (x: ArrayLike) => {
  const a = f(x);
  return l.select(l.le(a, c(a, -1)), l.zerosLike(a), l.select(l.ge(a, c(a, 1)), a, l.div(l.square(l.add(a, c(a, 1))), c(a, 4))));
};
export { scalar as _scalar };
