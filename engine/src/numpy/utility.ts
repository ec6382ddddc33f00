import { DeviceArray, hostArray } from "../array.js";
import { itemSize, parseDType } from "../dtype.js";
import * as l from "../lax/primitives.js";
import { fromHost } from "../trace/constants.js";
import { vmap } from "../api/vmap.js";
import { array, asArray, promote, type ArrayLike, type DTypeLike } from "./convert.js";
import { LocatedTypeError, ShapeError, broadcastShapes as bshapes, normalizeAxis } from "./checks.js";
import { indices } from "./creation.js";
import { concatenate, moveaxis } from "./manipulation.js";

/** Small utilities of jax.numpy: shape queries, copies, construction from functions and buffers. */

export const ndim = (x: ArrayLike) => asArray(x).ndim;
export const shape = (x: ArrayLike) => [...asArray(x).shape];
export function size(x: ArrayLike, axis?: number): number {
  const a = asArray(x);
  return axis === undefined ? a.size : a.shape[normalizeAxis("size", axis, a.ndim, a.shape)]!;
}
export const copy = (x: ArrayLike) => array(x);
export const asarray = (x: ArrayLike, dtype?: DTypeLike) => asArray(x, dtype);
export const broadcastShapes = (...shapes: (readonly number[])[]) => bshapes("broadcastShapes", ...shapes) as number[];

/** rollaxis(a, axis, start): moves axis to sit before position start. */
export function rollaxis(x: ArrayLike, axis: number, start = 0): DeviceArray {
  const a = asArray(x);
  const ax = normalizeAxis("rollaxis", axis, a.ndim, a.shape);
  let st = start < 0 ? start + a.ndim : start;
  if (st < 0 || st > a.ndim) throw new ShapeError("rollaxis", "start out of range", [a.shape], `rollaxis: start ${start} is out of range for an array of rank ${a.ndim}`);
  if (ax < st) st--;
  return moveaxis(a, ax, st);
}
/** unstack(x, axis): the slices along an axis, as a list. */
export function unstack(x: ArrayLike, axis = 0): DeviceArray[] {
  const a = asArray(x);
  const ax = normalizeAxis("unstack", axis, a.ndim, a.shape);
  return Array.from({ length: a.shape[ax]! }, (_, i) =>
    l.reshape(l.slice(a, a.shape.map((_, k) => (k === ax ? i : 0)), a.shape.map((d, k) => (k === ax ? i + 1 : d))), a.shape.filter((_, k) => k !== ax)));
}
/** block: assembles nested lists of arrays; the innermost lists join along the last axis. */
export function block(arrays: ArrayLike | readonly unknown[]): DeviceArray {
  const depth = (v: unknown): number => (Array.isArray(v) ? 1 + depth(v[0]) : 0);
  const d = depth(arrays);
  const leaves: DeviceArray[] = [];
  const collect = (v: unknown) => { if (Array.isArray(v)) v.forEach(collect); else leaves.push(v as DeviceArray); };
  collect(arrays);
  const ranks = leaves.map((v) => asArray(v as ArrayLike).ndim);
  const rank = Math.max(d, ...ranks);
  const go = (v: unknown, level: number): DeviceArray => {
    if (!Array.isArray(v)) {
      const a = asArray(v as ArrayLike);
      return l.reshape(a, [...Array(rank - a.ndim).fill(1), ...a.shape]);
    }
    return concatenate(v.map((c) => go(c, level + 1)), rank - d + level);
  };
  return go(arrays, 0);
}

/** fromfunction(f, shape): f called once with index arrays (one per axis). */
export function fromfunction(f: (...idx: DeviceArray[]) => ArrayLike, shapeArg: readonly number[], opts: { dtype?: DTypeLike } = {}): DeviceArray {
  const idx = indices(shapeArg, opts.dtype ? parseDType(opts.dtype) : "float32");
  return asArray(f(...shapeArg.map((_, k) => l.reshape(l.slice(idx, [k, ...shapeArg.map(() => 0)], [k + 1, ...shapeArg]), [...shapeArg]))));
}
/** frombuffer: an array over the bytes of a buffer, read as dtype (default float32). */
export function frombuffer(buffer: ArrayBuffer | ArrayBufferView, opts: { dtype?: DTypeLike; count?: number; offset?: number } = {}): DeviceArray {
  const dt = parseDType(opts.dtype ?? "float32");
  const bytes = ArrayBuffer.isView(buffer) ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) : new Uint8Array(buffer);
  const offset = opts.offset ?? 0;
  const item = itemSize(dt);
  const avail = Math.floor((bytes.length - offset) / item);
  const count = opts.count === undefined || opts.count < 0 ? avail : opts.count;
  if (count > avail || (bytes.length - offset) % item !== 0 && opts.count === undefined) throw new LocatedTypeError(`frombuffer: buffer size ${bytes.length - offset} is not a multiple of the ${dt} item size ${item}`);
  const copyBytes = bytes.slice(offset, offset + count * item);
  let values: ArrayLike;
  switch (dt) {
    case "float32": values = new Float32Array(copyBytes.buffer); break;
    case "float64": values = new Float64Array(copyBytes.buffer); break;
    case "int32": values = new Int32Array(copyBytes.buffer); break;
    case "uint32": values = new Uint32Array(copyBytes.buffer); break;
    case "bool": values = new Uint8Array(copyBytes.buffer); break;
    case "int8": values = Array.from(new Int8Array(copyBytes.buffer)); break;
    case "uint8": values = new Uint8Array(copyBytes.buffer); break;
    case "int16": values = Array.from(new Int16Array(copyBytes.buffer)); break;
    case "float16": return fromHost(hostArray(dt, Array.from(new Uint16Array(copyBytes.buffer), halfToNumber)), [count], dt);
    // A bfloat16 is the upper half of a float32's bits.
    case "bfloat16": return fromHost(hostArray(dt, new Float32Array(Uint32Array.from(new Uint16Array(copyBytes.buffer), (h) => h << 16).buffer)), [count], dt);
  }
  return fromHost(hostArray(dt, values as unknown as ArrayLike as never), [count], dt);
}
function halfToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** apply_along_axis: f maps 1-D slices along axis (vmapped over the other axes). */
export function applyAlongAxis(f: (v: DeviceArray) => ArrayLike, axis: number, arr: ArrayLike): DeviceArray {
  const a = asArray(arr);
  const ax = normalizeAxis("applyAlongAxis", axis, a.ndim, a.shape);
  let g: (v: DeviceArray) => DeviceArray = (v) => asArray(f(v));
  const moved = moveaxis(a, ax, -1);
  for (let k = 0; k < a.ndim - 1; k++) g = vmap(g) as (v: DeviceArray) => DeviceArray;
  const out = g(moved);
  // The function's output axes take the place of the mapped axis.
  const outRank = out.ndim - (a.ndim - 1);
  const perm = [...Array(ax).keys(), ...Array.from({ length: outRank }, (_, k) => a.ndim - 1 + k), ...Array.from({ length: a.ndim - 1 - ax }, (_, k) => ax + k)];
  return l.transpose(out, perm);
}
/** apply_over_axes: f(a, axis) applied for each axis in turn, keeping the rank. */
export function applyOverAxes(f: (a: DeviceArray, axis: number) => DeviceArray, a: ArrayLike, axes: readonly number[]): DeviceArray {
  let r = asArray(a);
  for (const ax0 of axes) {
    const ax = normalizeAxis("applyOverAxes", ax0, r.ndim, r.shape);
    const out = f(r, ax);
    r = out.ndim === r.ndim ? out : l.reshape(out, r.shape.map((d, k) => (k === ax ? 1 : d)));
  }
  return r;
}
/** vectorize (without a signature): f on scalars, mapped over the broadcast arguments. */
export function vectorize(f: (...xs: DeviceArray[]) => ArrayLike) {
  return (...args: ArrayLike[]): DeviceArray => {
    const arrs = args.map((x) => asArray(x));
    const shp = bshapes("vectorize", ...arrs.map((a) => a.shape)) as number[];
    const n = shp.reduce((p, d) => p * d, 1);
    const flat = arrs.map((a) => l.reshape(l.broadcastTo(a, shp), [n]));
    const out = vmap((...xs: DeviceArray[]) => asArray(f(...xs)))(...flat) as DeviceArray;
    return l.reshape(out, [...shp, ...out.shape.slice(1)]);
  };
}

/** Matrix-vector products over the last axes, broadcasting the rest (jnp.matvec / vecmat). */
export function matvec(x1: ArrayLike, x2: ArrayLike): DeviceArray {
  const [a, b] = promote(x1, x2) as [DeviceArray, DeviceArray];
  return l.reduceSum(l.mul(a, l.reshape(b, [...b.shape.slice(0, -1), 1, b.shape[b.ndim - 1]!])), [Math.max(a.ndim, b.ndim + 1) - 1]);
}
export function vecmat(x1: ArrayLike, x2: ArrayLike): DeviceArray {
  const [a, b] = promote(x1, x2) as [DeviceArray, DeviceArray];
  return l.reduceSum(l.mul(l.reshape(a, [...a.shape, 1]), b), [Math.max(a.ndim + 1, b.ndim) - 2]);
}
