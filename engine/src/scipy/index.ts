import type { DeviceArray } from "../array.js";
import * as l from "../lax/primitives.js";
import { erf as laxErf, erfInv, lgamma, digamma } from "../lax/extra.js";
import { customJvp } from "../api/custom.js";
import { asArray, promote, promoteFloat, type ArrayLike } from "../numpy/convert.js";
import { LocatedError, ShapeError } from "../numpy/checks.js";
import { logsumexp } from "../numpy/reductions.js";
import { cholesky } from "../numpy/linalg-ns.js";

/**
 * jax.scipy essentials: special functions (xlogy and xlog1py carry JAX's custom JVPs, so
 * their derivative at x = 0 is finite), triangular and Cholesky solves (row-by-row substitution,
 * unrolled over the static matrix size like the rest of np.linalg, differentiated through the
 * composition), and the normal distribution of jax.scipy.stats.norm.
 */
const f = (x: ArrayLike) => promoteFloat(x)[0]!;
const pair = (x: ArrayLike, y: ArrayLike) => { const [a, b] = promote(f(x), f(y)) as [DeviceArray, DeviceArray]; const s = l.broadcastTo(a, broadcastShape(a.shape, b.shape)); return [s, l.broadcastTo(b, s.shape)] as const; };
function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => {
    const x = a[a.length - n + i] ?? 1, y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new ShapeError("broadcast", "incompatible shapes", [a, b], `cannot broadcast [${a}] with [${b}]`);
    return x === 1 ? y : x;
  });
}

// x * log(y), 0 where x == 0 (even where y == 0). The JVP is JAX's (tx log y + ty x / y) with the
// 0 * inf terms at x = 0 taken as 0, so the derivative stays finite there. The tangent part uses
// plain ops only (it must be linear in the tangents: reverse mode transposes it).
function xlogRule(name: string, logOf: (y: DeviceArray) => DeviceArray, dlog: (y: DeviceArray) => DeviceArray) {
  // Named, so the custom_jvp_call equation says which function it is.
  const primal = { [name]: (x: DeviceArray, y: DeviceArray) => {
    const z = l.mul(x, logOf(y));
    return l.select(l.eq(x, l.scalarLike(x, 0)), l.zerosLike(z), z);
  } }[name]!;
  return customJvp(primal).defjvp(([x, y]: [DeviceArray, DeviceArray], [tx, ty]: [DeviceArray, DeviceArray]) => {
    const zero = l.eq(x, l.scalarLike(x, 0));
    const lg = logOf(y);
    const dx = l.select(l.and(zero, l.not(l.unary("is_finite")(lg))), l.zerosLike(lg), lg);
    const ratio = l.mul(x, dlog(y));
    const dy = l.select(zero, l.zerosLike(ratio), ratio);
    return [primal(x, y), l.add(l.mul(tx, dx), l.mul(ty, dy))];
  });
}
const xlogyRule = xlogRule("xlogy", l.log, l.reciprocal);
const xlog1pyRule = xlogRule("xlog1py", l.unary("log1p"), (y) => l.reciprocal(l.add(y, l.scalarLike(y, 1))));

export const special = {
  gammaln: (x: ArrayLike) => lgamma(f(x)),
  digamma: (x: ArrayLike) => digamma(f(x)),
  erf: (x: ArrayLike) => laxErf(f(x)),
  erfc: (x: ArrayLike) => l.unary("erfc")(f(x)),
  erfinv: (x: ArrayLike) => erfInv(f(x)),
  expit: (x: ArrayLike) => l.logistic(f(x)),
  logit: (x: ArrayLike) => { const a = f(x); return l.log(l.div(a, l.sub(l.scalarLike(a, 1), a))); },
  xlogy: (x: ArrayLike, y: ArrayLike) => { const [a, b] = pair(x, y); return xlogyRule(a, b) as DeviceArray; },
  xlog1py: (x: ArrayLike, y: ArrayLike) => { const [a, b] = pair(x, y); return xlog1pyRule(a, b) as DeviceArray; },
  /** log(Phi(x)), the log of the standard normal CDF, accurate in the left tail. */
  logNdtr: (x: ArrayLike) => normLogcdf(f(x)),
  ndtr: (x: ArrayLike) => normCdf(f(x)),
  ndtri: (p: ArrayLike) => normPpf(f(p)),
  logsumexp,
};

function normCdf(x: DeviceArray): DeviceArray {
  // 0.5 erfc(-x / sqrt2): accurate in the left tail, where 0.5 (1 + erf) cancels.
  return l.mul(l.scalarLike(x, 0.5), l.unary("erfc")(l.mul(x, l.scalarLike(x, -Math.SQRT1_2))));
}
function normLogcdf(x: DeviceArray): DeviceArray {
  // Far in the left tail log(Phi(x)) ~ -x^2/2 - log(-x) - log(sqrt(2 pi)) + log(1 - 1/x^2 + 3/x^4 - 15/x^6): erfc underflows there.
  const tail = l.lt(x, l.scalarLike(x, -20));
  const safe = l.select(tail, x, l.fullLike(x, -20));
  const x2 = l.square(safe), inv2 = l.reciprocal(x2);
  const series = l.add(l.scalarLike(x, 1), l.mul(inv2, l.add(l.scalarLike(x, -1), l.mul(inv2, l.add(l.scalarLike(x, 3), l.mul(inv2, l.scalarLike(x, -15)))))));
  const asym = l.sub(l.sub(l.mul(x2, l.scalarLike(x, -0.5)), l.log(l.neg(safe))), l.sub(l.scalarLike(x, 0.5 * Math.log(2 * Math.PI)), l.log(series)));
  const direct = l.log(normCdf(l.select(tail, l.fullLike(x, 0), x)));
  return l.select(tail, asym, direct);
}
function normPpf(p: DeviceArray): DeviceArray {
  // sqrt2 erfinv(2p - 1) loses digits to the cancellation in 2p - 1 near 0 and 1: two Newton
  // steps on ndtr (accurate in both tails through erfc) restore them.
  let x = l.mul(l.scalarLike(p, Math.SQRT2), erfInv(l.sub(l.mul(l.scalarLike(p, 2), p), l.scalarLike(p, 1))));
  const finite = l.and(l.gt(p, l.scalarLike(p, 0)), l.lt(p, l.scalarLike(p, 1)));
  for (let k = 0; k < 2; k++) {
    const safe = l.select(finite, x, l.zerosLike(x));
    const upper = l.gt(p, l.scalarLike(p, 0.5));
    // In the upper half, step on the survival function (1 - p is exact there as sf is small).
    const err = l.select(upper, l.sub(l.sub(l.scalarLike(p, 1), p), normCdf(l.neg(safe))), l.sub(normCdf(safe), p));
    const pdf = l.mul(l.exp(l.mul(l.square(safe), l.scalarLike(p, -0.5))), l.scalarLike(p, 1 / Math.sqrt(2 * Math.PI)));
    const step = l.div(err, pdf);
    x = l.select(finite, l.select(upper, l.add(safe, step), l.sub(safe, step)), x);
  }
  return x;
}

/** jax.scipy.stats.norm with loc and scale. */
const standardize = (x: ArrayLike, loc: ArrayLike, scale: ArrayLike) => {
  const [a, m] = pair(x, loc);
  const [z, s] = pair(l.sub(a, m), scale);
  return [l.div(z, s), s] as const;
};
export const stats = {
  norm: {
    pdf: (x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) => l.exp(stats.norm.logpdf(x, loc, scale)),
    logpdf: (x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) => {
      const [z, s] = standardize(x, loc, scale);
      return l.sub(l.mul(l.square(z), l.scalarLike(z, -0.5)), l.add(l.log(s), l.scalarLike(z, 0.5 * Math.log(2 * Math.PI))));
    },
    cdf: (x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) => normCdf(standardize(x, loc, scale)[0]),
    logcdf: (x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) => normLogcdf(standardize(x, loc, scale)[0]),
    sf: (x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) => normCdf(l.neg(standardize(x, loc, scale)[0])),
    logsf: (x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) => normLogcdf(l.neg(standardize(x, loc, scale)[0])),
    ppf: (q: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1) => {
      const [p, m] = pair(q, loc);
      const [z, s] = pair(normPpf(p), scale);
      return l.add(l.mul(z, s), l.broadcastTo(m, z.shape));
    },
  },
};

/**
 * solveTriangular(a, b, lower, trans, unitDiagonal): x with op(a) x = b for triangular a (only
 * its lower or upper triangle is read); trans 0 / "N", 1 / "T" (also "C": real arrays).
 * b is [..., n] or [..., n, k]; a's batch dims broadcast with b's.
 */
export function solveTriangular(a: ArrayLike, b: ArrayLike, trans: 0 | 1 | 2 | "N" | "T" | "C" = 0, lower = false, unitDiagonal = false): DeviceArray {
  let A = f(a);
  let B = l.convert(asArray(b), A.dtype);
  if (A.ndim < 2 || A.shape[A.ndim - 1] !== A.shape[A.ndim - 2]) throw new ShapeError("solveTriangular", "a must be square", [A.shape], `solveTriangular: a must be a square matrix (or a stack of them), got ${A.aval}`);
  const n = A.shape[A.ndim - 1]!;
  const vec = B.ndim === A.ndim - 1 || B.ndim === 1;
  if (vec) B = l.reshape(B, [...B.shape, 1]);
  if (B.shape[B.ndim - 2] !== n) throw new ShapeError("solveTriangular", "incompatible shapes", [A.shape, B.shape], `solveTriangular: a ${A.aval} and b with ${B.shape[B.ndim - 2]} rows do not match`);
  const t = trans === 1 || trans === "T" || trans === 2 || trans === "C";
  if (!([0, 1, 2, "N", "T", "C"] as unknown[]).includes(trans)) throw new LocatedError(`solveTriangular: trans must be 0, 1, 2, "N", "T" or "C", got ${String(trans)}`);
  if (t) { A = l.transpose(A, [...A.shape.keys()].map((i, _, arr) => (i < arr.length - 2 ? i : 2 * arr.length - 3 - i))); lower = !lower; }
  const batch = broadcastShape(A.shape.slice(0, -2), B.shape.slice(0, -2));
  A = l.broadcastTo(A, [...batch, n, n]);
  B = l.broadcastTo(B, [...batch, n, B.shape[B.ndim - 1]!]);
  const k = B.shape[B.ndim - 1]!;
  const z = batch.map(() => 0);
  const entry = (i: number, j: number) => l.slice(A, [...z, i, j], [...batch, i + 1, j + 1]);
  const rowOf = (M: DeviceArray, i: number) => l.slice(M, [...z, i, 0], [...batch, i + 1, k]);
  const rows: DeviceArray[] = new Array(n);
  const order = lower ? [...Array(n).keys()] : [...Array(n).keys()].reverse();
  for (const i of order) {
    let r = rowOf(B, i);
    for (const j of order) {
      if (j === i) break;
      r = l.sub(r, l.mul(l.broadcastTo(entry(i, j), r.shape), rows[j]!));
    }
    rows[i] = unitDiagonal ? r : l.div(r, l.broadcastTo(entry(i, i), r.shape));
  }
  const x = l.concatenate(rows, batch.length);
  return vec ? l.reshape(x, x.shape.slice(0, -1)) : x;
}

/** choFactor(a, lower): [c, lower] with c the Cholesky factor (the other triangle zero). */
export function choFactor(a: ArrayLike, lower = false): [DeviceArray, boolean] {
  const L = cholesky(a);
  return [lower ? L : l.transpose(L, [...L.shape.keys()].map((i, _, arr) => (i < arr.length - 2 ? i : 2 * arr.length - 3 - i))), lower];
}
/** choSolve([c, lower], b): x with a x = b, where c is a's Cholesky factor from choFactor. */
export function choSolve(cAndLower: readonly [ArrayLike, boolean], b: ArrayLike): DeviceArray {
  const [c, lower] = cAndLower;
  // a = L L^T: solve L y = b, then L^T x = y (with U = L^T when the factor is upper).
  const y = solveTriangular(c, b, lower ? 0 : 1, lower);
  return solveTriangular(c, y, lower ? 1 : 0, lower);
}

export const linalg = { solveTriangular, choFactor, choSolve, cholesky };
