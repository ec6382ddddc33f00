import type { DeviceArray } from "../array.js";
import { asArray } from "../numpy/convert.js";
import { LocatedError } from "../ir/source.js";
import { vmapFlat } from "../trace/transforms.js";
import { flatten, unflatten } from "../tree.js";
import { scan } from "./control.js";
import * as l from "./primitives.js";
import { reduceWindowShape, topKShape } from "../shape/decompositions.js";

/**
 * lax functions composed from existing primitives, as JAX composes them where it can:
 * topK (a sort carrying the indices), map (a scan without carry, or vmap over chunks),
 * associativeScan (JAX's odd/even recursion of strided slices and interior padding),
 * reduceWindow (one strided slice per window offset, folded with the computation), selectN
 * (a chain of selects). Each inherits its derivatives, batching and kernels from its pieces.
 */

/** The k largest entries along the last axis, descending, and their indices (ties: lower index first). */
export function topK(operand: DeviceArray, k: number): [DeviceArray, DeviceArray] {
  const x = asArray(operand);
  topKShape(x.shape, k);
  const ax = x.ndim - 1;
  if (x.dtype === "uint32" || x.dtype === "bool") throw new LocatedError(`topK: ${x.dtype} operands are not supported (use a signed or float dtype)`);
  // Ascending sort of -x is descending x, stable: equal values keep their index order.
  const [negSorted, idx] = l.sort([l.neg(x), l.iota("int32", x.shape, ax)], ax, 1);
  const cut = (v: DeviceArray) => l.slice(v, v.shape.map(() => 0), v.shape.map((d, i) => (i === ax ? k : d)));
  return [l.neg(cut(negSorted!)), cut(idx!)];
}

/** lax.map: f over the leading axis of xs (a pytree), sequentially; with batchSize, vmap over chunks of that size. */
export function map<X, Y>(f: (x: X) => Y, xs: X, opts: { batchSize?: number | null } = {}): Y {
  const [leaves, def] = flatten(xs);
  const arrs = leaves.map((v) => asArray(v as DeviceArray));
  if (arrs.length === 0) throw new LocatedError("lax.map: xs has no arrays");
  const n = arrs[0]!.shape[0]!;
  const bs = opts.batchSize ?? null;
  if (bs === null || bs <= 1) return scan((c: null, x: X) => [c, f(x)] as [null, Y], null, xs)[1];
  // Chunks of batchSize run under vmap inside the scan; the remainder runs under vmap once.
  const full = Math.floor(n / bs) * bs;
  const mapped = (part: DeviceArray[]) => {
    const outs: { def?: ReturnType<typeof flatten>[1] } = {};
    const flatF = (...ys: DeviceArray[]) => { const [o, od] = flatten(f(unflatten(def, ys))); outs.def = od; return o as DeviceArray[]; };
    const r = vmapFlat(flatF, part, part.map(() => 0), 0);
    return { r, def: outs.def! };
  };
  let result: DeviceArray[] = [];
  let outDef: ReturnType<typeof flatten>[1] | undefined;
  if (full > 0) {
    const chunks = arrs.map((a) => l.reshape(l.slice(a, a.shape.map(() => 0), [full, ...a.shape.slice(1)]), [full / bs, bs, ...a.shape.slice(1)]));
    const [, ys] = scan((c: null, x: DeviceArray[]) => { const { r, def: d } = mapped(x); outDef = d; return [c, r] as [null, DeviceArray[]]; }, null, chunks);
    result = (ys as DeviceArray[]).map((y) => l.reshape(y, [full, ...y.shape.slice(2)]));
  }
  if (full < n) {
    const { r, def: d } = mapped(arrs.map((a) => l.slice(a, [full, ...a.shape.slice(1).map(() => 0)], a.shape)));
    outDef = d;
    result = result.length ? result.map((y, i) => l.concatenate([y, r[i]!], 0)) : r;
  }
  return unflatten(outDef!, result);
}

/** Elements [start, end) with a stride along `axis`. */
function sliceAxis(x: DeviceArray, axis: number, start: number, end: number, stride = 1): DeviceArray {
  const n = x.shape[axis]!;
  const e = Math.max(start, Math.min(end, n));
  return l.slice(x, x.shape.map((_, i) => (i === axis ? start : 0)), x.shape.map((d, i) => (i === axis ? e : d)), stride === 1 ? null : x.shape.map((_, i) => (i === axis ? stride : 1)));
}
/** a0 b0 a1 b1 ... along axis (a has as many elements as b, or one more). */
function interleave(a: DeviceArray, b: DeviceArray, axis: number): DeviceArray {
  const same = a.shape[axis] === b.shape[axis];
  const cfg = (lo: number, hi: number) => a.shape.map((_, i) => (i === axis ? [lo, hi, 1] as const : [0, 0, 0] as const));
  const pa = l.pad(a, l.scalarLike(a, 0), cfg(0, same ? 1 : 0)), pb = l.pad(b, l.scalarLike(b, 0), cfg(1, same ? 0 : 1));
  return a.dtype === "bool" ? l.or(pa, pb) : l.add(pa, pb);
}

/**
 * lax.associativeScan(fn, elems, reverse, axis): the inclusive scan of an associative fn over
 * `axis` of every leaf of elems, in O(log n) depth (JAX's recursion: combine adjacent pairs,
 * scan those, then fill in the even positions).
 */
export function associativeScan<T>(fn: (a: T, b: T) => T, elems: T, reverse = false, axis = 0): T {
  const [leaves, def] = flatten(elems);
  let xs = leaves.map((v) => asArray(v as DeviceArray));
  if (xs.length === 0) return elems;
  const ax = axis < 0 ? axis + xs[0]!.ndim : axis;
  const n = xs[0]!.shape[ax];
  if (n === undefined) throw new LocatedError(`associativeScan: axis ${axis} is out of range for ${xs[0]!.aval}`);
  if (xs.some((x) => x.shape[ax] !== n)) throw new LocatedError("associativeScan: every leaf must have the same size along the scanned axis");
  const combine = (a: DeviceArray[], b: DeviceArray[]) => {
    const [out] = flatten(fn(unflatten(def, a), unflatten(def, b)));
    return out.map((o) => asArray(o as DeviceArray));
  };
  const rec = (es: DeviceArray[]): DeviceArray[] => {
    const m = es[0]!.shape[ax]!;
    if (m < 2) return es;
    const reduced = combine(es.map((e) => sliceAxis(e, ax, 0, m - 1, 2)), es.map((e) => sliceAxis(e, ax, 1, m, 2)));
    const odd = rec(reduced);
    const even = m % 2 === 0
      ? combine(odd.map((e) => sliceAxis(e, ax, 0, e.shape[ax]! - 1)), es.map((e) => sliceAxis(e, ax, 2, m, 2)))
      : combine(odd, es.map((e) => sliceAxis(e, ax, 2, m, 2)));
    const evenFull = es.map((e, i) => l.concatenate([sliceAxis(e, ax, 0, 1), even[i]!], ax));
    return evenFull.map((e, i) => interleave(e, odd[i]!, ax));
  };
  if (reverse) xs = xs.map((x) => l.rev(x, [ax]));
  let out = rec(xs);
  if (reverse) out = out.map((x) => l.rev(x, [ax]));
  return unflatten(def, out);
}

type Computation = ((a: DeviceArray, b: DeviceArray) => DeviceArray) | "add" | "max" | "min" | "mul";

/**
 * lax.reduceWindow(operand, initValue, computation, windowDimensions, windowStrides, padding,
 * baseDilation, windowDilation): reduces each window with `computation` starting from
 * initValue; padding is "SAME", "VALID" or [lo, hi] per axis and pads with initValue.
 */
export function reduceWindow(operand: DeviceArray, initValue: number | DeviceArray, computation: Computation, windowDimensions: readonly number[],
  windowStrides?: readonly number[] | null, padding: "SAME" | "VALID" | readonly (readonly [number, number])[] = "VALID",
  baseDilation?: readonly number[] | null, windowDilation?: readonly number[] | null): DeviceArray {
  const x = asArray(operand);
  const nd = x.ndim;
  const strides = windowStrides ?? Array(nd).fill(1), bd = baseDilation ?? Array(nd).fill(1), wd = windowDilation ?? Array(nd).fill(1);
  const op = typeof computation === "function" ? computation : ({ add: l.add, max: l.max, min: l.min, mul: l.mul } as const)[computation];
  if (!op) throw new LocatedError(`reduceWindow: unknown computation ${String(computation)}`);
  const init = l.convert(asArray(initValue), x.dtype);
  // The shared shape rule (shape/decompositions.ts) resolves the padding and the output shape.
  const { shape: outShape, pads } = reduceWindowShape(x.shape, windowDimensions, strides, padding, bd, wd);
  const padded = l.pad(x, init, pads.map(([lo, hi], i) => [lo, hi, bd[i]! - 1] as const));
  let acc = l.broadcastInDim(init, outShape, []);
  // One strided slice per window offset, folded in.
  const offsets: number[][] = [[]];
  for (const w of windowDimensions) { const next: number[][] = []; for (const o of offsets) for (let k = 0; k < w; k++) next.push([...o, k]); offsets.splice(0, offsets.length, ...next); }
  if (outShape.some((d) => d === 0)) return acc;
  for (const off of offsets) {
    const start = off.map((k, i) => k * wd[i]!);
    const limit = start.map((s, i) => s + (outShape[i]! - 1) * strides[i]! + 1);
    acc = op(acc, l.slice(padded, start, limit, strides));
  }
  return acc;
}

/** lax.selectN(which, ...cases): cases[which] elementwise; a bool which picks cases[1] where true (at most two cases). */
export function selectN(which: DeviceArray, ...cases: DeviceArray[]): DeviceArray {
  const w = asArray(which);
  if (cases.length === 0) throw new LocatedError("selectN: at least one case is required");
  const c0 = asArray(cases[0]!);
  const cs = cases.map((c) => asArray(c));
  for (const c of cs) {
    if (c.shape.join() !== c0.shape.join() || c.dtype !== c0.dtype) throw new LocatedError(`selectN: every case must have the same shape and dtype, got ${c0.aval} and ${c.aval}`);
  }
  if (w.ndim !== 0 && w.shape.join() !== c0.shape.join()) throw new LocatedError(`selectN: which ${w.aval} must be a scalar or have the cases' shape ${c0.aval}`);
  if (w.dtype === "bool") {
    if (cs.length > 2) throw new LocatedError(`selectN: a bool which selects between at most two cases, got ${cs.length}`);
    return cs.length === 1 ? c0 : l.select(l.broadcastTo(w, c0.shape), cs[1]!, c0);
  }
  if (w.dtype !== "int32" && w.dtype !== "uint32") throw new LocatedError(`selectN: which must be bool or int32, got ${w.dtype}`);
  let out = c0;
  const wi = l.convert(w, "int32");
  for (let k = 1; k < cs.length; k++) {
    const pick = k === cs.length - 1 ? l.ge(wi, l.scalarLike(wi, k)) : l.eq(wi, l.scalarLike(wi, k));
    out = l.select(l.broadcastTo(pick, c0.shape), cs[k]!, out);
  }
  return out;
}
