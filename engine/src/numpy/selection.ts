import type { DeviceArray } from "../array.js";
import { isInt } from "../dtype.js";
import * as l from "../lax/primitives.js";
import { concretize } from "../trace/trace.js";
import { array, asArray, promote, type ArrayLike } from "./convert.js";
import { LocatedRangeError, LocatedTypeError, ShapeError, broadcastShapes, normalizeAxis } from "./checks.js";
import { at, take, Slice } from "./indexing.js";

/**
 * Choosing, inserting and deleting elements. Positions given as JS numbers are static;
 * boolean masks given as arrays need concrete values (not inside jit), and say so.
 */

/** select(condlist, choicelist, default): the first true condition picks its choice. */
export function select(condlist: readonly ArrayLike[], choicelist: readonly ArrayLike[], defaultValue: ArrayLike = 0): DeviceArray {
  if (condlist.length !== choicelist.length) throw new LocatedTypeError(`select: condlist and choicelist must have the same length, got ${condlist.length} and ${choicelist.length}`);
  const choices = promote(...choicelist, defaultValue);
  const conds = condlist.map((c) => { const a = asArray(c); if (a.dtype !== "bool") throw new LocatedTypeError(`select: condlist entries must be bool arrays, got ${a.aval}`); return a; });
  const shape = broadcastShapes("select", ...conds.map((c) => c.shape), ...choices.map((c) => c.shape)) as number[];
  let r = l.broadcastTo(choices[choices.length - 1]!, shape);
  for (let i = conds.length - 1; i >= 0; i--) r = l.select(l.broadcastTo(conds[i]!, shape), l.broadcastTo(choices[i]!, shape), r);
  return r;
}

/** piecewise(x, condlist, funclist): each function (or constant) applies where its condition holds. */
export function piecewise(x: ArrayLike, condlist: readonly ArrayLike[], funclist: readonly (((x: DeviceArray) => ArrayLike) | number)[]): DeviceArray {
  const a = asArray(x);
  const n = condlist.length;
  if (funclist.length !== n && funclist.length !== n + 1) throw new LocatedTypeError(`piecewise: with ${n} condition(s), funclist must have ${n} or ${n + 1} entries, got ${funclist.length}`);
  const evalF = (f: ((x: DeviceArray) => ArrayLike) | number) => l.broadcastTo(l.convert(asArray(typeof f === "number" ? f : f(a)), a.dtype, false), a.shape);
  let r = funclist.length === n + 1 ? evalF(funclist[n]!) : l.zerosLike(l.convert(a, a.dtype, false));
  for (let i = 0; i < n; i++) r = l.select(l.broadcastTo(l.convert(asArray(condlist[i]!), "bool"), a.shape), evalF(funclist[i]!), r);
  return r;
}

/** choose(a, choices): choices[a[i]][i]; mode "raise" checks bounds (needs concrete a), "wrap" and "clip" do not. */
export function choose(a: ArrayLike, choices: readonly ArrayLike[], opts: { mode?: "raise" | "wrap" | "clip" } = {}): DeviceArray {
  let idx = asArray(a);
  if (!isInt(idx.dtype)) throw new LocatedTypeError(`choose: the index array must be integer, got ${idx.aval}`);
  const cs = promote(...choices);
  const n = cs.length;
  const mode = opts.mode ?? "raise";
  idx = l.convert(idx, "int32");
  if (mode === "raise") {
    const vals = concretize(idx, "choose with mode='raise' (use mode 'wrap' or 'clip' inside jit)").dataSync();
    if ([...vals].some((v) => v < 0 || v >= n)) throw new LocatedRangeError(`choose: invalid entry in choice array (indices must be in [0, ${n}))`);
  } else if (mode === "wrap") idx = l.binary("rem")(l.add(l.binary("rem")(idx, l.scalarLike(idx, n)), l.scalarLike(idx, n)), l.scalarLike(idx, n));
  else idx = l.max(l.min(idx, l.scalarLike(idx, n - 1)), l.scalarLike(idx, 0));
  const shape = broadcastShapes("choose", idx.shape, ...cs.map((c) => c.shape)) as number[];
  const ib = l.broadcastTo(idx, shape);
  let r = l.broadcastTo(cs[n - 1]!, shape);
  for (let i = n - 2; i >= 0; i--) r = l.select(l.eq(ib, l.scalarLike(ib, i)), l.broadcastTo(cs[i]!, shape), r);
  return r;
}

function maskPositions(mask: ArrayLike, what: string): number[] {
  const m = concretize(asArray(mask), `${what} (its output size depends on the mask's values)`);
  const out: number[] = [];
  m.dataSync().forEach((v, i) => { if (v) out.push(i); });
  return out;
}

/** Slices of a along an axis where condition is true (condition may be shorter than the axis). */
export function compress(condition: ArrayLike, a: ArrayLike, axis?: number | null): DeviceArray {
  let arr = asArray(a);
  if (axis === undefined || axis === null) { arr = l.reshape(arr, [arr.size]); axis = 0; }
  const ax = normalizeAxis("compress", axis, arr.ndim, arr.shape);
  const pos = maskPositions(condition, "compress");
  if (pos.some((p) => p >= arr.shape[ax]!)) throw new ShapeError("compress", "condition longer than the axis", [arr.shape], `compress: condition selects index ${pos[pos.length - 1]} but axis ${ax} has size ${arr.shape[ax]}`);
  return take(arr, array(pos, "int32"), ax);
}
export const extract = (condition: ArrayLike, arr: ArrayLike) => { const c = asArray(condition); return compress(l.reshape(c, [c.size]), arr, null); };

/** place(arr, mask, vals): a copy of arr with vals placed (cyclically) where mask is true. */
export function place(arr: ArrayLike, mask: ArrayLike, vals: ArrayLike): DeviceArray {
  const a = asArray(arr);
  const pos = maskPositions(mask, "place");
  if (!pos.length) return a;
  const v = l.convert(asArray(vals), a.dtype);
  const vf = l.reshape(v, [v.size]);
  if (vf.size === 0) throw new LocatedTypeError("place: cannot place values from an empty vals array into a non-empty selection");
  const cyc = l.gather(vf, array(pos.map((_, i) => i % vf.size), "int32"), 0);
  return l.reshape(l.scatter(l.reshape(a, [a.size]), array(pos, "int32"), cyc, 0, "set"), a.shape);
}

/** put(a, ind, v): a copy of a with flat positions ind set to v (repeated cyclically). */
export function put(a: ArrayLike, ind: ArrayLike, v: ArrayLike, opts: { mode?: "clip" | "wrap" } = {}): DeviceArray {
  const arr = asArray(a);
  let i = l.convert(asArray(ind, Array.isArray(ind) ? "int32" : undefined), "int32");
  i = l.reshape(i, [i.size]);
  const n = arr.size;
  if (opts.mode === "wrap") i = l.binary("rem")(l.add(l.binary("rem")(i, l.scalarLike(i, n)), l.scalarLike(i, n)), l.scalarLike(i, n));
  else if (opts.mode === "clip") i = l.max(l.min(i, l.scalarLike(i, n - 1)), l.scalarLike(i, 0));
  else i = l.select(l.lt(i, l.scalarLike(i, 0)), l.add(i, l.scalarLike(i, n)), i);
  const vv = l.convert(asArray(v), arr.dtype);
  const vf = l.reshape(vv, [vv.size]);
  const cyc = vf.size === i.size ? vf : l.gather(vf, array(Array.from({ length: i.size }, (_, k) => k % vf.size), "int32"), 0);
  return l.reshape(l.scatter(l.reshape(arr, [n]), i, cyc, 0, "set"), arr.shape);
}

/** put_along_axis (as JAX: returns a new array): arr with values at the indices along axis. */
export function putAlongAxis(arr: ArrayLike, indices: ArrayLike, values: ArrayLike, axis: number, opts: { mode?: "set" | "add" } = {}): DeviceArray {
  const a = asArray(arr);
  const idx = l.convert(asArray(indices), "int32");
  const ax = normalizeAxis("putAlongAxis", axis, a.ndim, a.shape);
  if (idx.ndim !== a.ndim) throw new ShapeError("putAlongAxis", "indices rank", [a.shape, idx.shape], `putAlongAxis: indices must have the same number of dimensions as arr, got [${idx.shape}] for [${a.shape}]`);
  const shape = a.shape.map((d, k) => (k === ax ? idx.shape[k]! : Math.max(d, idx.shape[k]!)));
  const full = l.broadcastTo(idx, shape);
  const ix = a.shape.map((_, k) => (k === ax ? full : l.iota("int32", shape, k)));
  const u = at(a, ...ix);
  return opts.mode === "add" ? u.add(values) : u.set(values);
}

/** append(arr, values, axis): concatenation (flattened when axis is absent). */
export function append(arr: ArrayLike, values: ArrayLike, axis?: number | null): DeviceArray {
  let [a, v] = promote(arr, values) as [DeviceArray, DeviceArray];
  if (axis === undefined || axis === null) return l.concatenate([l.reshape(a, [a.size]), l.reshape(v, [v.size])], 0);
  const ax = normalizeAxis("append", axis, a.ndim, a.shape);
  if (v.ndim !== a.ndim) throw new ShapeError("append", "values rank", [a.shape, v.shape], `append: arrays must have the same number of dimensions, got [${a.shape}] and [${v.shape}]`);
  return l.concatenate([a, v], ax);
}

type StaticIndex = number | readonly number[] | Slice;
function staticPositions(op: string, obj: StaticIndex, n: number): number[] {
  if (obj instanceof Slice) {
    const step = obj.step ?? 1;
    const out: number[] = [];
    const norm = (v: number | null, d: number) => (v === null ? d : v < 0 ? Math.max(v + n, step < 0 ? -1 : 0) : Math.min(v, step < 0 ? n - 1 : n));
    const start = norm(obj.start, step > 0 ? 0 : n - 1), stop = norm(obj.stop, step > 0 ? n : -1);
    for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
    return out;
  }
  const list = typeof obj === "number" ? [obj] : [...obj];
  return list.map((i) => {
    if (!Number.isInteger(i)) throw new LocatedTypeError(`${op}: positions must be integers given as JS numbers (static), got ${i}`);
    return i;
  });
}

/** delete(arr, obj, axis): removes the positions obj (int, list of ints, or slice; static) along axis. */
export function delete_(arr: ArrayLike, obj: StaticIndex, axis?: number | null): DeviceArray {
  let a = asArray(arr);
  if (axis === undefined || axis === null) { a = l.reshape(a, [a.size]); axis = 0; }
  const ax = normalizeAxis("delete", axis, a.ndim, a.shape);
  const n = a.shape[ax]!;
  const drop = new Set(staticPositions("delete", obj, n).map((i) => {
    if (i < -n || i >= n) throw new LocatedRangeError(`delete: index ${i} is out of bounds for axis ${ax} with size ${n}`);
    return i < 0 ? i + n : i;
  }));
  const keep = Array.from({ length: n }, (_, i) => i).filter((i) => !drop.has(i));
  return l.gather(a, array(keep, "int32"), ax);
}
export { delete_ as delete };

/** insert(arr, obj, values, axis): values inserted before the static positions obj along axis. */
export function insert(arr: ArrayLike, obj: StaticIndex, values: ArrayLike, axis?: number | null): DeviceArray {
  let a = asArray(arr);
  if (axis === undefined || axis === null) { a = l.reshape(a, [a.size]); axis = 0; }
  const ax = normalizeAxis("insert", axis, a.ndim, a.shape);
  const n = a.shape[ax]!;
  let v = l.convert(asArray(values), a.dtype);
  let positions: number[];
  if (typeof obj === "number") {
    // A scalar position inserts values shaped like slices of arr (numpy's ndmin + moveaxis).
    while (v.ndim < a.ndim) v = l.reshape(v, [1, ...v.shape]);
    const perm = [...v.shape.keys()];
    perm.splice(0, 1); perm.splice(ax, 0, 0);
    v = l.transpose(v, perm);
    const numnew = v.shape[ax]!;
    v = l.broadcastTo(v, a.shape.map((d, k) => (k === ax ? numnew : d)));
    positions = Array(numnew).fill(obj);
  } else {
    positions = staticPositions("insert", obj, n + 1);
    v = l.broadcastTo(v, a.shape.map((d, k) => (k === ax ? positions.length : d)));
  }
  positions = positions.map((p) => {
    if (p < -n || p > n) throw new LocatedRangeError(`insert: index ${p} is out of bounds for axis ${ax} with size ${n}`);
    return p < 0 ? p + n : p;
  });
  // Where each new value lands: stable order of positions, shifted by the number inserted before.
  const order = positions.map((p, i) => [p, i] as const).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const total = n + positions.length;
  const src = new Array<number>(total).fill(-1);
  order.forEach(([p, i], k) => { src[p + k] = n + i; });
  let j = 0;
  for (let k = 0; k < total; k++) if (src[k] === -1) src[k] = j++;
  return l.gather(l.concatenate([a, v], ax), array(src, "int32"), ax);
}

/** resize(a, newShape): the flattened data repeated cyclically to fill the new shape. */
export function resize(a: ArrayLike, newShape: number | readonly number[]): DeviceArray {
  const arr = asArray(a);
  const shape = typeof newShape === "number" ? [newShape] : [...newShape];
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new LocatedRangeError(`resize: all elements of the new shape must be non-negative integers, got [${shape}]`);
  const size = shape.reduce((p, d) => p * d, 1);
  const f = l.reshape(arr, [arr.size]);
  if (arr.size === 0) return l.broadcastTo(l.scalarLike(l.convert(arr, arr.dtype, false), 0), shape);
  const reps = Math.ceil(size / arr.size);
  const tiled = l.reshape(l.broadcastInDim(f, [reps, arr.size], [1]), [reps * arr.size]);
  return l.reshape(l.slice(tiled, [0], [size]), shape);
}

/** Trims leading ("f") and/or trailing ("b") zeros of a 1-D array (needs concrete values). */
export function trimZeros(filt: ArrayLike, trim: "f" | "b" | "fb" = "fb"): DeviceArray {
  const a = asArray(filt);
  const d = concretize(a, "trimZeros (its output size depends on the values)").dataSync();
  let s = 0, e = d.length;
  if (trim.includes("f")) while (s < e && d[s] === 0) s++;
  if (trim.includes("b")) while (e > s && d[e - 1] === 0) e--;
  return l.slice(a, [s], [e]);
}

/** fill_diagonal (returns a new array, as JAX's inplace=False): the main diagonal set to val (cyclic). */
export function fillDiagonal(a: ArrayLike, val: ArrayLike, opts: { wrap?: boolean } = {}): DeviceArray {
  const arr = asArray(a);
  if (arr.ndim < 2) throw new ShapeError("fillDiagonal", "array must be at least 2-d", [arr.shape], `fillDiagonal: array must be at least 2-d, got [${arr.shape}]`);
  let positions: number[];
  if (arr.ndim === 2) {
    const [n, m] = arr.shape as [number, number];
    const end = opts.wrap ? n * m : Math.min(n, m) * m;
    positions = [];
    for (let p = 0; p < end; p += m + 1) positions.push(p);
  } else {
    if (arr.shape.some((d) => d !== arr.shape[0])) throw new ShapeError("fillDiagonal", "all dimensions must be equal", [arr.shape], `fillDiagonal: all dimensions of input must be of equal length, got [${arr.shape}]`);
    const step = arr.shape.reduce((acc, _d, k) => acc + arr.shape.slice(k + 1).reduce((p, q) => p * q, 1), 0);
    positions = Array.from({ length: arr.shape[0]! }, (_, i) => i * step);
  }
  return put(arr, array(positions, "int32"), val);
}

/** Row and column indices of the upper / lower triangle of an (n, m) array (static). */
const triIdx = (n: number, k: number, m: number | undefined, keep: (i: number, j: number) => boolean): [DeviceArray, DeviceArray] => {
  const rows: number[] = [], cols: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < (m ?? n); j++) if (keep(i, j - k)) { rows.push(i); cols.push(j); }
  return [array(rows, "int32"), array(cols, "int32")];
};
export const triuIndices = (n: number, k = 0, m?: number) => triIdx(n, k, m, (i, j) => j >= i);
export const trilIndices = (n: number, k = 0, m?: number) => triIdx(n, k, m, (i, j) => j <= i);
export const triuIndicesFrom = (arr: ArrayLike, k = 0) => { const a = asArray(arr); return triuIndices(a.shape[0]!, k, a.shape[1]); };
export const trilIndicesFrom = (arr: ArrayLike, k = 0) => { const a = asArray(arr); return trilIndices(a.shape[0]!, k, a.shape[1]); };
export const diagIndices = (n: number, ndim = 2): DeviceArray[] => Array.from({ length: ndim }, () => array(Array.from({ length: n }, (_, i) => i), "int32"));
export const diagIndicesFrom = (arr: ArrayLike) => { const a = asArray(arr); return diagIndices(a.shape[0]!, a.ndim); };
/** Indices where maskFunc(ones(n, n), k) is nonzero (maskFunc such as np.triu). */
export function maskIndices(n: number, maskFunc: (a: DeviceArray, k: number) => DeviceArray, k = 0): [DeviceArray, DeviceArray] {
  const m = concretize(maskFunc(l.broadcastTo(l.convert(l.scalarLike(l.iota("int32", []), 1), "int32", false), [n, n]), k), "maskIndices").dataSync();
  return triIdx(n, 0, n, (i, j) => m[i * n + j] !== 0);
}

/** Flat indices from per-axis index arrays (C order); mode "wrap" / "clip" for out-of-range values. */
export function ravelMultiIndex(multiIndex: readonly ArrayLike[], dims: readonly number[], opts: { mode?: "raise" | "wrap" | "clip" } = {}): DeviceArray {
  if (multiIndex.length !== dims.length) throw new LocatedTypeError(`ravelMultiIndex: got ${multiIndex.length} index arrays for ${dims.length} dimensions`);
  const idx = multiIndex.map((m) => l.convert(asArray(m, Array.isArray(m) ? "int32" : undefined), "int32"));
  const shape = broadcastShapes("ravelMultiIndex", ...idx.map((i) => i.shape)) as number[];
  const mode = opts.mode ?? "raise";
  let out = l.broadcastTo(l.convert(l.scalarLike(l.iota("int32", []), 0), "int32", false), shape);
  let stride = 1;
  for (let k = dims.length - 1; k >= 0; k--) {
    let i = l.broadcastTo(idx[k]!, shape);
    const d = dims[k]!;
    if (mode === "raise") {
      const vals = concretize(i, "ravelMultiIndex with mode='raise' (use 'wrap' or 'clip' inside jit)").dataSync();
      if ([...vals].some((v) => v < 0 || v >= d)) throw new LocatedRangeError(`ravelMultiIndex: invalid entry in coordinates array (axis ${k} has size ${d})`);
    } else if (mode === "wrap") i = l.binary("rem")(l.add(l.binary("rem")(i, l.scalarLike(i, d)), l.scalarLike(i, d)), l.scalarLike(i, d));
    else i = l.max(l.min(i, l.scalarLike(i, d - 1)), l.scalarLike(i, 0));
    out = l.add(out, l.mul(i, l.scalarLike(i, stride)));
    stride *= d;
  }
  return out;
}
/** Per-axis indices of flat indices into an array of `shape` (C order). */
export function unravelIndex(indices: ArrayLike, shape: readonly number[]): DeviceArray[] {
  const i = l.convert(asArray(indices, Array.isArray(indices) ? "int32" : undefined), "int32");
  const total = shape.reduce((p, d) => p * d, 1);
  // Negative indices count from the end, as JAX does; out-of-range ones are clipped.
  let f = l.select(l.lt(i, l.scalarLike(i, 0)), l.add(i, l.scalarLike(i, total)), i);
  f = l.max(l.min(f, l.scalarLike(f, Math.max(0, total - 1))), l.scalarLike(f, 0));
  const out: DeviceArray[] = [];
  for (let k = shape.length - 1; k >= 0; k--) {
    const d = shape[k]!;
    out.unshift(l.binary("rem")(f, l.scalarLike(f, d)));
    f = l.div(f, l.scalarLike(f, d));
  }
  return out;
}

/** ix_: open-mesh index arrays from 1-D sequences, for indexing cross products. */
export function ix_(...seqs: ArrayLike[]): DeviceArray[] {
  return seqs.map((s, k) => {
    const a = asArray(s, Array.isArray(s) ? (s.every((v: unknown) => typeof v === "boolean") ? "bool" : "int32") : undefined);
    if (a.ndim !== 1) throw new ShapeError("ix_", "arguments must be 1-D", [a.shape], `ix_: cross index must be 1 dimensional, got [${a.shape}]`);
    return l.reshape(a, seqs.map((_, j) => (j === k ? a.size : 1)));
  });
}
