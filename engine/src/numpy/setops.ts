import type { DeviceArray } from "../array.js";
import { isInt } from "../dtype.js";
import * as l from "../lax/primitives.js";
import { bind1, concretize } from "../trace/trace.js";
import { array, asArray, promote, promoteFloat, type ArrayLike } from "./convert.js";
import { LocatedRangeError, LocatedTypeError, ShapeError } from "./checks.js";
import { linspace } from "./creation.js";
import { searchsorted } from "./sorting.js";

/**
 * Set operations, counting and binning. Functions whose output size depends on the data
 * (unique, setdiff1d, ...) need concrete values and say so inside jit.
 */

const flat = (a: DeviceArray) => l.reshape(a, [a.size]);

/** Whether each element of `element` occurs in testElements (traceable: compares all pairs). */
export function isin(element: ArrayLike, testElements: ArrayLike, opts: { invert?: boolean } = {}): DeviceArray {
  const [e, t] = promote(element, testElements) as [DeviceArray, DeviceArray];
  const tf = flat(t);
  const eq = l.eq(l.broadcastInDim(e, [...e.shape, tf.size], [...e.shape.keys()]), l.broadcastInDim(tf, [...e.shape, tf.size], [e.ndim]));
  const r = bind1("reduce_or", [eq], { axes: [e.ndim] });
  return opts.invert ? l.not(r) : r;
}

function hostValues(x: ArrayLike, what: string): { values: number[]; dtype: DeviceArray["dtype"] } {
  const a = concretize(asArray(x), what);
  return { values: [...a.dataSync()].map(Number), dtype: a.dtype };
}
const byValue = (p: number, q: number) => (Number.isNaN(p) ? (Number.isNaN(q) ? 0 : 1) : Number.isNaN(q) ? -1 : p - q);
const sortedUnique = (vals: number[]) => {
  const s = [...vals].sort(byValue);
  return s.filter((v, i) => i === 0 || !(v === s[i - 1] || (Number.isNaN(v) && Number.isNaN(s[i - 1]!))));
};

/** unique_values / unique_counts / unique_inverse / unique_all (the array-API set functions). */
export const uniqueValues = (x: ArrayLike) => { const { values, dtype } = hostValues(x, "uniqueValues"); return array(sortedUnique(values), dtype); };
export function uniqueCounts(x: ArrayLike): { values: DeviceArray; counts: DeviceArray } {
  const { values, dtype } = hostValues(x, "uniqueCounts");
  const u = sortedUnique(values);
  const counts = u.map((v) => values.filter((w) => w === v || (Number.isNaN(v) && Number.isNaN(w))).length);
  return { values: array(u, dtype), counts: array(counts, "int32") };
}
export function uniqueInverse(x: ArrayLike): { values: DeviceArray; inverseIndices: DeviceArray } {
  const a = asArray(x);
  const { values, dtype } = hostValues(a, "uniqueInverse");
  const u = sortedUnique(values);
  const inv = values.map((v) => u.findIndex((w) => w === v || (Number.isNaN(v) && Number.isNaN(w))));
  return { values: array(u, dtype), inverseIndices: l.reshape(array(inv, "int32"), a.shape) };
}
export function uniqueAll(x: ArrayLike): { values: DeviceArray; indices: DeviceArray; inverseIndices: DeviceArray; counts: DeviceArray } {
  const a = asArray(x);
  const { values, dtype } = hostValues(a, "uniqueAll");
  const u = sortedUnique(values);
  const same = (v: number, w: number) => v === w || (Number.isNaN(v) && Number.isNaN(w));
  return {
    values: array(u, dtype),
    indices: array(u.map((v) => values.findIndex((w) => same(v, w))), "int32"),
    inverseIndices: l.reshape(array(values.map((v) => u.findIndex((w) => same(v, w))), "int32"), a.shape),
    counts: array(u.map((v) => values.filter((w) => same(v, w)).length), "int32"),
  };
}

function setOp(name: string, a1: ArrayLike, a2: ArrayLike, keep: (inA: boolean, inB: boolean) => boolean): DeviceArray {
  const [a, b] = promote(a1, a2) as [DeviceArray, DeviceArray];
  const va = sortedUnique(hostValues(a, name).values), vb = sortedUnique(hostValues(b, name).values);
  const sa = new Set(va), sb = new Set(vb);
  const all = sortedUnique([...va, ...vb]);
  return array(all.filter((v) => keep(sa.has(v), sb.has(v))), a.dtype);
}
export const union1d = (a: ArrayLike, b: ArrayLike) => setOp("union1d", a, b, (x, y) => x || y);
export const intersect1d = (a: ArrayLike, b: ArrayLike) => setOp("intersect1d", a, b, (x, y) => x && y);
export const setdiff1d = (a: ArrayLike, b: ArrayLike) => setOp("setdiff1d", a, b, (x, y) => x && !y);
export const setxor1d = (a: ArrayLike, b: ArrayLike) => setOp("setxor1d", a, b, (x, y) => x !== y);

/**
 * Counts of each non-negative integer (weighted when weights are given). The output length is
 * max(x)+1 (at least minlength), which needs concrete values; pass `length` to use it in jit.
 */
export function bincount(x: ArrayLike, opts: { weights?: ArrayLike; minlength?: number; length?: number } = {}): DeviceArray {
  const a = asArray(x);
  if (!isInt(a.dtype)) throw new LocatedTypeError(`bincount: x must be an integer array, got ${a.aval}`);
  if (a.ndim !== 1) throw new ShapeError("bincount", "x must be 1-D", [a.shape], `bincount: x must be one-dimensional, got [${a.shape}]`);
  let length = opts.length;
  if (length === undefined) {
    const vals = [...concretize(a, "bincount without a static length").dataSync()];
    if (vals.some((v) => v < 0)) throw new LocatedRangeError("bincount: x must be non-negative");
    length = Math.max(opts.minlength ?? 0, vals.length ? Math.max(...vals) + 1 : 0);
  }
  const w = opts.weights === undefined ? l.broadcastTo(l.convert(l.scalarLike(a, 1), "int32", false), a.shape) : asArray(opts.weights);
  const idx = l.convert(a, "int32");
  // Indices outside [0, length) are dropped, as JAX does: their weight becomes zero.
  const inside = l.and(l.ge(idx, l.scalarLike(idx, 0)), l.lt(idx, l.scalarLike(idx, length)));
  const wv = l.select(inside, l.broadcastTo(w, a.shape), l.zerosLike(l.broadcastTo(w, a.shape)));
  const safe = l.select(inside, idx, l.zerosLike(idx));
  return l.scatter(l.broadcastTo(l.scalarLike(wv, 0), [length]), safe, wv, 0, "add");
}

/** Index of the bin each value falls in (bins increasing or decreasing). */
export function digitize(x: ArrayLike, bins: ArrayLike, opts: { right?: boolean } = {}): DeviceArray {
  const [xv, b] = promote(x, bins) as [DeviceArray, DeviceArray];
  if (b.ndim !== 1) throw new ShapeError("digitize", "bins must be 1-D", [b.shape], `digitize: bins must be a one-dimensional array, got [${b.shape}]`);
  const side = opts.right ? "left" : "right";
  if (b.size === 0) return l.convert(l.zerosLike(xv), "int32");
  const inc = searchsorted(b, xv, { side });
  const dec = l.sub(l.broadcastTo(l.scalarLike(inc, b.size), inc.shape), searchsorted(l.rev(b, [0]), xv, { side }));
  const first = l.reshape(l.slice(b, [0], [1]), []), last = l.reshape(l.slice(b, [b.size - 1], [b.size]), []);
  return l.select(l.broadcastTo(l.le(first, last), inc.shape), inc, dec);
}

/** Bin edges for histogram: `bins` evenly spaced over range (default: the data's min and max). */
export function histogramBinEdges(x: ArrayLike, bins: number | ArrayLike = 10, opts: { range?: [number, number] } = {}): DeviceArray {
  const a = promoteFloat(x)[0]!;
  if (typeof bins !== "number") return l.convert(asArray(bins), a.dtype);
  let lo: DeviceArray, hi: DeviceArray;
  if (opts.range) { lo = l.scalarLike(a, opts.range[0]); hi = l.scalarLike(a, opts.range[1]); }
  else if (a.size === 0) { lo = l.scalarLike(a, 0); hi = l.scalarLike(a, 1); }
  else { lo = l.reduceMin(flat(a), [0]); hi = l.reduceMax(flat(a), [0]); }
  const same = l.eq(lo, hi);
  lo = l.select(same, l.sub(lo, l.scalarLike(a, 0.5)), lo);
  hi = l.select(same, l.add(hi, l.scalarLike(a, 0.5)), hi);
  const t = linspace(0, 1, bins, { dtype: a.dtype, endpoint: false });
  // The last edge is exactly hi, so that the maximum lands in the last bin.
  const inner = l.add(l.mul(l.broadcastTo(l.sub(hi, lo), [bins]), t), l.broadcastTo(lo, [bins]));
  return l.concatenate([inner, l.reshape(hi, [1])], 0);
}

/**
 * [counts, edges]. Counts are floats, as in JAX; the last bin includes its right edge.
 * Traceable: the number of bins is static.
 */
export function histogram(x: ArrayLike, bins: number | ArrayLike = 10, opts: { range?: [number, number]; weights?: ArrayLike; density?: boolean } = {}): [DeviceArray, DeviceArray] {
  const a = flat(promoteFloat(x)[0]!);
  const edges = histogramBinEdges(a, bins, opts);
  const nb = edges.size - 1;
  const w = opts.weights === undefined ? l.fullLike(a, 1) : flat(l.convert(asArray(opts.weights), a.dtype));
  let idx = l.sub(searchsorted(edges, a, { side: "right" }), l.scalarLike(l.iota("int32", []), 1));
  const lastEdge = l.reshape(l.slice(edges, [nb], [nb + 1]), []);
  idx = l.select(l.eq(a, l.broadcastTo(lastEdge, a.shape)), l.fullLike(idx, nb - 1), idx);
  let counts = bincount(idx, { weights: w, length: nb });
  if (opts.density) {
    const widths = l.sub(l.slice(edges, [1], [nb + 1]), l.slice(edges, [0], [nb]));
    counts = l.div(l.div(counts, widths), l.broadcastTo(l.reduceSum(counts, [0]), [nb]));
  }
  return [counts, edges];
}

