import type { DeviceArray } from "../array.js";
import * as l from "../lax/primitives.js";
import { scalar } from "../trace/constants.js";
import { LocatedTypeError } from "../ir/source.js";
import { broadcastShapes } from "./checks.js";
import { normalizeAxes, normalizeAxis, ShapeError } from "./checks.js";
import { broadcastToShape, concatenateShape, expandDimsShape, reshapeShape, splitSizes, squeezeShape, stackShape, transposeShape } from "./checks.js";
import { asArray, promote, type ArrayLike } from "./convert.js";

/** Shape manipulation, each checked by the shared shape rules so errors name the op and shapes. */

export function reshape(x: ArrayLike, shape: readonly number[] | number): DeviceArray {
  const a = asArray(x);
  const target = reshapeShape(a.shape, typeof shape === "number" ? [shape] : shape) as number[];
  return l.reshape(a, target);
}
export const ravel = (x: ArrayLike) => reshape(x, [-1]);

export function transpose(x: ArrayLike, axes?: readonly number[]): DeviceArray {
  const a = asArray(x);
  const perm = axes ? axes.map((ax) => normalizeAxis("transpose", ax, a.ndim, a.shape)) : [...a.shape.keys()].reverse();
  transposeShape(a.shape, perm);
  return l.transpose(a, perm);
}
export const permuteDims = transpose;
export const matrixTranspose = (x: ArrayLike) => { const a = asArray(x); return swapaxes(a, -1, -2); };

export function swapaxes(x: ArrayLike, a1: number, a2: number): DeviceArray {
  const a = asArray(x);
  const i = normalizeAxis("swapaxes", a1, a.ndim, a.shape), j = normalizeAxis("swapaxes", a2, a.ndim, a.shape);
  const perm = [...a.shape.keys()];
  perm[i] = j; perm[j] = i;
  return l.transpose(a, perm);
}

export function moveaxis(x: ArrayLike, source: number | readonly number[], destination: number | readonly number[]): DeviceArray {
  const a = asArray(x);
  const src = (typeof source === "number" ? [source] : source).map((s) => normalizeAxis("moveaxis", s, a.ndim, a.shape));
  const dst = (typeof destination === "number" ? [destination] : destination).map((d) => normalizeAxis("moveaxis", d, a.ndim, a.shape));
  if (src.length !== dst.length) throw new ShapeError("moveaxis", "source and destination differ in length", [a.shape]);
  const rest = [...a.shape.keys()].filter((i) => !src.includes(i));
  const perm: number[] = new Array(a.ndim);
  const order = dst.map((d, k) => [d, src[k]!] as const).sort((p, q) => p[0] - q[0]);
  for (const [d, s] of order) perm[d] = s;
  let r = 0;
  for (let i = 0; i < a.ndim; i++) if (perm[i] === undefined) perm[i] = rest[r++]!;
  return l.transpose(a, perm);
}

export function expandDims(x: ArrayLike, axis: number | readonly number[]): DeviceArray {
  const a = asArray(x);
  return l.reshape(a, expandDimsShape(a.shape, axis) as number[]);
}
export function squeeze(x: ArrayLike, axis?: number | readonly number[] | null): DeviceArray {
  const a = asArray(x);
  return l.reshape(a, squeezeShape(a.shape, axis) as number[]);
}

export function broadcastTo(x: ArrayLike, shape: readonly number[]): DeviceArray {
  const a = asArray(x);
  return l.broadcastTo(a, broadcastToShape(a.shape, shape) as number[]);
}
export function broadcastArrays(...xs: ArrayLike[]): DeviceArray[] {
  const arrs = xs.map((x) => asArray(x));
  const shape = broadcastShapes("broadcastArrays", ...arrs.map((a) => a.shape)) as number[];
  return arrs.map((a) => l.broadcastTo(a, shape));
}
export const broadcastShapesOf = (...shapes: number[][]) => broadcastShapes("broadcastShapes", ...shapes) as number[];

export function concatenate(xs: readonly ArrayLike[], axis: number | null = 0): DeviceArray {
  let arrs = promote(...xs);
  if (axis === null) { arrs = arrs.map((a) => l.reshape(a, [a.size])); axis = 0; }
  concatenateShape(arrs.map((a) => a.shape), axis);
  return l.concatenate(arrs, normalizeAxis("concatenate", axis, arrs[0]!.ndim, arrs[0]!.shape));
}
export const concat = concatenate;

export function stack(xs: readonly ArrayLike[], axis = 0): DeviceArray {
  const arrs = promote(...xs);
  const shape = stackShape(arrs.map((a) => a.shape), axis) as number[];
  const ax = normalizeAxis("stack", axis, arrs[0]!.ndim + 1);
  return l.concatenate(arrs.map((a) => l.reshape(a, shape.map((d, i) => (i === ax ? 1 : d)))), ax);
}
export const atleast1d = (x: ArrayLike) => { const a = asArray(x); return a.ndim >= 1 ? a : l.reshape(a, [1]); };
export const atleast2d = (x: ArrayLike) => { const a = asArray(x); return a.ndim >= 2 ? a : l.reshape(a, a.ndim === 0 ? [1, 1] : [1, a.shape[0]!]); };
export const atleast3d = (x: ArrayLike) => {
  const a = asArray(x);
  if (a.ndim >= 3) return a;
  return l.reshape(a, a.ndim === 0 ? [1, 1, 1] : a.ndim === 1 ? [1, a.shape[0]!, 1] : [...a.shape, 1]);
};
export const vstack = (xs: readonly ArrayLike[]) => concatenate(xs.map(atleast2d), 0);
export const rowStack = vstack;
export const hstack = (xs: readonly ArrayLike[]) => { const a = xs.map(atleast1d); return concatenate(a, a[0]!.ndim === 1 ? 0 : 1); };
export const dstack = (xs: readonly ArrayLike[]) => concatenate(xs.map(atleast3d), 2);
export const columnStack = (xs: readonly ArrayLike[]) => concatenate(xs.map((x) => { const a = asArray(x); return a.ndim < 2 ? l.reshape(a, [a.size, 1]) : a; }), 1);

export function split(x: ArrayLike, sections: number | readonly number[], axis = 0): DeviceArray[] {
  const a = asArray(x);
  const ax = normalizeAxis("split", axis, a.ndim, a.shape);
  const sizes = splitSizes(a.shape, sections, ax);
  let at = 0;
  return sizes.map((n) => {
    const start = a.shape.map((_, i) => (i === ax ? at : 0));
    const limit = a.shape.map((d, i) => (i === ax ? at + n : d));
    at += n;
    return l.slice(a, start, limit);
  });
}
export function arraySplit(x: ArrayLike, sections: number | readonly number[], axis = 0): DeviceArray[] {
  const a = asArray(x);
  if (typeof sections !== "number") return split(a, sections, axis);
  const n = a.shape[normalizeAxis("arraySplit", axis, a.ndim, a.shape)]!;
  const base = Math.floor(n / sections), extra = n % sections;
  const bounds: number[] = [];
  let at = 0;
  for (let i = 0; i < sections - 1; i++) { at += base + (i < extra ? 1 : 0); bounds.push(at); }
  return split(a, bounds, axis);
}
export const hsplit = (x: ArrayLike, s: number | readonly number[]) => { const a = asArray(x); return split(a, s, a.ndim === 1 ? 0 : 1); };
export const vsplit = (x: ArrayLike, s: number | readonly number[]) => split(x, s, 0);
export const dsplit = (x: ArrayLike, s: number | readonly number[]) => split(x, s, 2);

export function tile(x: ArrayLike, reps: number | readonly number[]): DeviceArray {
  const a = asArray(x);
  const r = typeof reps === "number" ? [reps] : [...reps];
  const n = Math.max(a.ndim, r.length);
  const shape = [...Array(n - a.ndim).fill(1), ...a.shape];
  const rr = [...Array(n - r.length).fill(1), ...r];
  // Broadcast into [r0, s0, r1, s1, ...] then merge pairs.
  const expanded = l.reshape(a, shape.flatMap((d) => [1, d]));
  const b = l.broadcastInDim(expanded, shape.flatMap((d, i) => [rr[i]!, d]), shape.flatMap((_, i) => [2 * i, 2 * i + 1]));
  return l.reshape(b, shape.map((d, i) => d * rr[i]!));
}

export function repeat(x: ArrayLike, repeats: number, axis?: number | null): DeviceArray {
  let a = asArray(x);
  if (axis === undefined || axis === null) { a = l.reshape(a, [a.size]); axis = 0; }
  const ax = normalizeAxis("repeat", axis, a.ndim, a.shape);
  const withAxis = l.reshape(a, [...a.shape.slice(0, ax + 1), 1, ...a.shape.slice(ax + 1)]);
  const target = [...a.shape.slice(0, ax + 1), repeats, ...a.shape.slice(ax + 1)];
  const b = l.broadcastTo(withAxis, target);
  return l.reshape(b, a.shape.map((d, i) => (i === ax ? d * repeats : d)));
}

export type PadWidth = number | readonly [number, number] | readonly (readonly [number, number])[];
export function pad(x: ArrayLike, padWidth: PadWidth, opts: { mode?: "constant" | "edge" | "reflect" | "symmetric" | "wrap"; constantValues?: number } = {}): DeviceArray {
  const a = asArray(x);
  const widths: [number, number][] = typeof padWidth === "number" ? a.shape.map(() => [padWidth, padWidth])
    : typeof padWidth[0] === "number" ? a.shape.map(() => [padWidth[0] as number, padWidth[1] as number])
    : (padWidth as readonly (readonly [number, number])[]).map(([lo, hi]) => [lo, hi]);
  if (widths.length !== a.ndim) throw new ShapeError("pad", "pad width rank", [a.shape], `pad: ${widths.length} pad widths for an array of rank ${a.ndim}`);
  const mode = opts.mode ?? "constant";
  if (mode === "constant") return l.pad(a, scalar(opts.constantValues ?? 0, a.dtype), widths.map(([lo, hi]) => [lo, hi, 0] as const));
  // As numpy: constantValues means nothing to the other modes, so it is an error, not ignored.
  if (opts.constantValues !== undefined) throw new LocatedTypeError(`pad: constantValues applies only to mode "constant", not "${mode}"`);
  let r = a;
  widths.forEach(([lo, hi], axis) => {
    if (lo === 0 && hi === 0) return;
    const n = r.shape[axis]!;
    const take = (start: number, stop: number, step = 1) => {
      const s = r.shape.map((_, i) => (i === axis ? start : 0));
      const e = r.shape.map((d, i) => (i === axis ? stop : d));
      return l.slice(r, s, e, r.shape.map((_, i) => (i === axis ? step : 1)));
    };
    const parts: DeviceArray[] = [];
    if (mode === "edge") {
      if (lo) parts.push(l.broadcastTo(take(0, 1), r.shape.map((d, i) => (i === axis ? lo : d))));
      parts.push(r);
      if (hi) parts.push(l.broadcastTo(take(n - 1, n), r.shape.map((d, i) => (i === axis ? hi : d))));
    } else if (mode === "wrap") {
      if (lo) parts.push(take(n - lo, n));
      parts.push(r);
      if (hi) parts.push(take(0, hi));
    } else if (mode === "symmetric") {
      // Mirrored including the edge value: [1, 2, 3] padded by 2 is [2, 1, 1, 2, 3, 3, 2].
      if (lo > n || hi > n) throw new ShapeError("pad", "symmetric pad wider than the axis", [a.shape], `pad: symmetric padding of ${Math.max(lo, hi)} on an axis of size ${n} (at most ${n})`);
      if (lo) parts.push(l.rev(take(0, lo), [axis]));
      parts.push(r);
      if (hi) parts.push(l.rev(take(n - hi, n), [axis]));
    } else if (mode === "reflect") {
      if (lo >= n || hi >= n) throw new ShapeError("pad", "reflect pad wider than the axis", [a.shape], `pad: reflect padding of ${Math.max(lo, hi)} on an axis of size ${n} (at most ${n - 1})`);
      if (lo) parts.push(l.rev(take(1, lo + 1), [axis]));
      parts.push(r);
      if (hi) parts.push(l.rev(take(n - 1 - hi, n - 1), [axis]));
    } else {
      throw new ShapeError("pad", "unknown mode", [a.shape], `pad: unsupported mode "${String(mode)}"`);
    }
    r = l.concatenate(parts, axis);
  });
  return r;
}

export function flip(x: ArrayLike, axis?: number | readonly number[] | null): DeviceArray {
  const a = asArray(x);
  return l.rev(a, normalizeAxes("flip", axis, a.shape));
}
export const fliplr = (x: ArrayLike) => flip(x, 1), flipud = (x: ArrayLike) => flip(x, 0);

export function roll(x: ArrayLike, shift: number, axis?: number | null): DeviceArray {
  let a = asArray(x);
  const flat = axis === undefined || axis === null;
  const orig = a.shape;
  if (flat) a = l.reshape(a, [a.size]);
  const ax = flat ? 0 : normalizeAxis("roll", axis!, a.ndim, a.shape);
  const n = a.shape[ax]!;
  if (n === 0) return a;
  const k = ((shift % n) + n) % n;
  const parts = split(a, [n - k], ax);
  const r = l.concatenate([parts[1]!, parts[0]!], ax);
  return flat ? l.reshape(r, orig) : r;
}

export function rot90(x: ArrayLike, k = 1, axes: [number, number] = [0, 1]): DeviceArray {
  const a = asArray(x);
  const kk = ((k % 4) + 4) % 4;
  const [a0, a1] = axes;
  if (kk === 0) return a;
  if (kk === 2) return flip(flip(a, a0), a1);
  if (kk === 1) return swapaxes(flip(a, a1), a0, a1);
  return flip(swapaxes(a, a0, a1), a1);
}
