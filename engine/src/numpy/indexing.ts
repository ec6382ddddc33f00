import { LocatedTypeError } from "./checks.js";
import { DeviceArray } from "../array.js";
import { intRange, isInt, isUnsigned, type DType } from "../dtype.js";
import * as l from "../lax/primitives.js";
import { scalar } from "../trace/constants.js";
import type { ScatterMode } from "../ir/primitives.js";
import { concretize } from "../trace/trace.js";
import { sliceIndices } from "../shape/indexing.js";
import { broadcastShapes } from "./checks.js";
import { normalizeAxis, ShapeError } from "./checks.js";
import { array, asArray, promote, type ArrayLike } from "./convert.js";

/**
 * numpy indexing. An index is a list of:
 *  - an integer (negative counts from the end) — removes the axis;
 *  - a slice: np.s(start, stop, step) or a string like "1:3", ":", "::-1";
 *  - null (np.newaxis) — adds an axis; "..." — as many ":" as needed;
 *  - an integer array (DeviceArray or number[]) — gathers; a bool array — selects (outside jit).
 */
export class Slice {
  constructor(readonly start: number | null = null, readonly stop: number | null = null, readonly step: number | null = null) {}
  toString() { return `${this.start ?? ""}:${this.stop ?? ""}${this.step === null ? "" : `:${this.step}`}`; }
}
export const s = (start: number | null = null, stop: number | null = null, step: number | null = null) => new Slice(start, stop, step);
export const newaxis = null;
export type IndexElement = number | Slice | string | null | DeviceArray | readonly number[] | readonly boolean[];

function parseSlice(str: string): Slice {
  const parts = str.split(":").map((p) => p.trim());
  if (parts.length < 2 || parts.length > 3) throw new SyntaxError(`index: bad slice "${str}" (use "start:stop:step")`);
  const num = (p: string | undefined) => (p === undefined || p === "" ? null : Number(p));
  const [a, b, c] = parts.map(num);
  if ([a, b, c].some((v) => v !== null && v !== undefined && !Number.isInteger(v))) throw new SyntaxError(`index: bad slice "${str}"`);
  return new Slice(a ?? null, b ?? null, c ?? null);
}

type Normalized = { kind: "int"; value: number } | { kind: "slice"; slice: Slice } | { kind: "new" } | { kind: "array"; value: DeviceArray };

function normalize(x: DeviceArray, idx: readonly IndexElement[]): Normalized[] {
  const out: Normalized[] = [];
  let ellipsis = -1;
  for (const e of idx) {
    if (e === "...") { if (ellipsis >= 0) throw new SyntaxError("index: an index can only have a single ellipsis ('...')"); ellipsis = out.length; continue; }
    if (e === null) out.push({ kind: "new" });
    else if (typeof e === "number") out.push({ kind: "int", value: e });
    else if (typeof e === "string") out.push({ kind: "slice", slice: parseSlice(e) });
    else if (e instanceof Slice) out.push({ kind: "slice", slice: e });
    else {
      let a = e instanceof DeviceArray ? e : array(e as readonly number[], (e as readonly unknown[]).every((v) => typeof v === "boolean") ? "bool" : "int32");
      if (a.dtype === "bool") a = nonzeroFlat(a, x);
      if (!isInt(a.dtype)) throw new LocatedTypeError(`index: arrays used as indices must be integer or bool, got ${a.aval}`);
      out.push({ kind: "array", value: a });
    }
  }
  const used = out.filter((o) => o.kind !== "new").length;
  if (used > x.ndim) throw new ShapeError("index", "too many indices", [x.shape], `index: too many indices for array: array is ${x.ndim}-dimensional, but ${used} were indexed`);
  const fill: Normalized[] = Array.from({ length: x.ndim - used }, () => ({ kind: "slice", slice: new Slice() }));
  if (ellipsis >= 0) out.splice(ellipsis, 0, ...fill);
  else out.push(...fill);
  return out;
}

/** A boolean mask index becomes integer indices (needs concrete values: not inside jit). */
function nonzeroFlat(mask: DeviceArray, x: DeviceArray): DeviceArray {
  if (mask.ndim !== 1) throw new LocatedTypeError(`index: boolean masks must be 1-D here (got ${mask.aval}); use np.where for elementwise selection`);
  const data = concretize(mask, "boolean mask index").dataSync();
  const idx: number[] = [];
  data.forEach((v, i) => { if (v) idx.push(i); });
  void x;
  return array(idx, "int32");
}

/** x[idx...] */
export function index(x: ArrayLike, ...idx: IndexElement[]): DeviceArray {
  let a = asArray(x);
  const norm = normalize(a, idx);
  // Basic indexing first: slices, ints (as size-1 slices, squeezed after), new axes.
  const start: number[] = [], limit: number[] = [], strides: number[] = [], revDims: number[] = [];
  const finalShape: (number | "adv")[] = [];
  const advanced: { axis: number; value: DeviceArray }[] = [];
  let axis = 0;
  for (const n of norm) {
    if (n.kind === "new") { finalShape.push(1); continue; }
    const size = a.shape[axis]!;
    if (n.kind === "int") {
      const i = n.value < 0 ? n.value + size : n.value;
      if (!Number.isInteger(n.value) || i < 0 || i >= size) throw new ShapeError("index", "index out of bounds", [a.shape], `index: index ${n.value} is out of bounds for axis ${axis} with size ${size}`);
      start.push(i); limit.push(i + 1); strides.push(1);
    } else if (n.kind === "slice") {
      const { start: st, step, len } = sliceIndices(n.slice, size);
      if (step > 0) { start.push(st); limit.push(len === 0 ? st : st + (len - 1) * step + 1); strides.push(step); }
      else {
        // A negative step reads the flipped axis forwards.
        revDims.push(axis);
        const fst = size - 1 - st;
        start.push(fst); limit.push(len === 0 ? fst : fst + (len - 1) * -step + 1); strides.push(-step);
      }
      finalShape.push(len);
    } else {
      start.push(0); limit.push(size); strides.push(1);
      advanced.push({ axis, value: n.value });
      if (!finalShape.includes("adv")) finalShape.push("adv");
    }
    axis++;
  }
  if (revDims.length) a = l.rev(a, revDims);
  if (start.some((v, i) => v !== 0 || limit[i] !== a.shape[i] || strides[i] !== 1)) a = l.slice(a, start, limit, strides.some((v) => v !== 1) ? strides : null);
  if (advanced.length) {
    const kept = advanced.map((v) => v.axis);
    // Normalize negative indices, then gather over the flattened advanced axes.
    const idxs = advanced.map(({ axis: ax, value }) => {
      const n = a.shape[ax]!;
      return l.select(l.lt(value, l.scalarLike(value, 0)), l.add(value, l.scalarLike(value, n)), value);
    });
    const bshape = broadcastShapes("index", ...idxs.map((i) => i.shape)) as number[];
    const contiguous = kept.every((k, i) => i === 0 || k === kept[i - 1]! + 1);
    const order = contiguous ? [...a.shape.keys()] : [...kept, ...[...a.shape.keys()].filter((k) => !kept.includes(k))];
    const t = l.transpose(a, order);
    const first = contiguous ? kept[0]! : 0;
    const merged = kept.reduce((p, k) => p * a.shape[k]!, 1);
    const tShape = t.shape;
    const flatShape = [...tShape.slice(0, first), merged, ...tShape.slice(first + kept.length)];
    let flatIdx: DeviceArray | null = null;
    let stride = 1;
    for (let k = kept.length - 1; k >= 0; k--) {
      const term = l.mul(l.convert(l.broadcastTo(idxs[k]!, bshape), "int32"), scalar(stride, "int32"));
      flatIdx = flatIdx ? l.add(flatIdx, term) : term;
      stride *= a.shape[kept[k]!]!;
    }
    a = l.gather(l.reshape(t, flatShape), flatIdx!, first);
    const before = finalShape.slice(0, finalShape.indexOf("adv")) as number[];
    const after = finalShape.slice(finalShape.indexOf("adv") + 1) as number[];
    const resShape = contiguous ? [...before, ...bshape, ...after] : [...bshape, ...before, ...after];
    return l.reshape(a, resShape);
  }
  return l.reshape(a, finalShape as number[]);
}

/** x.at(idx...): functional updates, as JAX's x.at[idx].set(v). */
export class IndexUpdate {
  constructor(private readonly x: DeviceArray, private readonly idx: readonly IndexElement[]) {}
  get(): DeviceArray { return index(this.x, ...this.idx); }
  set(v: ArrayLike): DeviceArray { return this.apply(v, "set"); }
  add(v: ArrayLike): DeviceArray { return this.apply(v, "add"); }
  subtract(v: ArrayLike): DeviceArray { return this.apply(l.neg(promote(v, this.x)[0]!), "add"); }
  multiply(v: ArrayLike): DeviceArray { return this.apply(v, "mul"); }
  mul(v: ArrayLike): DeviceArray { return this.apply(v, "mul"); }
  divide(v: ArrayLike): DeviceArray { return this.apply(l.reciprocal(promote(v, this.x)[0]!), "mul"); }
  min(v: ArrayLike): DeviceArray { return this.apply(v, "min"); }
  max(v: ArrayLike): DeviceArray { return this.apply(v, "max"); }
  private apply(v: ArrayLike, mode: ScatterMode): DeviceArray {
    const x = this.x;
    // The flat positions addressed by the index: index an iota of x's shape.
    const positions = index(l.reshape(l.iota("int32", [x.size]), x.shape), ...this.idx);
    const u = l.convert(asArray(v), x.dtype);
    const updates = l.broadcastTo(u, broadcastShapes("at", u.shape, positions.shape) as number[]);
    const flat = l.scatter(l.reshape(x, [x.size]), l.reshape(positions, [positions.size]), l.reshape(updates, [updates.size]), 0, mode);
    return l.reshape(flat, x.shape);
  }
}
export const at = (x: ArrayLike, ...idx: IndexElement[]) => new IndexUpdate(asArray(x), idx);

/** np.take with an axis (flattened when absent); negative indices wrap, out-of-range indices clamp. */
export type TakeMode = "fill" | "clip" | "wrap" | "promise_in_bounds";
/**
 * np.take with JAX's out-of-range modes: "fill" (the default, as jnp.take: negative indices in
 * [-n, n) count from the end, others give fillValue, by default NaN for floats, the most negative
 * value for signed integers, the largest for unsigned, true for bool), "clip" (clamped into
 * [0, n - 1]), "wrap" (modulo n), "promise_in_bounds" (negative indices count from the end; others
 * are clamped, the cheapest).
 */
export function take(x: ArrayLike, indices: ArrayLike, axis?: number | null, opts: { mode?: TakeMode | null; fillValue?: number | boolean | null } = {}): DeviceArray {
  let a = asArray(x);
  const i = asArray(indices, Array.isArray(indices) ? "int32" : undefined);
  if (!isInt(i.dtype)) throw new LocatedTypeError(`take: indices must be integers, got ${i.aval}`);
  if (axis === undefined || axis === null) { a = l.reshape(a, [a.size]); axis = 0; }
  const ax = normalizeAxis("take", axis, a.ndim, a.shape);
  const n = a.shape[ax]!;
  const mode = opts.mode ?? "fill";
  const idx = l.convert(i, "int32");
  const c = (v: number) => l.scalarLike(idx, v);
  const fromEnd = l.select(l.lt(idx, c(0)), l.add(idx, c(n)), idx);
  switch (mode) {
    case "clip": return l.gather(a, l.max(l.min(idx, c(Math.max(n - 1, 0))), c(0)), ax);
    case "wrap": return n === 0 ? l.gather(a, idx, ax) : l.gather(a, l.binary("rem")(l.add(l.binary("rem")(idx, c(n)), c(n)), c(n)), ax);
    case "promise_in_bounds": return l.gather(a, fromEnd, ax);
    case "fill": {
      const got = l.gather(a, fromEnd, ax);
      const inRange = l.and(l.ge(fromEnd, c(0)), l.lt(fromEnd, c(n)));
      const mask = l.broadcastInDim(inRange, got.shape, idx.shape.map((_, k) => ax + k));
      const fill = opts.fillValue ?? defaultFill(a.dtype);
      return l.select(mask, got, l.broadcastInDim(scalar(Number(fill), a.dtype), got.shape, []));
    }
    default: throw new LocatedTypeError(`take: mode must be "fill", "clip", "wrap" or "promise_in_bounds", got ${JSON.stringify(mode)}`);
  }
}
function defaultFill(dtype: DType): number {
  if (dtype === "bool") return 1;
  if (isInt(dtype)) return isUnsigned(dtype) ? intRange(dtype)[1] : intRange(dtype)[0];
  return NaN;
}

export function takeAlongAxis(x: ArrayLike, indices: ArrayLike, axis: number): DeviceArray {
  const a = asArray(x), i = l.convert(asArray(indices), "int32");
  const ax = normalizeAxis("takeAlongAxis", axis, a.ndim, a.shape);
  const n = a.shape[ax]!;
  const wrapped = l.select(l.lt(i, l.scalarLike(i, 0)), l.add(i, l.scalarLike(i, n)), i);
  const shape = a.shape.map((d, k) => (k === ax ? wrapped.shape[k]! : Math.max(d, wrapped.shape[k]!)));
  const idxB = l.broadcastTo(wrapped, shape);
  const aB = l.broadcastTo(a, a.shape.map((d, k) => (k === ax ? d : shape[k]!)));
  return takeAlong(aB, idxB, ax);
}
import { takeAlongAxis as takeAlong } from "../trace/ad/vjp.js";
import { compact } from "./compact.js";

/**
 * Indices of nonzero elements, one array per axis. Without `size` the count depends on the data
 * (concrete values only: not inside jit); with `size` (as jnp.nonzero(size=, fill_value=)) the
 * result has that length, truncated or padded with fillValue (default 0), and traces anywhere.
 */
export function nonzero(x: ArrayLike, opts: { size?: number | null; fillValue?: number | null } = {}): DeviceArray[] {
  if (opts.size !== undefined && opts.size !== null) return nonzeroSized(asArray(x), opts.size, opts.fillValue ?? 0);
  const a = concretize(asArray(x), "nonzero");
  const data = a.dataSync();
  const strides: number[] = [];
  let acc = 1;
  for (let i = a.ndim - 1; i >= 0; i--) { strides[i] = acc; acc *= a.shape[i]!; }
  const out: number[][] = a.shape.map(() => []);
  data.forEach((v, flat) => { if (v) a.shape.forEach((_, k) => out[k]!.push(Math.floor(flat / strides[k]!) % a.shape[k]!)); });
  return out.map((o) => array(o, "int32"));
}

function nonzeroSized(a: DeviceArray, size: number, fill: number): DeviceArray[] {
  const flat = l.reshape(a, [a.size]);
  const keep = isBool(flat) ? flat : l.ne(flat, l.scalarLike(flat, 0));
  const idx = l.iota("int32", [a.size], 0);
  let stride = a.size;
  const coords = a.shape.map((d) => {
    stride /= d;
    return l.binary("rem")(l.div(idx, scalar(stride, "int32")), scalar(d, "int32"));
  });
  return compact(keep, coords, size, fill);
}
const isBool = (x: DeviceArray) => x.dtype === "bool";

export const flatnonzero = (x: ArrayLike, opts: { size?: number | null; fillValue?: number | null } = {}) => { const a = asArray(x); return nonzero(l.reshape(a, [a.size]), opts)[0]!; };
export const argwhere = (x: ArrayLike, opts: { size?: number | null; fillValue?: number | null } = {}) => {
  const a = asArray(x);
  const nz = nonzero(a.ndim === 0 ? l.reshape(a, [1]) : a, opts);
  return l.concatenate(nz.map((i) => l.reshape(i, [i.size, 1])), 1);
};

export const indexDType: DType = "int32";
