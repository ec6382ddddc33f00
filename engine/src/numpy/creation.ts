import { LocatedRangeError } from "./checks.js";
import { LocatedTypeError } from "./checks.js";
import type { DeviceArray } from "../array.js";
import { defaultFloat, isFloat, type DType } from "../dtype.js";
import * as l from "../lax/primitives.js";
import { scalar } from "../trace/constants.js";
import { asArray, dtypeArg, type ArrayLike, type DTypeLike } from "./convert.js";

/** Array creation. Shapes are lists (or a single number); dtypes default to float32. */
export type ShapeLike = number | readonly number[];
const shapeOf = (s: ShapeLike) => (typeof s === "number" ? [s] : [...s]);
const checkShape = (op: string, s: number[]) => {
  for (const d of s) if (!Number.isInteger(d) || d < 0) throw new LocatedTypeError(`${op}: shape must be a list of non-negative integers, got [${s}]`);
  return s;
};

export function full(shape: ShapeLike, value: number | boolean | DeviceArray, dtype?: DTypeLike): DeviceArray {
  const s = checkShape("full", shapeOf(shape));
  const v = typeof value === "object" ? asArray(value, dtype) : scalar(value, dtypeArg(dtype, typeof value === "boolean" ? "bool" : defaultFloat()));
  return l.broadcastTo(v, s);
}
export const zeros = (shape: ShapeLike, dtype?: DTypeLike) => full(shape, 0, dtype);
export const ones = (shape: ShapeLike, dtype?: DTypeLike) => full(shape, 1, dtype);
export const empty = zeros;
export const fullLike = (x: ArrayLike, value: number | boolean, dtype?: DTypeLike) => { const a = asArray(x); return full(a.shape, value, dtype ?? a.dtype); };
export const zerosLike = (x: ArrayLike, dtype?: DTypeLike) => fullLike(x, 0, dtype);
export const onesLike = (x: ArrayLike, dtype?: DTypeLike) => fullLike(x, 1, dtype);
export const emptyLike = zerosLike;

/** np.arange(stop) / arange(start, stop, step): int32 for integer arguments, float otherwise. */
export function arange(start: number, stop?: number | null, step: number | null = 1, dtype?: DTypeLike | null): DeviceArray {
  step ??= 1;
  if (stop === undefined || stop === null) { stop = start; start = 0; }
  if (step === 0) throw new LocatedRangeError("arange: step must not be zero");
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const dt = dtypeArg(dtype ?? undefined, [start, stop, step].every(Number.isInteger) ? "int32" : defaultFloat());
  const idx = l.iota(isFloat(dt) ? dt : "int32", [n]);
  const r = l.add(l.mul(idx, scalar(step, idx.dtype)), scalar(start, idx.dtype));
  return l.convert(r, dt);
}

export function linspace(start: number, stop: number, num = 50, opts: { endpoint?: boolean; dtype?: DTypeLike } = {}): DeviceArray {
  const endpoint = opts.endpoint ?? true;
  const dt = dtypeArg(opts.dtype);
  const div = endpoint ? num - 1 : num;
  const step = div > 0 ? (stop - start) / div : 0;
  const idx = l.iota(isFloat(dt) ? dt : defaultFloat(), [num]);
  let r = l.add(l.mul(idx, scalar(step, idx.dtype)), scalar(start, idx.dtype));
  if (endpoint && num > 1) {
    // The last point is exactly `stop`, as in numpy.
    r = l.select(l.eq(idx, scalar(num - 1, idx.dtype)), l.fullLike(r, stop), r);
  }
  return l.convert(r, dt);
}
export const logspace = (start: number, stop: number, num = 50, opts: { endpoint?: boolean; base?: number; dtype?: DTypeLike } = {}) => {
  const e = linspace(start, stop, num, { endpoint: opts.endpoint, dtype: opts.dtype });
  return l.pow(l.fullLike(e, opts.base ?? 10), e);
};
export const geomspace = (start: number, stop: number, num = 50, opts: { endpoint?: boolean; dtype?: DTypeLike } = {}) => {
  const e = linspace(Math.log(start), Math.log(stop), num, opts);
  return l.exp(e);
};

export function eye(n: number, m?: number, k = 0, dtype?: DTypeLike): DeviceArray {
  const cols = m ?? n;
  const r = l.iota("int32", [n, cols], 0), c = l.iota("int32", [n, cols], 1);
  return l.convert(l.eq(l.add(r, scalar(k, "int32")), c), dtypeArg(dtype));
}
export const identity = (n: number, dtype?: DTypeLike) => eye(n, n, 0, dtype);

/** Lower-triangular ones: tri(n, m, k)[i, j] = j <= i + k. */
export function tri(n: number, m?: number, k = 0, dtype?: DTypeLike): DeviceArray {
  const cols = m ?? n;
  const r = l.iota("int32", [n, cols], 0), c = l.iota("int32", [n, cols], 1);
  return l.convert(l.le(c, l.add(r, scalar(k, "int32"))), dtypeArg(dtype));
}
export function tril(x: ArrayLike, k = 0): DeviceArray {
  const a = asArray(x);
  const [n, m] = a.shape.slice(-2) as [number, number];
  return l.select(l.broadcastTo(l.convert(tri(n, m, k, "int32"), "bool"), a.shape), a, l.zerosLike(a));
}
export function triu(x: ArrayLike, k = 0): DeviceArray {
  const a = asArray(x);
  const [n, m] = a.shape.slice(-2) as [number, number];
  return l.select(l.broadcastTo(l.convert(tri(n, m, k - 1, "int32"), "bool"), a.shape), l.zerosLike(a), a);
}

/** diag of a 1-D array is a matrix; of a 2-D array, its diagonal. */
export function diag(x: ArrayLike, k = 0): DeviceArray {
  const a = asArray(x);
  if (a.ndim === 1) {
    const n = a.shape[0]! + Math.abs(k);
    const r = l.iota("int32", [n, n], 0), c = l.iota("int32", [n, n], 1);
    const mask = l.eq(l.add(r, scalar(k, "int32")), c);
    const padded = l.pad(a, scalar(0, a.dtype), [[0, Math.abs(k), 0]]);
    // Above the diagonal row r holds a[r]; below it column c holds a[c]: broadcast along the other axis.
    const vals = k >= 0 ? l.broadcastInDim(padded, [n, n], [0]) : l.broadcastInDim(padded, [n, n], [1]);
    return l.select(mask, vals, l.zerosLike(vals));
  }
  if (a.ndim === 2) return diagonalOf(a, k);
  throw new LocatedTypeError(`diag: input must be 1-D or 2-D, got shape [${a.shape}]`);
}
import { diagonal as diagonalOf } from "./linalg.js";
export const diagflat = (x: ArrayLike, k = 0) => { const a = asArray(x); return diag(l.reshape(a, [a.size]), k); };

export function meshgrid(...xs: ArrayLike[]): DeviceArray[];
export function meshgrid(...args: unknown[]): DeviceArray[] {
  const last = args[args.length - 1];
  const opts = last && typeof last === "object" && !Array.isArray(last) && !("shape" in (last as object)) ? (args.pop() as { indexing?: "xy" | "ij" }) : {};
  const arrs = (args as ArrayLike[]).map((x) => { const a = asArray(x); return l.reshape(a, [a.size]); });
  const shape = arrs.map((a) => a.shape[0]!);
  const xy = (opts.indexing ?? "xy") === "xy" && arrs.length >= 2;
  if (xy) [shape[0], shape[1]] = [shape[1]!, shape[0]!];
  return arrs.map((a, i) => {
    const dim = xy && i < 2 ? 1 - i : i;
    return l.broadcastInDim(a, shape, [dim]);
  });
}

export function indices(dims: readonly number[], dtype: DTypeLike = "int32"): DeviceArray {
  const dt = dtypeArg(dtype);
  const parts = dims.map((_, i) => l.reshape(l.convert(l.iota("int32", dims, i), dt), [1, ...dims]));
  return l.concatenate(parts, 0);
}
