import { DeviceArray } from "../array.js";
import * as l from "../lax/primitives.js";
import { isFloat } from "../dtype.js";
import { registerPytreeNode } from "../tree.js";
import { asArray, promoteFloat, type ArrayLike } from "./convert.js";
import { LocatedError, normalizeAxis } from "./checks.js";
import { roll } from "./manipulation.js";
import { fftShape } from "../shape/decompositions.js";
import { transformLast } from "./fft-core.js";

/**
 * np.fft. The engine has no complex dtype, so a complex array is a `ComplexArray` holding
 * its real and imaginary parts as two float arrays of the same shape; it is a registered pytree
 * (jit, vmap and grad see its two leaves), and every function here accepts one wherever numpy
 * accepts a complex array (real arrays count as complex with zero imaginary part).
 *
 * Each 1-D transform is O(n log n) (fft-core.ts: the DFT matrix at small n, radix-2
 * Cooley-Tukey for powers of two, Bluestein's chirp-z otherwise), built from linear primitives
 * with twiddles computed in float64 on the host, so it differentiates, batches and compiles like
 * any other composition; the multi-axis transforms apply the 1-D one axis by axis. rfft and
 * irfft keep a direct product with their half-size tables while that is small (SMALL).
 */
export class ComplexArray {
  constructor(readonly real: DeviceArray, readonly imag: DeviceArray) {
    if (real.shape.join() !== imag.shape.join()) throw new LocatedError(`ComplexArray: real ${real.aval} and imaginary ${imag.aval} parts differ in shape`);
  }
  get shape() { return this.real.shape; }
  get ndim() { return this.real.ndim; }
  get dtype() { return this.real.dtype; }
  /** |z| */
  abs(): DeviceArray { return l.sqrt(l.add(l.square(this.real), l.square(this.imag))); }
  conj(): ComplexArray { return new ComplexArray(this.real, l.neg(this.imag)); }
  toString() { return `ComplexArray(real=${this.real.toString()}, imag=${this.imag.toString()})`; }
}
registerPytreeNode(ComplexArray, (c) => [[c.real, c.imag], null], (_aux, [re, im]) => new ComplexArray(re as DeviceArray, im as DeviceArray));

export type ComplexLike = ArrayLike | ComplexArray;
type Norm = "backward" | "ortho" | "forward" | null;

function parts(x: ComplexLike): [DeviceArray, DeviceArray | null] {
  if (x instanceof ComplexArray) return [x.real, x.imag];
  const a = asArray(x);
  return [isFloat(a.dtype) ? a : promoteFloat(a)[0]!, null];
}

/** x resized along `axis` to n: truncated, or zero-padded at the end (numpy's n argument). */
function resize(x: DeviceArray, axis: number, n: number): DeviceArray {
  const have = x.shape[axis]!;
  if (have === n) return x;
  if (have > n) return l.slice(x, x.shape.map(() => 0), x.shape.map((d, i) => (i === axis ? n : d)));
  return l.pad(x, l.scalarLike(x, 0), x.shape.map((_, i) => [0, i === axis ? n - have : 0, 0] as const));
}

/** cos and sin of 2 pi j k / n for j < rows, k < cols, as [rows, cols] float64 tables (j k reduced mod n first). */
function tables(rows: number, cols: number, n: number, dtype: DeviceArray["dtype"]): [DeviceArray, DeviceArray] {
  const c = new Float64Array(rows * cols), s = new Float64Array(rows * cols);
  for (let j = 0; j < rows; j++) for (let k = 0; k < cols; k++) {
    const t = (2 * Math.PI * ((j * k) % n)) / n;
    c[j * cols + k] = Math.cos(t); s[j * cols + k] = Math.sin(t);
  }
  const mk = (v: Float64Array) => l.convert(l.reshape(asArray(v), [rows, cols]), dtype);
  return [mk(c), mk(s)];
}

/** Up to this length rfft / irfft multiply by their [n, n/2+1] tables directly; beyond it they go through fft. */
const SMALL = 64;

/** f applied with `axis` moved last (to each array), the results' last axis put back at `axis`. */
function withAxisLast(xs: readonly DeviceArray[], axis: number, f: (...moved: DeviceArray[]) => DeviceArray[]): DeviceArray[] {
  const last = xs[0]!.ndim - 1;
  if (axis === last) return f(...xs);
  const perm = [...xs[0]!.shape.keys()].filter((i) => i !== axis).concat([axis]);
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => { inv[p] = i; });
  return f(...xs.map((x) => l.transpose(x, perm))).map((y) => l.transpose(y, inv));
}

/** x (axis moved last) times a [n, m] matrix, the result's last axis put back at `axis`. */
function alongAxis(x: DeviceArray, axis: number, m: DeviceArray): DeviceArray {
  const last = x.ndim - 1;
  const perm = [...x.shape.keys()].filter((i) => i !== axis).concat([axis]);
  const moved = axis === last ? x : l.transpose(x, perm);
  const y = l.dotGeneral(moved, m, { contract: [[last], [0]], batch: [[], []] });
  if (axis === last) return y;
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => { inv[p] = i; });
  return l.transpose(y, inv);
}

function scaleFor(norm: Norm, n: number, inverse: boolean): number {
  const mode = norm ?? "backward";
  if (mode === "ortho") return 1 / Math.sqrt(n);
  if (mode === "backward") return inverse ? 1 / n : 1;
  if (mode === "forward") return inverse ? 1 : 1 / n;
  throw new LocatedError(`fft: norm must be "backward", "ortho" or "forward", got ${JSON.stringify(norm)}`);
}
const scaled = (x: DeviceArray, s: number) => (s === 1 ? x : l.mul(x, l.scalarLike(x, s)));

/** The complex DFT of (re, im) along an axis: sign -1 forward, +1 inverse. */
function dft(re: DeviceArray, im: DeviceArray | null, axis: number, n: number, inverse: boolean, norm: Norm): ComplexArray {
  if (n < 1) throw new LocatedError(`fft: invalid number of data points (${n}) specified`);
  const r = resize(re, axis, n), i = im && resize(im, axis, n);
  // transformLast gives (re, im) whatever its input: the pair comes back.
  const [outRe, outIm] = withAxisLast(i ? [r, i] : [r], axis, (a, b) => transformLast(a!, b ?? null, inverse)) as [DeviceArray, DeviceArray];
  const s = scaleFor(norm, n, inverse);
  return new ComplexArray(scaled(outRe, s), scaled(outIm, s));
}

const axisOf = (what: string, axis: number, ndim: number, shape: readonly number[]) => normalizeAxis(what, axis, ndim, shape);

export function fft(a: ComplexLike, n: number | null = null, axis = -1, norm: Norm = null): ComplexArray {
  const [re, im] = parts(a);
  const ax = axisOf("fft", axis, re.ndim, re.shape);
  fftShape("fft", re.shape, n, ax);
  return dft(re, im, ax, n ?? re.shape[ax]!, false, norm);
}
export function ifft(a: ComplexLike, n: number | null = null, axis = -1, norm: Norm = null): ComplexArray {
  const [re, im] = parts(a);
  const ax = axisOf("ifft", axis, re.ndim, re.shape);
  fftShape("ifft", re.shape, n, ax);
  return dft(re, im, ax, n ?? re.shape[ax]!, true, norm);
}

/** The real input's transform, the n // 2 + 1 non-negative frequencies. */
export function rfft(a: ArrayLike, n: number | null = null, axis = -1, norm: Norm = null): ComplexArray {
  if ((a as unknown) instanceof ComplexArray) throw new LocatedError("rfft: the input must be real (use fft for complex input)");
  const [re] = parts(a);
  const ax = axisOf("rfft", axis, re.ndim, re.shape);
  fftShape("rfft", re.shape, n, ax);
  const len = n ?? re.shape[ax]!;
  if (len < 1) throw new LocatedError(`rfft: invalid number of data points (${len}) specified`);
  const r = resize(re, ax, len);
  const m = Math.floor(len / 2) + 1;
  const s = scaleFor(norm, len, false);
  if (len > SMALL) {
    // The full transform's first m frequencies (the rest are their conjugates).
    const keep = (x: DeviceArray) => l.slice(x, x.shape.map(() => 0), x.shape.map((d, i) => (i === ax ? m : d)));
    const [fr, fi] = withAxisLast([r], ax, (a) => transformLast(a!, null, false));
    return new ComplexArray(scaled(keep(fr!), s), scaled(keep(fi!), s));
  }
  const [C, S] = tables(len, m, len, r.dtype);
  return new ComplexArray(scaled(alongAxis(r, ax, C), s), scaled(l.neg(alongAxis(r, ax, S)), s));
}

/** The inverse of rfft: n real outputs (default 2 (m - 1)) from the m non-negative frequencies (Hermitian symmetry). */
export function irfft(a: ComplexLike, n: number | null = null, axis = -1, norm: Norm = null): DeviceArray {
  const [re, im] = parts(a);
  const ax = axisOf("irfft", axis, re.ndim, re.shape);
  fftShape("irfft", re.shape, n, ax);
  const len = n ?? 2 * (re.shape[ax]! - 1);
  if (len < 1) throw new LocatedError(`irfft: invalid number of data points (${len}) specified`);
  const m = Math.floor(len / 2) + 1;
  const r = resize(re, ax, m), i = im ? resize(im, ax, m) : null;
  if (len > SMALL) return scaled(hermitianInverse(r, i, ax, len), scaleFor(norm, len, true));
  // x_j = sum_k w_k (Re X_k cos(2 pi j k / n) - Im X_k sin(2 pi j k / n)), w = 1 at k = 0 and k = n / 2, else 2.
  const [C, S] = tables(m, len, len, r.dtype);
  const w = Float64Array.from({ length: m }, (_, k) => (k === 0 || (len % 2 === 0 && k === len / 2) ? 1 : 2));
  const W = l.convert(l.reshape(asArray(w), [m, 1]), r.dtype);
  const Cw = l.mul(C, l.broadcastTo(W, C.shape)), Sw = l.mul(S, l.broadcastTo(W, S.shape));
  let x = alongAxis(r, ax, Cw);
  if (i) x = l.sub(x, alongAxis(i, ax, Sw));
  return scaled(x, scaleFor(norm, len, true));
}

/**
 * The real inverse transform of the m non-negative frequencies: the real part of the inverse
 * transform of the Hermitian extension X_{n-k} = conj(X_k) (which is where the imaginary parts of
 * X_0 and X_{n/2} drop out, as in numpy).
 */
function hermitianInverse(r: DeviceArray, i: DeviceArray | null, ax: number, len: number): DeviceArray {
  const m = r.shape[ax]!, mirror = len - m; // X_m .. X_{len-1} = conj(X_{mirror}) .. conj(X_1)
  const mirrored = (x: DeviceArray) => l.rev(l.slice(x, x.shape.map((_, d) => (d === ax ? 1 : 0)), x.shape.map((d, k) => (k === ax ? mirror + 1 : d))), [ax]);
  const fullRe = l.concatenate([r, mirrored(r)], ax);
  const fullIm = i ? l.concatenate([i, l.neg(mirrored(i))], ax) : null;
  return withAxisLast(fullIm ? [fullRe, fullIm] : [fullRe], ax, (a, b) => [transformLast(a!, b ?? null, true)[0]])[0]!;
}

/** hfft: the real spectrum of a Hermitian-symmetric signal given by its first half. */
export function hfft(a: ComplexLike, n: number | null = null, axis = -1, norm: Norm = null): DeviceArray {
  const [re, im] = parts(a);
  const ax = axisOf("hfft", axis, re.ndim, re.shape);
  const len = n ?? 2 * (re.shape[ax]! - 1);
  const flipped: Norm = norm === "forward" ? "backward" : norm === "ortho" ? "ortho" : "forward";
  return irfft(new ComplexArray(re, im ? l.neg(im) : l.zerosLike(re)), len, ax, flipped);
}
export function ihfft(a: ArrayLike, n: number | null = null, axis = -1, norm: Norm = null): ComplexArray {
  const [re] = parts(a);
  const ax = axisOf("ihfft", axis, re.ndim, re.shape);
  const flipped: Norm = norm === "forward" ? "backward" : norm === "ortho" ? "ortho" : "forward";
  return rfft(re, n, ax, flipped).conj();
}

/** The axes and lengths of an n-dimensional transform (numpy's s and axes rules). */
function plan(what: string, ndim: number, shape: readonly number[], s: readonly number[] | null, axes: readonly number[] | null): [number[], (number | null)[]] {
  let ax: number[];
  if (axes !== null) ax = axes.map((a) => axisOf(what, a, ndim, shape));
  else if (s !== null) ax = s.map((_, i) => ndim - s.length + i);
  else ax = [...shape.keys()];
  if (s !== null && s.length !== ax.length) throw new LocatedError(`${what}: s and axes have different lengths (${s.length} and ${ax.length})`);
  return [ax, ax.map((_, i) => (s ? s[i]! : null))];
}

export function fftn(a: ComplexLike, s: readonly number[] | null = null, axes: readonly number[] | null = null, norm: Norm = null): ComplexArray {
  const [re] = parts(a);
  const [ax, ns] = plan("fftn", re.ndim, re.shape, s, axes);
  let z: ComplexLike = a;
  ax.forEach((axis, i) => { z = fft(z, ns[i], axis, norm); });
  return z instanceof ComplexArray ? z : new ComplexArray(re, l.zerosLike(re));
}
export function ifftn(a: ComplexLike, s: readonly number[] | null = null, axes: readonly number[] | null = null, norm: Norm = null): ComplexArray {
  const [re] = parts(a);
  const [ax, ns] = plan("ifftn", re.ndim, re.shape, s, axes);
  let z: ComplexLike = a;
  ax.forEach((axis, i) => { z = ifft(z, ns[i], axis, norm); });
  return z instanceof ComplexArray ? z : new ComplexArray(re, l.zerosLike(re));
}
export const fft2 = (a: ComplexLike, s: readonly number[] | null = null, axes: readonly number[] = [-2, -1], norm: Norm = null) => fftn(a, s, axes, norm);
export const ifft2 = (a: ComplexLike, s: readonly number[] | null = null, axes: readonly number[] = [-2, -1], norm: Norm = null) => ifftn(a, s, axes, norm);

/** rfftn: rfft over the last axis, then fft over the others. */
export function rfftn(a: ArrayLike, s: readonly number[] | null = null, axes: readonly number[] | null = null, norm: Norm = null): ComplexArray {
  const [re] = parts(a);
  const [ax, ns] = plan("rfftn", re.ndim, re.shape, s, axes);
  let z = rfft(re, ns[ns.length - 1], ax[ax.length - 1], norm);
  for (let i = 0; i < ax.length - 1; i++) z = fft(z, ns[i], ax[i], norm);
  return z;
}
/** irfftn: ifft over all but the last axis, then irfft over the last. */
export function irfftn(a: ComplexLike, s: readonly number[] | null = null, axes: readonly number[] | null = null, norm: Norm = null): DeviceArray {
  const [re] = parts(a);
  const [ax, ns] = plan("irfftn", re.ndim, re.shape, s, axes);
  let z: ComplexLike = a;
  for (let i = 0; i < ax.length - 1; i++) z = ifft(z, ns[i], ax[i], norm);
  return irfft(z, ns[ns.length - 1], ax[ax.length - 1], norm);
}
export const rfft2 = (a: ArrayLike, s: readonly number[] | null = null, axes: readonly number[] = [-2, -1], norm: Norm = null) => rfftn(a, s, axes, norm);
export const irfft2 = (a: ComplexLike, s: readonly number[] | null = null, axes: readonly number[] = [-2, -1], norm: Norm = null) => irfftn(a, s, axes, norm);

/** Sample frequencies: [0, 1, ..., ceil(n/2) - 1, -floor(n/2), ..., -1] / (d n). */
export function fftfreq(n: number, d = 1.0, dtype: "float32" | "float64" | null = null): DeviceArray {
  const v = Float64Array.from({ length: n }, (_, i) => (i < Math.ceil(n / 2) ? i : i - n) / (d * n));
  return l.convert(asArray(v), dtype ?? asArray(1.5).dtype);
}
export function rfftfreq(n: number, d = 1.0, dtype: "float32" | "float64" | null = null): DeviceArray {
  const v = Float64Array.from({ length: Math.floor(n / 2) + 1 }, (_, i) => i / (d * n));
  return l.convert(asArray(v), dtype ?? asArray(1.5).dtype);
}

function shiftBy(what: string, x: ComplexLike, axes: number | readonly number[] | null, sign: 1 | -1): any {
  if (x instanceof ComplexArray) return new ComplexArray(shiftBy(what, x.real, axes, sign), shiftBy(what, x.imag, axes, sign));
  let a = asArray(x);
  const list = axes === null || axes === undefined ? [...a.shape.keys()] : typeof axes === "number" ? [axes] : [...axes];
  for (const axis of list) {
    const ax = axisOf(what, axis, a.ndim, a.shape);
    const n = a.shape[ax]!;
    a = roll(a, sign > 0 ? Math.floor(n / 2) : -Math.floor(n / 2), ax);
  }
  return a;
}
/** Moves the zero frequency to the center (numpy's fftshift); ComplexArray inputs shift both parts. */
export function fftshift<T extends ComplexLike>(x: T, axes: number | readonly number[] | null = null): T extends ComplexArray ? ComplexArray : DeviceArray {
  return shiftBy("fftshift", x, axes, 1);
}
export function ifftshift<T extends ComplexLike>(x: T, axes: number | readonly number[] | null = null): T extends ComplexArray ? ComplexArray : DeviceArray {
  return shiftBy("ifftshift", x, axes, -1);
}

export const fftNamespace = { fft, ifft, fft2, ifft2, fftn, ifftn, rfft, irfft, rfft2, irfft2, rfftn, irfftn, hfft, ihfft, fftfreq, rfftfreq, fftshift, ifftshift, ComplexArray };
