import type { DeviceArray } from "../array.js";
import { isFloat } from "../dtype.js";
import * as l from "../lax/primitives.js";
import { bind1 } from "../trace/trace.js";
import { asArray, promote, promoteFloat, type ArrayLike } from "./convert.js";
import { LocatedError, LocatedTypeError, ShapeError, normalizeAxis } from "./checks.js";
import { arange } from "./creation.js";
import { isclose } from "./elementwise.js";
import { all } from "./reductions.js";

/** Differences, integrals, convolutions, polynomials and statistics over arrays. */

const sliceAxis = (a: DeviceArray, ax: number, s: number, e: number) =>
  l.slice(a, a.shape.map((_, i) => (i === ax ? s : 0)), a.shape.map((d, i) => (i === ax ? e : d)));

/** n-th discrete difference along an axis, with optional values prepended / appended first. */
export function diff(x: ArrayLike, opts: { n?: number; axis?: number; prepend?: ArrayLike; append?: ArrayLike } = {}): DeviceArray {
  let a = asArray(x);
  if (a.ndim === 0) throw new ShapeError("diff", "needs at least 1 dimension", [a.shape], "diff: requires input that is at least one dimensional");
  const ax = normalizeAxis("diff", opts.axis ?? -1, a.ndim, a.shape);
  const side = (v: ArrayLike) => {
    const b = l.convert(asArray(v), a.dtype);
    return b.ndim === 0 ? l.broadcastTo(b, a.shape.map((d, i) => (i === ax ? 1 : d))) : b;
  };
  const parts = [...(opts.prepend !== undefined ? [side(opts.prepend)] : []), a, ...(opts.append !== undefined ? [side(opts.append)] : [])];
  if (parts.length > 1) a = l.concatenate(parts, ax);
  for (let k = 0; k < (opts.n ?? 1); k++) {
    const n = a.shape[ax]!;
    if (n === 0) break;
    const hi = sliceAxis(a, ax, 1, n), lo = sliceAxis(a, ax, 0, n - 1);
    a = a.dtype === "bool" ? l.ne(hi, lo) : l.sub(hi, lo);
  }
  return a;
}

/** Differences of the flattened array, with optional values before and after. */
export function ediff1d(x: ArrayLike, opts: { toEnd?: ArrayLike; toBegin?: ArrayLike } = {}): DeviceArray {
  const a = asArray(x);
  const flat = l.reshape(a, [a.size]);
  const d = flat.size ? l.sub(sliceAxis(flat, 0, 1, flat.size), sliceAxis(flat, 0, 0, Math.max(0, flat.size - 1))) : flat;
  const ravel = (v: ArrayLike) => { const b = l.convert(asArray(v), a.dtype); return l.reshape(b, [b.size]); };
  const parts = [...(opts.toBegin !== undefined ? [ravel(opts.toBegin)] : []), d, ...(opts.toEnd !== undefined ? [ravel(opts.toEnd)] : [])];
  return l.concatenate(parts, 0);
}

/** Central differences inside, one-sided at the edges (numpy's edge_order=1), unit or scalar spacing. */
export function gradient(f: ArrayLike, opts: { spacing?: number | readonly number[]; axis?: number | readonly number[] } = {}): DeviceArray | DeviceArray[] {
  const a = promoteFloat(f)[0]!;
  const axes = opts.axis === undefined ? [...a.shape.keys()] : (typeof opts.axis === "number" ? [opts.axis] : opts.axis).map((x) => normalizeAxis("gradient", x, a.ndim, a.shape));
  const sp = opts.spacing === undefined ? axes.map(() => 1) : typeof opts.spacing === "number" ? axes.map(() => opts.spacing as number) : [...opts.spacing];
  const out = axes.map((ax, k) => {
    const n = a.shape[ax]!;
    if (n < 2) throw new ShapeError("gradient", "axis too short", [a.shape], `gradient: shape of array too small to calculate a numerical gradient, at least 2 elements are required along axis ${ax}`);
    const h = l.scalarLike(a, sp[k]!);
    const first = l.div(l.sub(sliceAxis(a, ax, 1, 2), sliceAxis(a, ax, 0, 1)), h);
    const last = l.div(l.sub(sliceAxis(a, ax, n - 1, n), sliceAxis(a, ax, n - 2, n - 1)), h);
    const mid = n > 2 ? [l.div(l.sub(sliceAxis(a, ax, 2, n), sliceAxis(a, ax, 0, n - 2)), l.mul(h, l.scalarLike(a, 2)))] : [];
    return l.concatenate([first, ...mid, last], ax);
  });
  return out.length === 1 ? out[0]! : out;
}

/** Integral by the trapezoidal rule along an axis, with sample points x or a constant spacing dx. */
export function trapezoid(y: ArrayLike, opts: { x?: ArrayLike; dx?: number; axis?: number } = {}): DeviceArray {
  const a = promoteFloat(y)[0]!;
  const ax = normalizeAxis("trapezoid", opts.axis ?? -1, a.ndim, a.shape);
  const n = a.shape[ax]!;
  if (n === 0) return l.reduceSum(a, [ax]);
  const avg = l.mul(l.add(sliceAxis(a, ax, 1, n), sliceAxis(a, ax, 0, n - 1)), l.scalarLike(a, 0.5));
  let d: DeviceArray;
  if (opts.x !== undefined) {
    const xs = l.convert(asArray(opts.x), a.dtype);
    d = xs.ndim === 1 ? l.broadcastInDim(diff(xs), avg.shape, [ax]) : l.broadcastTo(diff(xs, { axis: ax }), avg.shape);
  } else d = l.fullLike(avg, opts.dx ?? 1);
  return l.reduceSum(l.mul(avg, d), [ax]);
}

function conv1d(op: string, a: DeviceArray, v: DeviceArray, mode: "full" | "same" | "valid", flipV: boolean): DeviceArray {
  if (a.ndim !== 1 || v.ndim !== 1) throw new ShapeError(op, "inputs must be 1-D", [a.shape, v.shape], `${op}: inputs must be 1-D, got shapes [${a.shape}] and [${v.shape}]`);
  if (a.size === 0 || v.size === 0) throw new ShapeError(op, "empty input", [a.shape, v.shape], `${op}: inputs cannot be empty, got shapes [${a.shape}] and [${v.shape}]`);
  const n = a.size, m = v.size;
  // conv_general_dilated is a cross-correlation; flipping the kernel makes it a convolution.
  const kernel = flipV ? l.rev(v, [0]) : v;
  const pad: [number, number] = mode === "full" ? [m - 1, m - 1] : mode === "same" ? [m - 1 - Math.floor((m - 1) / 2), Math.floor((m - 1) / 2)] : [0, 0];
  const out = bind1("conv_general_dilated", [l.reshape(a, [1, 1, n]), l.reshape(kernel, [1, 1, m])], {
    strides: [1], padding: [pad], lhsDilation: [1], rhsDilation: [1], featureGroupCount: 1,
  });
  return l.reshape(out, [out.shape[2]!]);
}
/** Discrete linear convolution of two 1-D arrays. */
export function convolve(x: ArrayLike, y: ArrayLike, mode: "full" | "same" | "valid" = "full"): DeviceArray {
  let [a, v] = promote(x, y) as [DeviceArray, DeviceArray];
  if (v.size > a.size) [a, v] = [v, a];
  return conv1d("convolve", a, v, mode, true);
}
/** Cross-correlation of two 1-D arrays (numpy's default mode is "valid"). */
export function correlate(x: ArrayLike, y: ArrayLike, mode: "full" | "same" | "valid" = "valid"): DeviceArray {
  const [a, v] = promote(x, y) as [DeviceArray, DeviceArray];
  if (v.size > a.size) return l.rev(conv1d("correlate", v, a, mode, false), [0]);
  return conv1d("correlate", a, v, mode, false);
}

/** Piecewise-linear interpolation of (xp, fp) at x; xp increasing. */
export function interp(x: ArrayLike, xp: ArrayLike, fp: ArrayLike, opts: { left?: number | null; right?: number | null; period?: number | null } = {}): DeviceArray {
  let [xv, xpv, fpv] = promoteFloat(x, xp, fp) as [DeviceArray, DeviceArray, DeviceArray];
  if (opts.period !== undefined && opts.period !== null) return interpPeriodic(xv, xpv, fpv, opts.period);
  if (xpv.ndim !== 1 || fpv.ndim !== 1 || xpv.size !== fpv.size || xpv.size === 0) {
    throw new ShapeError("interp", "xp and fp must be 1-D of equal nonzero length", [xpv.shape, fpv.shape], `interp: xp and fp must be one-dimensional arrays of equal nonzero size, got [${xpv.shape}] and [${fpv.shape}]`);
  }
  const n = xpv.size;
  if (n === 1) return l.broadcastTo(l.reshape(fpv, []), xv.shape);
  const xe = l.reshape(xv, [...xv.shape, 1]);
  const pos = l.reduceSum(l.convert(l.le(xpv, xe), "int32"), [xv.ndim]);
  const i = l.max(l.min(pos, l.scalarLike(pos, n - 1)), l.scalarLike(pos, 1));
  const im1 = l.sub(i, l.scalarLike(i, 1));
  const x0 = l.gather(xpv, im1, 0), x1 = l.gather(xpv, i, 0), f0 = l.gather(fpv, im1, 0), f1 = l.gather(fpv, i, 0);
  const dx = l.sub(x1, x0);
  const t = l.div(l.sub(xv, x0), l.select(l.eq(dx, l.scalarLike(dx, 0)), l.fullLike(dx, 1), dx));
  let r = l.add(f0, l.mul(t, l.sub(f1, f0)));
  const first = l.reshape(sliceAxis(fpv, 0, 0, 1), []), last = l.reshape(sliceAxis(fpv, 0, n - 1, n), []);
  const xfirst = l.reshape(sliceAxis(xpv, 0, 0, 1), []), xlast = l.reshape(sliceAxis(xpv, 0, n - 1, n), []);
  r = l.select(l.lt(xv, l.broadcastTo(xfirst, xv.shape)), l.broadcastTo(opts.left !== undefined && opts.left !== null ? l.scalarLike(r, opts.left) : first, xv.shape), r);
  r = l.select(l.gt(xv, l.broadcastTo(xlast, xv.shape)), l.broadcastTo(opts.right !== undefined && opts.right !== null ? l.scalarLike(r, opts.right) : last, xv.shape), r);
  return r;
}

/**
 * interp with a period, as numpy does: x and xp are taken modulo the period, xp is sorted, and
 * one point from each end is repeated past the other (left/right do not apply).
 */
function interpPeriodic(x: DeviceArray, xp: DeviceArray, fp: DeviceArray, period: number): DeviceArray {
  if (period === 0) throw new LocatedError("interp: period must be a non-zero value");
  const p = Math.abs(period);
  const mod = (v: DeviceArray) => { const r = l.binary("rem")(v, l.scalarLike(v, p)); return l.select(l.lt(r, l.scalarLike(r, 0)), l.add(r, l.scalarLike(r, p)), r); };
  const xm = mod(x), xpm = mod(xp);
  const order = l.sort([xpm, l.iota("int32", xpm.shape, 0)], 0, 1);
  const xs = order[0]!, fs = l.gather(fp, order[1]!, 0);
  const n = xs.size;
  const lastX = l.sub(sliceAxis(xs, 0, n - 1, n), l.scalarLike(xs, p)), firstX = l.add(sliceAxis(xs, 0, 0, 1), l.scalarLike(xs, p));
  const xe = l.concatenate([lastX, xs, firstX], 0);
  const fe = l.concatenate([sliceAxis(fs, 0, n - 1, n), fs, sliceAxis(fs, 0, 0, 1)], 0);
  return interp(xm, xe, fe);
}

/** Covariance matrix; rows are variables unless rowvar is false. */
export function cov(m: ArrayLike, opts: { y?: ArrayLike; rowvar?: boolean; bias?: boolean; ddof?: number } = {}): DeviceArray {
  let x = promoteFloat(m)[0]!;
  if (x.ndim > 2) throw new ShapeError("cov", "m has more than 2 dimensions", [x.shape], `cov: m has more than 2 dimensions: [${x.shape}]`);
  const rowvar = opts.rowvar ?? true;
  const as2d = (v: DeviceArray) => { let r = v.ndim < 2 ? l.reshape(v, [1, v.size]) : v; if (!rowvar && v.ndim === 2) r = l.transpose(r, [1, 0]); return r; };
  x = as2d(x);
  if (opts.y !== undefined) x = l.concatenate([x, as2d(l.convert(asArray(opts.y), x.dtype))], 0);
  const n = x.shape[1]!;
  const ddof = opts.ddof ?? (opts.bias ? 0 : 1);
  const mean = l.div(l.reduceSum(x, [1]), l.scalarLike(x, n));
  const c = l.sub(x, l.broadcastInDim(mean, x.shape, [0]));
  const prod = l.dotGeneral(c, c, { contract: [[1], [1]], batch: [[], []] });
  const r = l.div(prod, l.scalarLike(prod, n - ddof));
  return r.shape[0] === 1 ? l.reshape(r, []) : r;
}
/** Pearson correlation coefficients (clipped to [-1, 1], as numpy does). */
export function corrcoef(x: ArrayLike, opts: { y?: ArrayLike; rowvar?: boolean } = {}): DeviceArray {
  const c = cov(x, opts);
  if (c.ndim === 0) return l.div(c, c);
  const n = c.shape[0]!;
  const d = l.reshape(l.slice(l.reshape(c, [n * n]), [0], [n * n], [n + 1]), [n]);
  const s = l.sqrt(d);
  const r = l.div(l.div(c, l.broadcastInDim(s, [n, n], [0])), l.broadcastInDim(s, [n, n], [1]));
  return l.max(l.min(r, l.scalarLike(r, 1)), l.scalarLike(r, -1));
}

/** Polynomials as coefficient arrays, highest power first (numpy's poly1d convention). */
export function polyval(p: ArrayLike, x: ArrayLike): DeviceArray {
  const [pc, xv] = promote(p, x) as [DeviceArray, DeviceArray];
  if (pc.ndim !== 1) throw new ShapeError("polyval", "p must be 1-D", [pc.shape], `polyval: the coefficients must be a 1-D array, got [${pc.shape}]`);
  let y = l.zerosLike(xv);
  for (let i = 0; i < pc.size; i++) y = l.add(l.mul(y, xv), l.reshape(sliceAxis(pc, 0, i, i + 1), []));
  return y;
}
const padFront = (a: DeviceArray, n: number) => (n > a.size ? l.pad(a, l.scalarLike(a, 0), [[n - a.size, 0, 0]]) : a);
export function polyadd(a1: ArrayLike, a2: ArrayLike): DeviceArray {
  const [a, b] = promote(a1, a2) as [DeviceArray, DeviceArray];
  const n = Math.max(a.size, b.size);
  return l.add(padFront(a, n), padFront(b, n));
}
export function polysub(a1: ArrayLike, a2: ArrayLike): DeviceArray {
  const [a, b] = promote(a1, a2) as [DeviceArray, DeviceArray];
  const n = Math.max(a.size, b.size);
  return l.sub(padFront(a, n), padFront(b, n));
}
export const polymul = (a1: ArrayLike, a2: ArrayLike) => convolve(a1, a2, "full");
export function polyder(p: ArrayLike, m = 1): DeviceArray {
  let c = asArray(p);
  for (let k = 0; k < m; k++) {
    const n = c.size - 1;
    if (n <= 0) return l.reshape(sliceAxis(c, 0, 0, 0), [0]);
    c = l.mul(sliceAxis(c, 0, 0, n), l.convert(arange(n, 0, -1), c.dtype));
  }
  return c;
}
export function polyint(p: ArrayLike, opts: { m?: number; k?: number } = {}): DeviceArray {
  let c = promoteFloat(p)[0]!;
  for (let j = 0; j < (opts.m ?? 1); j++) {
    const n = c.size;
    c = l.concatenate([l.div(c, l.convert(arange(n, 0, -1), c.dtype)), l.reshape(l.scalarLike(c, opts.k ?? 0), [1])], 0);
  }
  return c;
}
/** Coefficients of the monic polynomial with the given roots (1-D input). */
export function poly(seqOfZeros: ArrayLike): DeviceArray {
  const r = promoteFloat(seqOfZeros)[0]!;
  if (r.ndim !== 1) throw new LocatedTypeError(`poly: only 1-D sequences of roots are supported here, got shape [${r.shape}]`);
  let c = l.reshape(l.scalarLike(r, 1), [1]);
  for (let i = 0; i < r.size; i++) c = convolve(c, l.concatenate([l.reshape(l.scalarLike(r, 1), [1]), l.neg(sliceAxis(r, 0, i, i + 1))], 0));
  return l.convert(c, r.dtype, false);
}
/** Vandermonde matrix: columns are powers of x, decreasing unless increasing is set. */
export function vander(x: ArrayLike, n?: number, opts: { increasing?: boolean } = {}): DeviceArray {
  const a = asArray(x);
  if (a.ndim !== 1) throw new ShapeError("vander", "x must be 1-D", [a.shape], `vander: x must be a one-dimensional array, got [${a.shape}]`);
  const cols = n ?? a.size;
  const powers = l.iota(a.dtype === "bool" ? "int32" : a.dtype, [cols]);
  const p = opts.increasing ? powers : l.rev(powers, [0]);
  const base = l.broadcastInDim(a.dtype === "bool" ? l.convert(a, "int32") : a, [a.size, cols], [0]);
  return l.pow(base, l.broadcastInDim(p, [a.size, cols], [1]));
}

/** True when every element pair is close (isclose), as a bool scalar array. */
export const allclose = (a: ArrayLike, b: ArrayLike, opts: { rtol?: number; atol?: number; equalNan?: boolean } = {}) => all(isclose(a, b, opts));
/** True when shapes and elements are equal. */
export function arrayEqual(a1: ArrayLike, a2: ArrayLike, opts: { equalNan?: boolean } = {}): DeviceArray {
  const [a, b] = promote(a1, a2) as [DeviceArray, DeviceArray];
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return l.convert(l.scalarLike(a, 0), "bool", false);
  let eq = l.eq(a, b);
  if (opts.equalNan && isFloat(a.dtype)) eq = l.or(eq, l.and(l.ne(a, a), l.ne(b, b)));
  return all(eq);
}
/** True when the arrays broadcast together and are equal elementwise. */
export function arrayEquiv(a1: ArrayLike, a2: ArrayLike): DeviceArray {
  const [a, b] = promote(a1, a2) as [DeviceArray, DeviceArray];
  const n = Math.max(a.ndim, b.ndim);
  const ok = Array.from({ length: n }, (_, i) => {
    const x = a.shape[a.ndim - n + i] ?? 1, y = b.shape[b.ndim - n + i] ?? 1;
    return x === y || x === 1 || y === 1;
  }).every(Boolean);
  if (!ok) return l.convert(l.scalarLike(a, 0), "bool", false);
  return all(l.eq(a, b));
}
