import { LocatedError } from "./checks.js";
import type { DeviceArray } from "../array.js";
import { accumulationDType, defaultFloat, isFloat, type DType } from "../dtype.js";
import * as l from "../lax/primitives.js";
import { bind1 } from "../trace/trace.js";
import { normalizeAxes, normalizeAxis } from "./checks.js";
import { asArray, promoteFloat, type ArrayLike } from "./convert.js";

/** Options shared by reductions, as in jax.numpy: `axis` (number, list, or all when absent) and `keepdims`. */
export interface ReduceOptions { axis?: number | readonly number[] | null; keepdims?: boolean; dtype?: DType }

function reduceWith(op: string, x: DeviceArray, opts: ReduceOptions, f: (x: DeviceArray, axes: number[]) => DeviceArray): DeviceArray {
  const axes = normalizeAxes(op, opts.axis, x.shape);
  const r = f(x, axes);
  return opts.keepdims ? l.reshape(r, x.shape.map((d, i) => (axes.includes(i) ? 1 : d))) : r;
}

/** Sums of bools and small ints accumulate in int32 (uint8 in uint32), as jnp.sum does. */
const accumulate = (x: DeviceArray, dtype?: DType) => l.convert(x, dtype ?? accumulationDType(x.dtype));

export const sum = (x: ArrayLike, opts: ReduceOptions = {}) => reduceWith("sum", accumulate(asArray(x), opts.dtype), opts, l.reduceSum);
export const prod = (x: ArrayLike, opts: ReduceOptions = {}) => reduceWith("prod", accumulate(asArray(x), opts.dtype), opts, l.reduceProd);
export const max = (x: ArrayLike, opts: ReduceOptions = {}) => reduceWith("max", nonEmpty("max", asArray(x), opts), opts, l.reduceMax);
export const min = (x: ArrayLike, opts: ReduceOptions = {}) => reduceWith("min", nonEmpty("min", asArray(x), opts), opts, l.reduceMin);
export const amax = max, amin = min;
export const all = (x: ArrayLike, opts: ReduceOptions = {}) => reduceWith("all", l.convert(asArray(x), "bool"), opts, (a, axes) => (axes.length ? bind1("reduce_and", [a], { axes }) : a));
export const any = (x: ArrayLike, opts: ReduceOptions = {}) => reduceWith("any", l.convert(asArray(x), "bool"), opts, (a, axes) => (axes.length ? bind1("reduce_or", [a], { axes }) : a));

function nonEmpty(op: string, x: DeviceArray, opts: ReduceOptions) {
  const axes = normalizeAxes(op, opts.axis, x.shape);
  if (axes.some((a) => x.shape[a] === 0)) throw new LocatedError(`${op}: zero-size array to reduction operation ${op} which has no identity (shape [${x.shape}])`);
  return x;
}

const countOf = (x: DeviceArray, axes: number[]) => axes.reduce((n, a) => n * x.shape[a]!, 1);

export function mean(x: ArrayLike, opts: ReduceOptions = {}): DeviceArray {
  const a = opts.dtype ? l.convert(asArray(x), opts.dtype) : promoteFloat(x)[0]!;
  return reduceWith("mean", a, opts, (v, axes) => l.div(l.reduceSum(v, axes), l.scalarLike(v, countOf(v, axes))));
}

export function variance(x: ArrayLike, opts: ReduceOptions & { ddof?: number } = {}): DeviceArray {
  const a = opts.dtype ? l.convert(asArray(x), opts.dtype) : promoteFloat(x)[0]!;
  return reduceWith("var", a, opts, (v, axes) => {
    const keep = v.shape.map((_, i) => i).filter((i) => !axes.includes(i));
    const m = l.div(l.reduceSum(v, axes), l.scalarLike(v, countOf(v, axes)));
    const centered = l.sub(v, l.broadcastInDim(m, v.shape, keep));
    return l.div(l.reduceSum(l.square(centered), axes), l.scalarLike(v, countOf(v, axes) - (opts.ddof ?? 0)));
  });
}
export { variance as var };
export const std = (x: ArrayLike, opts: ReduceOptions & { ddof?: number } = {}) => l.sqrt(variance(x, opts));

export function argmax(x: ArrayLike, opts: { axis?: number | null; keepdims?: boolean } = {}): DeviceArray {
  return argReduce("argmax", asArray(x), opts);
}
export function argmin(x: ArrayLike, opts: { axis?: number | null; keepdims?: boolean } = {}): DeviceArray {
  return argReduce("argmin", asArray(x), opts);
}
function argReduce(prim: "argmax" | "argmin", x: DeviceArray, opts: { axis?: number | null; keepdims?: boolean }) {
  if (opts.axis === undefined || opts.axis === null) {
    if (x.size === 0) throw new LocatedError(`${prim}: attempt to get ${prim} of an empty sequence`);
    return bind1(prim, [l.reshape(x, [x.size])], { axis: 0, indexDtype: "int32" });
  }
  const axis = normalizeAxis(prim, opts.axis, x.ndim, x.shape);
  const r = bind1(prim, [x], { axis, indexDtype: "int32" });
  return opts.keepdims ? l.reshape(r, x.shape.map((d, i) => (i === axis ? 1 : d))) : r;
}

function cumulative(prim: "cumsum" | "cumprod" | "cummax" | "cummin") {
  return (x: ArrayLike, opts: { axis?: number | null; dtype?: DType; reverse?: boolean } = {}): DeviceArray => {
    const x0 = asArray(x);
    // Running max/min keep a small int's dtype (only sums and products widen).
    let a = prim === "cumsum" || prim === "cumprod" || x0.dtype === "bool" || opts.dtype ? accumulate(x0, opts.dtype) : x0;
    if (opts.axis === undefined || opts.axis === null) a = l.reshape(a, [a.size]);
    const axis = normalizeAxis(prim, opts.axis ?? 0, a.ndim, a.shape);
    return bind1(prim, [a], { axis, reverse: opts.reverse ?? false });
  };
}
export const cumsum = cumulative("cumsum"), cumprod = cumulative("cumprod");

/**
 * numpy 2's cumulative_sum / cumulative_prod: no flattening (an axis is required above 1-D),
 * and includeInitial prepends the identity (0 or 1) along the axis.
 */
function cumulativeArrayApi(name: string, prim: "cumsum" | "cumprod", identity: number) {
  return (x: ArrayLike, opts: { axis?: number | null; dtype?: DType | null; includeInitial?: boolean } = {}): DeviceArray => {
    let a = accumulate(asArray(x), opts.dtype ?? undefined);
    if (a.ndim === 0) a = l.reshape(a, [1]);
    if ((opts.axis === undefined || opts.axis === null) && a.ndim > 1) {
      throw new LocatedError(`${name}: axis must be given for arrays of more than one dimension (shape [${a.shape}])`);
    }
    const axis = normalizeAxis(name, opts.axis ?? 0, a.ndim, a.shape);
    const r = bind1(prim, [a], { axis, reverse: false });
    if (!opts.includeInitial) return r;
    const first = l.broadcastTo(l.scalarLike(r, identity), r.shape.map((d, i) => (i === axis ? 1 : d)));
    return l.concatenate([first, r], axis);
  };
}
export const cumulativeSum = cumulativeArrayApi("cumulativeSum", "cumsum", 0);
export const cumulativeProd = cumulativeArrayApi("cumulativeProd", "cumprod", 1);

/** log(sum(exp(x))) computed stably (max subtracted first). */
export function logsumexp(x: ArrayLike, opts: ReduceOptions & { b?: ArrayLike } = {}): DeviceArray {
  const a = promoteFloat(x)[0]!;
  return reduceWith("logsumexp", a, opts, (v, axes) => {
    const keep = v.shape.map((_, i) => i).filter((i) => !axes.includes(i));
    const m = l.stopGradient(l.reduceMax(v, axes));
    const safe = l.select(l.unary("is_finite")(m), m, l.zerosLike(m));
    let e = l.exp(l.sub(v, l.broadcastInDim(safe, v.shape, keep)));
    if (opts.b !== undefined) e = l.mul(e, l.broadcastTo(promoteFloat(opts.b)[0]!, v.shape));
    return l.add(l.log(l.reduceSum(e, axes)), safe);
  });
}

export const ptp = (x: ArrayLike, opts: ReduceOptions = {}) => l.sub(max(x, opts), min(x, opts));
export const countNonzero = (x: ArrayLike, opts: ReduceOptions = {}) => sum(l.ne(asArray(x), l.scalarLike(asArray(x), 0)), { ...opts, dtype: "int32" });

const nanReplaced = (x: ArrayLike, value: number) => {
  const a = asArray(x);
  return isFloat(a.dtype) ? l.select(l.ne(a, a), l.fullLike(a, value), a) : a;
};
export const nansum = (x: ArrayLike, opts: ReduceOptions = {}) => sum(nanReplaced(x, 0), opts);
export const nanprod = (x: ArrayLike, opts: ReduceOptions = {}) => prod(nanReplaced(x, 1), opts);
export const nanmax = (x: ArrayLike, opts: ReduceOptions = {}) => max(nanReplaced(x, -Infinity), opts);
export const nanmin = (x: ArrayLike, opts: ReduceOptions = {}) => min(nanReplaced(x, Infinity), opts);
export function nanmean(x: ArrayLike, opts: ReduceOptions = {}): DeviceArray {
  const a = promoteFloat(x)[0]!;
  const valid = l.convert(l.eq(a, a), a.dtype);
  return l.div(sum(nanReplaced(a, 0), opts), sum(valid, opts));
}

/** Weighted average (np.average). */
export function average(x: ArrayLike, opts: ReduceOptions & { weights?: ArrayLike } = {}): DeviceArray {
  if (opts.weights === undefined) return mean(x, opts);
  const [a, w] = promoteFloat(x, opts.weights);
  // 1-D weights with an axis weigh along that axis, as numpy does.
  const wb = w!.ndim === 1 && a!.ndim > 1 && typeof opts.axis === "number"
    ? l.broadcastInDim(w!, a!.shape, [normalizeAxis("average", opts.axis, a!.ndim, a!.shape)])
    : l.broadcastTo(w!, a!.shape);
  return l.div(sum(l.mul(a!, wb), opts), sum(wb, opts));
}

export const defaultFloatDType = defaultFloat;

/** nan-ignoring cumulative sums / products: NaNs count as 0 / 1. */
export const nancumsum = (x: ArrayLike, opts: { axis?: number | null; dtype?: DType } = {}) => cumsum(nanReplaced(x, 0), opts);
export const nancumprod = (x: ArrayLike, opts: { axis?: number | null; dtype?: DType } = {}) => cumprod(nanReplaced(x, 1), opts);
/** argmax / argmin ignoring NaNs (an all-NaN slice gives -1 where JAX returns -1). */
export function nanargmax(x: ArrayLike, opts: { axis?: number | null; keepdims?: boolean } = {}): DeviceArray {
  const a = asArray(x);
  if (!isFloat(a.dtype)) return argmax(a, opts);
  const r = argmax(nanReplaced(a, -Infinity), opts);
  return l.select(all(l.ne(a, a), opts), l.fullLike(r, -1), r);
}
export function nanargmin(x: ArrayLike, opts: { axis?: number | null; keepdims?: boolean } = {}): DeviceArray {
  const a = asArray(x);
  if (!isFloat(a.dtype)) return argmin(a, opts);
  const r = argmin(nanReplaced(a, Infinity), opts);
  return l.select(all(l.ne(a, a), opts), l.fullLike(r, -1), r);
}
/** Variance and standard deviation over the non-NaN elements. */
export function nanvar(x: ArrayLike, opts: ReduceOptions & { ddof?: number } = {}): DeviceArray {
  const a = opts.dtype ? l.convert(asArray(x), opts.dtype) : promoteFloat(x)[0]!;
  const valid = l.eq(a, a);
  const n = sum(l.convert(valid, a.dtype), { ...opts, keepdims: true });
  const m = l.div(sum(nanReplaced(a, 0), { ...opts, keepdims: true }), n);
  const dev = l.select(valid, l.square(l.sub(a, l.broadcastTo(m, a.shape))), l.zerosLike(a));
  const num = sum(dev, opts);
  const cnt = sum(l.convert(valid, a.dtype), opts);
  return l.div(num, l.max(l.sub(cnt, l.scalarLike(cnt, opts.ddof ?? 0)), l.scalarLike(cnt, 0)));
}
export const nanstd = (x: ArrayLike, opts: ReduceOptions & { ddof?: number } = {}) => l.sqrt(nanvar(x, opts));
