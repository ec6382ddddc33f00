import { LocatedRangeError } from "./checks.js";
import { LocatedTypeError } from "./checks.js";
import type { DeviceArray } from "../array.js";
import * as l from "../lax/primitives.js";
import { concretize } from "../trace/trace.js";
import { normalizeAxis } from "./checks.js";
import { array, asArray, promote, promoteFloat, type ArrayLike } from "./convert.js";

/** Sorting and order statistics (stable sorts; NaN sorts last, as in numpy). */

function prepare(x: ArrayLike, axis: number | null | undefined) {
  let a = asArray(x);
  if (axis === null) { a = l.reshape(a, [a.size]); axis = 0; }
  return { a, axis: normalizeAxis("sort", axis ?? -1, a.ndim, a.shape) };
}

export function sort(x: ArrayLike, opts: { axis?: number | null; descending?: boolean } = {}): DeviceArray {
  const { a, axis } = prepare(x, opts.axis);
  const r = l.sort([a], axis)[0]!;
  return opts.descending ? l.rev(r, [axis]) : r;
}

export function argsort(x: ArrayLike, opts: { axis?: number | null; descending?: boolean } = {}): DeviceArray {
  const { a, axis } = prepare(x, opts.axis);
  const key = opts.descending ? l.neg(a) : a;
  return l.sort([key, l.iota("int32", a.shape, axis)], axis, 1)[1]!;
}

/** Positions where values would be inserted to keep `sorted` (1-D) ordered. */
export function searchsorted(sorted: ArrayLike, values: ArrayLike, opts: { side?: "left" | "right" } = {}): DeviceArray {
  const [s, v] = promote(sorted, values) as [DeviceArray, DeviceArray];
  if (s.ndim !== 1) throw new LocatedTypeError(`searchsorted: the sorted array must be 1-D, got shape [${s.shape}]`);
  const vv = l.reshape(v, [...v.shape, 1]);
  const cmp = (opts.side ?? "left") === "left" ? l.lt(s, vv) : l.le(s, vv);
  return l.reduceSum(l.convert(cmp, "int32"), [v.ndim]);
}

/** Quantiles by linear interpolation between order statistics (numpy's default method). */
export function quantile(x: ArrayLike, q: number | readonly number[], opts: { axis?: number | null; keepdims?: boolean } = {}): DeviceArray {
  const a0 = promoteFloat(x)[0]!;
  const { a, axis } = prepare(a0, opts.axis === undefined ? null : opts.axis);
  const sorted = l.sort([a], axis)[0]!;
  const n = a.shape[axis]!;
  const qs = typeof q === "number" ? [q] : q;
  const take = (i: number) => l.reshape(l.slice(sorted, sorted.shape.map((_, k) => (k === axis ? i : 0)), sorted.shape.map((d, k) => (k === axis ? i + 1 : d))), sorted.shape.filter((_, k) => k !== axis));
  const results = qs.map((qq) => {
    if (qq < 0 || qq > 1) throw new LocatedRangeError(`quantile: q must be in [0, 1], got ${qq}`);
    const pos = qq * (n - 1), lo = Math.floor(pos), hi = Math.min(lo + 1, n - 1), frac = pos - lo;
    const vlo = take(lo);
    return frac === 0 ? vlo : l.add(vlo, l.mul(l.sub(take(hi), vlo), l.scalarLike(vlo, frac)));
  });
  let r = typeof q === "number" ? results[0]! : l.concatenate(results.map((v) => l.reshape(v, [1, ...v.shape])), 0);
  if (opts.keepdims && typeof q === "number") r = l.reshape(r, a.shape.map((d, k) => (k === axis ? 1 : d)));
  return r;
}
export const percentile = (x: ArrayLike, q: number | readonly number[], opts: { axis?: number | null; keepdims?: boolean } = {}) =>
  quantile(x, typeof q === "number" ? q / 100 : q.map((v) => v / 100), opts);
export const median = (x: ArrayLike, opts: { axis?: number | null; keepdims?: boolean } = {}) => quantile(x, 0.5, opts);

/** Sorted unique values (needs concrete values: the output size depends on the data). */
export function unique(x: ArrayLike, opts: { size?: number | null; fillValue?: number | null } = {}): DeviceArray {
  if (opts.size !== undefined && opts.size !== null) return uniqueSized(asArray(x), opts.size, opts.fillValue ?? null);
  const a = concretize(asArray(x), "unique");
  const vals = [...a.dataSync()].sort((p, q) => (Number.isNaN(p) ? 1 : Number.isNaN(q) ? -1 : p - q));
  let out = vals.filter((v, i) => i === 0 || !(v === vals[i - 1] || (Number.isNaN(v) && Number.isNaN(vals[i - 1]!))));
  if (opts.size !== undefined && opts.size !== null) {
    // As jax.numpy.unique(size=, fill_value=): a fixed length, padded with fill_value (default: the smallest value).
    if (opts.size < 0) throw new LocatedTypeError(`unique: size must be non-negative, got ${opts.size}`);
    const fill = opts.fillValue ?? out[0] ?? 0;
    out = out.length >= opts.size ? out.slice(0, opts.size) : [...out, ...Array(opts.size - out.length).fill(fill)];
  }
  return array(out, a.dtype);
}

/** Indices that sort by the last key, then the one before, ... (numpy.lexsort). */
export function lexsort(keys: readonly ArrayLike[], axis = -1): DeviceArray {
  const ks = [...keys].reverse().map((k) => asArray(k));
  const ax = normalizeAxis("lexsort", axis, ks[0]!.ndim, ks[0]!.shape);
  return l.sort([...ks, l.iota("int32", ks[0]!.shape, ax)], ax, ks.length)[ks.length]!;
}

/**
 * partition / argpartition: the element at kth is where a full sort puts it, smaller ones
 * before, larger after. A full (stable) sort satisfies that; the order within each side may
 * differ from numpy's, which leaves it unspecified.
 */
export const partition = (x: ArrayLike, kth: number, axis: number | null = -1) => sort(x, { axis });
export const argpartition = (x: ArrayLike, kth: number, axis: number | null = -1) => argsort(x, { axis });

/** Quantiles ignoring NaNs: NaNs sort last, so each slice interpolates among its first count values. */
export function nanquantile(x: ArrayLike, q: number | readonly number[], opts: { axis?: number | null; keepdims?: boolean } = {}): DeviceArray {
  const a0 = promoteFloat(x)[0]!;
  const { a, axis } = prepare(a0, opts.axis === undefined ? null : opts.axis);
  const sorted = l.sort([a], axis)[0]!;
  const keepShape = sorted.shape.map((d, k) => (k === axis ? 1 : d));
  const count = l.reduceSum(l.convert(l.eq(a, a), a.dtype), [axis]);
  const qs = typeof q === "number" ? [q] : q;
  const results = qs.map((qq) => {
    if (qq < 0 || qq > 1) throw new LocatedRangeError(`nanquantile: q must be in [0, 1], got ${qq}`);
    const pos = l.mul(l.sub(count, l.scalarLike(count, 1)), l.scalarLike(count, qq));
    const lo = l.max(l.floor(pos), l.scalarLike(pos, 0));
    const hi = l.min(l.add(lo, l.scalarLike(lo, 1)), l.max(l.sub(count, l.scalarLike(count, 1)), l.scalarLike(count, 0)));
    const frac = l.sub(pos, lo);
    const at = (i: DeviceArray) => l.reshape(takeAlong(sorted, l.reshape(l.convert(i, "int32"), keepShape), axis), count.shape);
    const vlo = at(lo), vhi = at(hi);
    const r = l.add(vlo, l.mul(l.sub(vhi, vlo), frac));
    return l.select(l.eq(count, l.scalarLike(count, 0)), l.fullLike(r, NaN), r);
  });
  let r = typeof q === "number" ? results[0]! : l.concatenate(results.map((v) => l.reshape(v, [1, ...v.shape])), 0);
  if (opts.keepdims && typeof q === "number") r = l.reshape(r, keepShape);
  return r;
}
export const nanpercentile = (x: ArrayLike, q: number | readonly number[], opts: { axis?: number | null; keepdims?: boolean } = {}) =>
  nanquantile(x, typeof q === "number" ? q / 100 : q.map((v) => v / 100), opts);
export const nanmedian = (x: ArrayLike, opts: { axis?: number | null; keepdims?: boolean } = {}) => nanquantile(x, 0.5, opts);
import { takeAlongAxis as takeAlong } from "../trace/ad/vjp.js";

/**
 * unique with a static size (jnp.unique(size=, fill_value=)), traceable under jit and vmap:
 * sort, keep each value that differs from its predecessor (NaNs count as one value, as numpy's
 * equal_nan), compact into `size` slots padded with fillValue (default: the smallest value).
 */
function uniqueSized(a: DeviceArray, size: number, fillValue: number | null): DeviceArray {
  if (size < 0) throw new LocatedTypeError(`unique: size must be non-negative, got ${size}`);
  const flat = l.reshape(a, [a.size]);
  if (a.size === 0) return l.broadcastInDim(l.convert(array(fillValue ?? 0), a.dtype), [size], []);
  const [sorted] = l.sort([flat], 0, 1);
  const s = sorted!;
  const n = a.size;
  const prev = l.concatenate([l.slice(s, [0], [1]), l.slice(s, [0], [n - 1])], 0);
  const nan = (v: DeviceArray) => l.ne(v, v);
  const differs = l.and(l.ne(s, prev), l.not(l.and(nan(s), nan(prev))));
  const first = l.eq(l.iota("int32", [n], 0), l.scalarLike(l.iota("int32", [n], 0), 0));
  const keep = l.or(first, differs);
  const [out] = compact(keep, [s], size, 0);
  // Padding slots hold fillValue, or the smallest value (a traced one: not known while tracing).
  const count = l.reduceSum(l.convert(keep, "int32"), [0]);
  const pad = l.ge(l.iota("int32", [size], 0), l.broadcastInDim(count, [size], []));
  const fill = fillValue !== null ? l.broadcastInDim(l.convert(array(fillValue), a.dtype), [size], []) : l.broadcastInDim(l.slice(s, [0], [1]), [size], [0]);
  return l.select(pad, fill, out!);
}
import { compact } from "./compact.js";
