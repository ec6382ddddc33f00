import type { DeviceArray } from "../array.js";
import * as l from "../lax/primitives.js";
import { asArray } from "./convert.js";

/**
 * The complex 1-D DFT along the last axis in O(n log n), built from the engine's primitives
 * (reshape, transpose, slice, pad, concatenate, elementwise products with host-computed
 * twiddles, and a small matmul at the leaves), so that it differentiates, batches, compiles and
 * runs on every backend with the existing rules: every step is linear in the input.
 *
 * - n <= DIRECT_MAX: the DFT matrix (a matmul; cheapest at small n, and exact to rounding);
 * - n a power of two: radix-2 Cooley-Tukey, decimation in time. Each level splits even and odd
 *   samples into a new axis and recurses once on both together, so there are log2(n) levels of
 *   a few whole-array ops each, not n calls;
 * - other n: Bluestein's chirp-z: the DFT as a convolution with the chirp exp(i pi j^2 / n),
 *   done by radix-2 transforms of length M = 2^ceil(log2(2n - 1)); the chirp's transform is a
 *   constant computed on the host in float64.
 *
 * A part `im` of null stands for a real input (an imaginary part of zeros, never materialized).
 * Twiddles are computed in float64 with the angle's integer factor reduced first (j k mod n,
 * j^2 mod 2n), so their error does not grow with n.
 */
export type Parts = [DeviceArray, DeviceArray | null];

const DIRECT_MAX = 64, RADIX_BASE = 16;

/** Forward (e^{-2 pi i jk/n}) or inverse (e^{+...}, unscaled) transform along the last axis. */
export function transformLast(re: DeviceArray, im: DeviceArray | null, inverse: boolean): [DeviceArray, DeviceArray] {
  if (!inverse) return complete(forward(re, im));
  // The inverse is the conjugate of the forward transform of the conjugate.
  const [r, i] = complete(forward(re, im && l.neg(im)));
  return [r, l.neg(i)];
}

function complete([re, im]: Parts): [DeviceArray, DeviceArray] { return [re, im ?? l.zerosLike(re)]; }

const lastDim = (x: DeviceArray) => x.shape[x.ndim - 1]!;
const isPow2 = (n: number) => (n & (n - 1)) === 0;

function forward(re: DeviceArray, im: DeviceArray | null): Parts {
  const n = lastDim(re);
  if (n <= DIRECT_MAX) return direct(re, im);
  return isPow2(n) ? radix2(re, im) : bluestein(re, im);
}

/** A float64 host table as an array of x's dtype with the given shape. */
function constant(v: Float64Array, shape: readonly number[], like: DeviceArray): DeviceArray {
  return l.convert(l.reshape(asArray(v), [...shape]), like.dtype);
}
/** A length-k table broadcast along x's last axis. */
const alongLast = (t: DeviceArray, x: DeviceArray) => l.broadcastInDim(t, x.shape, [x.ndim - 1]);

/** (ar + i ai)(br + i bi), the second factor's parts already shaped like the first. */
function cmul(ar: DeviceArray, ai: DeviceArray | null, br: DeviceArray, bi: DeviceArray): Parts {
  if (!ai) return [l.mul(ar, br), l.mul(ar, bi)];
  return [l.sub(l.mul(ar, br), l.mul(ai, bi)), l.add(l.mul(ar, bi), l.mul(ai, br))];
}

/** x (last axis) times a [n, n] matrix. */
const matLast = (x: DeviceArray, m: DeviceArray) => l.dotGeneral(x, m, { contract: [[x.ndim - 1], [0]], batch: [[], []] });

/** The DFT matrix product: Re = r C + i S, Im = i C - r S with C, S = cos, sin(2 pi jk / n). */
function direct(re: DeviceArray, im: DeviceArray | null): Parts {
  const n = lastDim(re);
  const c = new Float64Array(n * n), s = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) {
    const t = (2 * Math.PI * ((j * k) % n)) / n;
    c[j * n + k] = Math.cos(t); s[j * n + k] = Math.sin(t);
  }
  const C = constant(c, [n, n], re), S = constant(s, [n, n], re);
  const rC = matLast(re, C), rS = matLast(re, S);
  if (!im) return [rC, l.neg(rS)];
  return [l.add(rC, matLast(im, S)), l.sub(matLast(im, C), rS)];
}

/** [..., n] -> [..., 2, n/2]: even samples in row 0, odd in row 1. */
function splitEvenOdd(x: DeviceArray): DeviceArray {
  const lead = x.shape.slice(0, -1), n = lastDim(x), nd = x.ndim;
  const pairs = l.reshape(x, [...lead, n / 2, 2]);
  return l.transpose(pairs, [...lead.keys(), nd, nd - 1]);
}
/** Row `row` of the [..., 2, m] axis, as [..., m]. */
function row(x: DeviceArray, r: number): DeviceArray {
  const nd = x.ndim, m = lastDim(x);
  const start = x.shape.map((_, i) => (i === nd - 2 ? r : 0));
  const limit = x.shape.map((d, i) => (i === nd - 2 ? r + 1 : d));
  return l.reshape(l.slice(x, start, limit), [...x.shape.slice(0, -2), m]);
}

function radix2(re: DeviceArray, im: DeviceArray | null): Parts {
  const n = lastDim(re);
  if (n <= RADIX_BASE) return direct(re, im);
  const m = n / 2;
  const [sr, si] = radix2(splitEvenOdd(re), im && splitEvenOdd(im));
  const er = row(sr, 0), orr = row(sr, 1);
  const ei = si && row(si, 0), oi = si && row(si, 1);
  // X_k = E_k + w^k O_k, X_{k+m} = E_k - w^k O_k, w = e^{-2 pi i / n}.
  const c = new Float64Array(m), s = new Float64Array(m);
  for (let k = 0; k < m; k++) { c[k] = Math.cos((2 * Math.PI * k) / n); s[k] = -Math.sin((2 * Math.PI * k) / n); }
  const [tr, ti] = cmul(orr, oi, alongLast(constant(c, [m], re), orr), alongLast(constant(s, [m], re), orr));
  const ax = er.ndim - 1;
  const outRe = l.concatenate([l.add(er, tr), l.sub(er, tr)], ax);
  const outIm = l.concatenate(ei ? [l.add(ei, ti!), l.sub(ei, ti!)] : [ti!, l.neg(ti!)], ax);
  return [outRe, outIm];
}

function bluestein(re: DeviceArray, im: DeviceArray | null): Parts {
  const n = lastDim(re);
  let M = 1;
  while (M < 2 * n - 1) M *= 2;
  // jk = (j^2 + k^2 - (k - j)^2) / 2: X_k = w_k sum_j (x_j w_j) conj(w_{k-j}), w_j = e^{-i pi j^2 / n}.
  const wc = new Float64Array(n), ws = new Float64Array(n);
  for (let j = 0; j < n; j++) { const t = (Math.PI * ((j * j) % (2 * n))) / n; wc[j] = Math.cos(t); ws[j] = -Math.sin(t); }
  const Wr = alongLast(constant(wc, [n], re), re), Wi = alongLast(constant(ws, [n], re), re);
  const [ar, ai] = cmul(re, im, Wr, Wi);
  const pad = (x: DeviceArray) => l.pad(x, l.scalarLike(x, 0), x.shape.map((_, i) => [0, i === x.ndim - 1 ? M - n : 0, 0] as const));
  const [fr, fi] = radix2(pad(ar), pad(ai!));
  const [br, bi] = chirpSpectrum(n, M);
  const [pr, pi] = cmul(fr, fi, alongLast(constant(br, [M], re), fr), alongLast(constant(bi, [M], re), fr));
  // The convolution is the inverse transform of the product (1 / M folded into the chirp's spectrum).
  const [cr, ci] = radix2(pr, l.neg(pi!));
  const keep = (x: DeviceArray) => l.slice(x, x.shape.map(() => 0), x.shape.map((d, i) => (i === x.ndim - 1 ? n : d)));
  return cmul(keep(cr), l.neg(keep(ci!)), Wr, Wi);
}

/** FFT of the chirp b_j = e^{+i pi j^2 / n} laid out circularly in M, divided by M (host, float64). */
const chirps = new Map<string, [Float64Array, Float64Array]>();
function chirpSpectrum(n: number, M: number): [Float64Array, Float64Array] {
  const key = `${n},${M}`;
  const hit = chirps.get(key);
  if (hit) return hit;
  const r = new Float64Array(M), i = new Float64Array(M);
  for (let j = 0; j < n; j++) {
    const t = (Math.PI * ((j * j) % (2 * n))) / n;
    r[j] = Math.cos(t); i[j] = Math.sin(t);
    if (j > 0) { r[M - j] = r[j]!; i[M - j] = i[j]!; }
  }
  hostFft(r, i);
  for (let k = 0; k < M; k++) { r[k]! /= M; i[k]! /= M; }
  if (chirps.size >= 32) chirps.delete(chirps.keys().next().value!);
  chirps.set(key, [r, i]);
  return [r, i];
}

/** In-place iterative radix-2 forward FFT of a power-of-two length on float64 host arrays. */
export function hostFft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) { [re[i], re[j]] = [re[j]!, re[i]!]; [im[i], im[j]] = [im[j]!, im[i]!]; }
  }
  for (let len = 2; len <= n; len *= 2) {
    const half = len / 2;
    for (let k = 0; k < half; k++) {
      const c = Math.cos((2 * Math.PI * k) / len), s = -Math.sin((2 * Math.PI * k) / len);
      for (let b = 0; b < n; b += len) {
        const p = b + k, q = p + half;
        const tr = re[q]! * c - im[q]! * s, ti = re[q]! * s + im[q]! * c;
        re[q] = re[p]! - tr; im[q] = im[p]! - ti;
        re[p] = re[p]! + tr; im[p] = im[p]! + ti;
      }
    }
  }
}
