import type { DeviceArray } from "../array.js";
import * as l from "../lax/primitives.js";
import { scan } from "../lax/control.js";
import { customJvp } from "../api/custom.js";
import { jit } from "../api/jit.js";
import { takeAlongAxis } from "../trace/ad/vjp.js";
import { finfo } from "./dtypes.js";
import { asArray, promoteFloat, type ArrayLike } from "./convert.js";
import { LocatedError, ShapeError } from "./checks.js";
import { diagonal, matmul } from "./linalg.js";
import { eighShape, lstsqShape, pinvShape, qrShape, svdShape } from "../shape/decompositions.js";

/**
 * Matrix decompositions (np.linalg.qr, eigh, svd and what is built on them), composed from
 * existing primitives as the rest of np.linalg is, for the small matrices of examples and tests:
 * - qr: Householder reflections, unrolled over the (static) column count. Differentiated through
 *   the composition (smooth where the matrix has full column rank).
 * - eigh: cyclic Jacobi rotations in one lax.scan over a fixed number of sweeps; svd: one-sided
 *   (Hestenes) Jacobi the same way, which keeps small singular values accurate (no A^T A).
 *   Their derivatives are JAX's analytic JVP rules (eigh_jvp_rule, svd_jvp_rule) attached with
 *   customJvp, so the loop itself is never differentiated; reverse mode transposes the rule.
 * - pinv carries JAX's custom JVP too; lstsq, matrixRank, eigvalsh and the matrix norms
 *   (ord 2, -2, "nuc") are built on these.
 * Batch dimensions lead ([..., m, n]) everywhere, so vmap's batch axis is one more of them.
 */

const mT = (x: DeviceArray) => l.transpose(x, [...x.shape.keys()].map((i, _, a) => (i < a.length - 2 ? i : i === a.length - 2 ? a.length - 1 : a.length - 2)));
const eye = (n: number, dtype: DeviceArray["dtype"]) => l.convert(l.eq(l.iota("int32", [n, n], 0), l.iota("int32", [n, n], 1)), dtype);
const lastTwo = (x: DeviceArray) => [x.shape[x.ndim - 2]!, x.shape[x.ndim - 1]!] as const;
/** x[..., :, None] * y[..., None, :] */
const outer = (x: DeviceArray, y: DeviceArray) => l.mul(l.reshape(x, [...x.shape, 1]), l.reshape(y, [...y.shape.slice(0, -1), 1, y.shape[y.ndim - 1]!]));
/** Sum over the last axis of x * y. */
const dotLast = (x: DeviceArray, y: DeviceArray) => l.reduceSum(l.mul(x, y), [Math.max(x.ndim, y.ndim) - 1]);
const expandLast = (x: DeviceArray, shape: readonly number[]) => l.broadcastInDim(x, shape, [...x.shape.keys()]);
/** Matrix times vector with both batched alike: [..., m, n] x [..., n] -> [..., m]. */
const mv = (A: DeviceArray, x: DeviceArray) => l.reduceSum(l.mul(A, l.broadcastTo(l.reshape(x, [...x.shape.slice(0, -1), 1, x.shape[x.ndim - 1]!]), A.shape)), [A.ndim - 1]);

function matrixArg(op: string, x: ArrayLike, square = false): DeviceArray {
  const a = promoteFloat(x)[0]!;
  if (a.ndim < 2) throw new ShapeError(op, "needs at least 2 dims", [a.shape], `${op}: expected a matrix (or a stack of them), got ${a.aval}`);
  if (square && a.shape[a.ndim - 1] !== a.shape[a.ndim - 2]) {
    throw new ShapeError(op, "last two dims must be square", [a.shape], `${op}: the last two dimensions must be square, got ${a.aval}`);
  }
  return a;
}

/** The (p, q) pairs of `sweeps` cyclic Jacobi sweeps over n indices. */
function rotationPairs(n: number, sweeps: number): [DeviceArray, DeviceArray] {
  const ps: number[] = [], qs: number[] = [];
  for (let s = 0; s < sweeps; s++) for (let p = 0; p < n - 1; p++) for (let q = p + 1; q < n; q++) { ps.push(p); qs.push(q); }
  return [asArray(Int32Array.from(ps)), asArray(Int32Array.from(qs))];
}
/** Enough sweeps for the quadratic convergence of cyclic Jacobi to reach double precision on small matrices. */
const sweepsFor = (n: number) => 6 + Math.ceil(Math.log2(Math.max(n, 2)));

/**
 * The Jacobi rotation J (c on the p and q diagonal, s at (p, q), -s at (q, p)) that zeroes the
 * (p, q) entry for the given t = tan(theta), as a full matrix per batch element.
 */
function rotation(t: DeviceArray, ep: DeviceArray, eq: DeviceArray, n: number): DeviceArray {
  const c = l.rsqrt(l.add(l.square(t), l.scalarLike(t, 1))), s = l.mul(t, c);
  const shape = [...t.shape, n, n];
  const bc = (v: DeviceArray) => l.broadcastInDim(v, shape, [...v.shape.keys()]);
  const epp = outer(ep, ep), eqq = outer(eq, eq), epq = l.sub(outer(ep, eq), outer(eq, ep));
  const I = l.broadcastTo(eye(n, t.dtype), shape);
  return l.add(I, l.add(l.mul(bc(l.sub(c, l.scalarLike(c, 1))), l.broadcastTo(l.add(epp, eqq), shape)), l.mul(bc(s), l.broadcastTo(epq, shape))));
}

/** tan of the rotation angle that zeroes an off-diagonal entry: sgn(z) / (|z| + sqrt(z^2 + 1)) with z = num / (2 den), 0 when den is 0. */
function rotationTangent(num: DeviceArray, den: DeviceArray): DeviceArray {
  const zero = l.eq(den, l.scalarLike(den, 0));
  const z = l.div(num, l.mul(l.scalarLike(den, 2), l.select(zero, l.fullLike(den, 1), den)));
  const sgn = l.select(l.ge(z, l.scalarLike(z, 0)), l.fullLike(z, 1), l.fullLike(z, -1));
  const t = l.div(sgn, l.add(l.abs(z), l.sqrt(l.add(l.square(z), l.scalarLike(z, 1)))));
  return l.select(zero, l.zerosLike(t), t);
}

const unitVector = (p: DeviceArray, n: number, dtype: DeviceArray["dtype"]) => l.convert(l.eq(l.iota("int32", [n], 0), l.broadcastInDim(p, [n], [])), dtype);

/** Eigenvalues (ascending) and eigenvectors (columns) of symmetric matrices by cyclic Jacobi. */
function jacobiEigh(a: DeviceArray): [DeviceArray, DeviceArray] {
  const n = a.shape[a.ndim - 1]!;
  const batch = a.shape.slice(0, -2);
  const V0 = l.broadcastTo(eye(n, a.dtype), a.shape);
  let A = a, V = V0;
  if (n > 1) {
    const [ps, qs] = rotationPairs(n, sweepsFor(n));
    [[A, V]] = scan(([A, V]: [DeviceArray, DeviceArray], [p, q]: [DeviceArray, DeviceArray]) => {
      const ep = unitVector(p, n, a.dtype), eq = unitVector(q, n, a.dtype);
      const Ap = matmul(A, ep), Aq = matmul(A, eq);
      const t = rotationTangent(l.sub(dotLast(Aq, eq), dotLast(Ap, ep)), dotLast(Ap, eq));
      const J = rotation(t, ep, eq, n);
      const carry: [DeviceArray, DeviceArray] = [matmul(mT(J), matmul(A, J)), matmul(V, J)];
      return [carry, []];
    }, [A, V], [ps, qs]);
  }
  const w = diagonal(A!, 0, -2, -1);
  // Ascending order, eigenvectors permuted along.
  const [ws, perm] = l.sort([w, l.iota("int32", [...batch, n], batch.length)], batch.length, 1);
  const vs = takeAlongAxis(V!, l.broadcastInDim(perm!, [...batch, n, n], [...batch.keys(), batch.length + 1]), batch.length + 1);
  return [ws!, vs];
}

const symmetrize = (a: DeviceArray) => l.div(l.add(a, mT(a)), l.scalarLike(a, 2));

// The iterations are compiled once per shape and dtype (jit's cache): eager calls reuse them.
const jacobiEighJit = jit((a: DeviceArray) => jacobiEigh(symmetrize(a)));
const eighRule = customJvp(function eigh(a: DeviceArray) { return jacobiEighJit(a) as [DeviceArray, DeviceArray]; })
  .defjvp(([a]: [DeviceArray], [da]: [DeviceArray]) => {
    // JAX's eigh_jvp_rule: dw = diag(V^T dA V), dV = V (F * V^T dA V) with F_ij = 1 / (w_j - w_i), 0 on the diagonal.
    const [w, v] = eighRule(a) as [DeviceArray, DeviceArray];
    const n = a.shape[a.ndim - 1]!;
    const vdv = matmul(mT(v!), matmul(symmetrize(da), v!));
    const I = l.broadcastTo(eye(n, a.dtype), vdv.shape);
    const diff = l.sub(l.reshape(w!, [...w!.shape.slice(0, -1), 1, n]), l.reshape(w!, [...w!.shape, 1]));
    const F = l.sub(l.reciprocal(l.add(l.broadcastTo(diff, vdv.shape), I)), I);
    return [[w!, v!], [diagonal(vdv, 0, -2, -1), matmul(v!, l.mul(F, vdv))]];
  });

/** np.linalg.eigh: [eigenvalues ascending, eigenvectors as columns] of (the symmetric part of) a. */
export function eigh(x: ArrayLike, UPLO: "L" | "U" = "L", symmetrizeInput = true): [DeviceArray, DeviceArray] {
  let a = matrixArg("eigh", x, true);
  eighShape(a.shape);
  if (!symmetrizeInput) a = triangleToSymmetric(a, UPLO);
  return eighRule(a) as [DeviceArray, DeviceArray];
}
/** The symmetric matrix whose lower (or upper) triangle is a's. */
function triangleToSymmetric(a: DeviceArray, uplo: "L" | "U"): DeviceArray {
  const n = a.shape[a.ndim - 1]!;
  const r = l.iota("int32", [n, n], 0), c = l.iota("int32", [n, n], 1);
  const keep = l.broadcastTo(uplo === "L" ? l.ge(r, c) : l.le(r, c), a.shape);
  const tri = l.select(keep, a, l.zerosLike(a));
  return l.sub(l.add(tri, mT(tri)), l.mul(a, l.broadcastTo(eye(n, a.dtype), a.shape)));
}
export function eigvalsh(x: ArrayLike, UPLO: "L" | "U" = "L"): DeviceArray {
  return eigh(x, UPLO)[0];
}

/** Householder QR of a [..., m, n]: Q [..., m, m] (complete) and R [..., m, n]. */
function householder(a: DeviceArray): [DeviceArray, DeviceArray] {
  const [m, n] = lastTwo(a);
  const batch = a.shape.slice(0, -2);
  let R = a, Q = l.broadcastTo(eye(m, a.dtype), [...batch, m, m]);
  const rows = l.iota("int32", [m], 0);
  for (let k = 0; k < Math.min(m - 1, n); k++) {
    // x = R[k:, k] (zeros above k), v = x - alpha e_k with alpha = -sign(x_k) |x| (LAPACK's choice), normalized.
    const below = l.convert(l.ge(rows, l.scalarLike(rows, k)), a.dtype);
    const ek = l.convert(l.eq(rows, l.scalarLike(rows, k)), a.dtype);
    const col = l.reshape(l.slice(R, [...batch.map(() => 0), 0, k], [...batch, m, k + 1]), [...batch, m]);
    const x = l.mul(col, l.broadcastTo(below, col.shape));
    const xk = dotLast(x, l.broadcastTo(ek, x.shape));
    const norm = l.sqrt(dotLast(x, x));
    const alpha = l.mul(l.neg(l.select(l.ge(xk, l.scalarLike(xk, 0)), l.fullLike(xk, 1), l.fullLike(xk, -1))), norm);
    let v = l.sub(x, l.mul(expandLast(alpha, x.shape), l.broadcastTo(ek, x.shape)));
    const vn = l.sqrt(dotLast(v, v));
    const zero = l.eq(vn, l.scalarLike(vn, 0));
    v = l.div(v, expandLast(l.select(zero, l.fullLike(vn, 1), vn), v.shape));
    // R -= 2 v (v^T R); Q -= 2 (Q v) v^T
    const two = l.scalarLike(v, 2);
    R = l.sub(R, l.mul(two, outer(v, l.reshape(matmul(l.reshape(v, [...batch, 1, m]), R), [...batch, n]))));
    Q = l.sub(Q, l.mul(two, outer(mv(Q, v), v)));
  }
  // Exact zeros below the diagonal.
  const lower = l.gt(l.iota("int32", [m, n], 0), l.iota("int32", [m, n], 1));
  R = l.select(l.broadcastTo(lower, R.shape), l.zerosLike(R), R);
  return [Q, R];
}

/** np.linalg.qr: mode "reduced" (default) [Q m×k, R k×n], "complete" [Q m×m, R m×n], "r" R only (k = min(m, n)). */
export function qr(x: ArrayLike, mode: "reduced" | "complete" | "r" = "reduced"): [DeviceArray, DeviceArray] | DeviceArray {
  const a = matrixArg("qr", x);
  if (!["reduced", "complete", "r"].includes(mode)) throw new LocatedError(`qr: mode must be "reduced", "complete" or "r", got ${JSON.stringify(mode)}`);
  qrShape(a.shape, mode);
  const [m, n] = lastTwo(a);
  const k = Math.min(m, n);
  const [Q, R] = householder(a);
  const batch = a.shape.slice(0, -2), z = batch.map(() => 0);
  const Rk = mode === "complete" ? R : l.slice(R, [...z, 0, 0], [...batch, k, n]);
  if (mode === "r") return Rk;
  return [mode === "complete" ? Q : l.slice(Q, [...z, 0, 0], [...batch, m, k]), Rk];
}

/** One-sided Jacobi SVD of a [..., m, n] with m >= n: [U (m×n, orthonormal columns), s (descending), V (n×n)]. */
function jacobiSvd(a: DeviceArray): [DeviceArray, DeviceArray, DeviceArray] {
  const [m, n] = lastTwo(a);
  const batch = a.shape.slice(0, -2);
  let W = a, V = l.broadcastTo(eye(n, a.dtype), [...batch, n, n]);
  if (n > 1) {
    const [ps, qs] = rotationPairs(n, sweepsFor(n));
    [[W, V]] = scan(([W, V]: [DeviceArray, DeviceArray], [p, q]: [DeviceArray, DeviceArray]) => {
      const ep = unitVector(p, n, a.dtype), eq = unitVector(q, n, a.dtype);
      const wp = matmul(W, ep), wq = matmul(W, eq);
      const t = rotationTangent(l.sub(dotLast(wq, wq), dotLast(wp, wp)), dotLast(wp, wq));
      const J = rotation(t, ep, eq, n);
      const carry: [DeviceArray, DeviceArray] = [matmul(W, J), matmul(V, J)];
      return [carry, []];
    }, [W, V], [ps, qs]);
  }
  const s = l.sqrt(l.reduceSum(l.square(W!), [batch.length]));
  const [negS, perm] = l.sort([l.neg(s), l.iota("int32", [...batch, n], batch.length)], batch.length, 1);
  const sorted = l.neg(negS!);
  const idx = (rows: number) => l.broadcastInDim(perm!, [...batch, rows, n], [...batch.keys(), batch.length + 1]);
  const Ws = takeAlongAxis(W!, idx(m), batch.length + 1), Vs = takeAlongAxis(V!, idx(n), batch.length + 1);
  // Columns of zero singular value are left zero here and completed by the caller.
  const tiny = l.le(sorted, l.mul(l.broadcastInDim(l.reduceMax(sorted, [batch.length]), sorted.shape, [...batch.keys()]), l.scalarLike(sorted, finfo(a.dtype).eps * m)));
  const safe = l.select(tiny, l.fullLike(sorted, 1), sorted);
  const U = l.select(l.broadcastTo(l.reshape(tiny, [...batch, 1, n]), Ws.shape), l.zerosLike(Ws), l.div(Ws, l.reshape(safe, [...batch, 1, n])));
  return [U, sorted, Vs];
}

/** Orthonormal completion: [U_thin | more columns] (m×m) whose first n columns are U's nonzero columns. */
function completeBasis(U: DeviceArray): DeviceArray {
  const [Q, R] = householder(U);
  const [m, n] = lastTwo(U);
  const batch = U.shape.slice(0, -2);
  // Q's first n columns are U's up to sign(R_jj); undo the sign (zero columns of U take Q's column as it is).
  const d = diagonal(l.slice(R, [...batch.map(() => 0), 0, 0], [...batch, n, n]), 0, -2, -1);
  const sgn = l.select(l.lt(d, l.scalarLike(d, 0)), l.fullLike(d, -1), l.fullLike(d, 1));
  const signs = l.concatenate([sgn, l.broadcastTo(l.scalarLike(sgn, 1), [...batch, m - n])], batch.length);
  return l.mul(Q, l.reshape(signs, [...batch, 1, m]));
}

/** Thin SVD [U m×k, s, Vh k×n] of any [..., m, n]. */
function svdThinRaw(a: DeviceArray): [DeviceArray, DeviceArray, DeviceArray] {
  const [m, n] = lastTwo(a);
  if (m < n) {
    const [u, s, vh] = svdThinRaw(mT(a));
    return [mT(vh), s, mT(u)];
  }
  const [U, s, V] = jacobiSvd(a);
  // Fill the columns of zero singular values with an orthonormal completion.
  const full = completeBasis(U);
  const batch = a.shape.slice(0, -2);
  return [l.slice(full, [...batch.map(() => 0), 0, 0], [...batch, m, n]), s, mT(V)];
}

const svdThinJit = jit((a: DeviceArray) => svdThinRaw(a));
const svdRule = customJvp(function svd(a: DeviceArray) { return svdThinJit(a) as [DeviceArray, DeviceArray, DeviceArray]; })
  .defjvp(([a]: [DeviceArray], [da]: [DeviceArray]) => {
    // JAX's svd_jvp_rule (thin SVD).
    const [U, s, Vh] = svdRule(a) as [DeviceArray, DeviceArray, DeviceArray];
    const Ut = mT(U!), V = mT(Vh!);
    const k = s!.shape[s!.ndim - 1]!;
    const sRow = l.reshape(s!, [...s!.shape.slice(0, -1), 1, k]), sCol = l.reshape(s!, [...s!.shape, 1]);
    const dS = matmul(matmul(Ut, da), V);
    const ds = diagonal(dS, 0, -2, -1);
    const I = l.broadcastTo(eye(k, a.dtype), dS.shape);
    const sDiffs = l.mul(l.add(l.broadcastTo(sRow, dS.shape), l.broadcastTo(sCol, dS.shape)), l.sub(l.broadcastTo(sRow, dS.shape), l.broadcastTo(sCol, dS.shape)));
    const F = l.sub(l.reciprocal(l.add(sDiffs, I)), I);
    const dSS = l.mul(l.broadcastTo(sRow, dS.shape), dS), SdS = l.mul(l.broadcastTo(sCol, dS.shape), dS);
    const sZeros = l.convert(l.eq(s!, l.scalarLike(s!, 0)), s!.dtype);
    const sInv = l.sub(l.reciprocal(l.add(s!, sZeros)), sZeros);
    const sInvMat = l.mul(I, l.broadcastTo(l.reshape(sInv, [...sInv.shape, 1]), I.shape));
    const dUdVdiag = l.mul(l.mul(l.scalarLike(dS, 0.5), l.sub(dS, mT(dS))), sInvMat);
    let dU = matmul(U!, l.add(l.mul(F, l.add(dSS, mT(dSS))), dUdVdiag));
    let dV = matmul(V, l.mul(F, l.add(SdS, mT(SdS))));
    const [m, n] = lastTwo(a);
    if (m > n) {
      const dAV = matmul(da, V);
      dU = l.add(dU, l.div(l.sub(dAV, matmul(U!, matmul(Ut, dAV))), l.broadcastTo(sRow, dAV.shape)));
    }
    if (n > m) {
      const dAHU = matmul(mT(da), U!);
      dV = l.add(dV, l.div(l.sub(dAHU, matmul(V, matmul(Vh!, dAHU))), l.broadcastTo(sRow, dAHU.shape)));
    }
    return [[U!, s!, Vh!], [dU, ds, mT(dV)]];
  });

const svdvalsRule = customJvp(function svdvals(a: DeviceArray) { return svdThinJit(a)[1] as DeviceArray; })
  .defjvp(([a]: [DeviceArray], [da]: [DeviceArray]) => {
    const [U, s, Vh] = svdRule(a) as [DeviceArray, DeviceArray, DeviceArray];
    return [s!, diagonal(matmul(matmul(mT(U!), da), mT(Vh!)), 0, -2, -1)];
  });

const svdFullRule = customJvp(function svdFull(a: DeviceArray) {
  const [m, n] = lastTwo(a);
  const [U, s, Vh] = svdThinJit(a) as [DeviceArray, DeviceArray, DeviceArray];
  return m >= n ? [completeBasis(U), s, Vh] : [U, s, mT(completeBasis(mT(Vh)))];
}).defjvp(() => {
  throw new LocatedError("svd: differentiation with fullMatrices=true is not supported (as in JAX): pass fullMatrices: false, or use svdvals");
});

/** np.linalg.svd: [U, S, Vh] (S descending); S alone with computeUv false. */
export function svd(x: ArrayLike, fullMatrices = true, computeUv = true, hermitian = false): [DeviceArray, DeviceArray, DeviceArray] | DeviceArray {
  const a = matrixArg("svd", x);
  svdShape(a.shape, fullMatrices, computeUv);
  void hermitian;
  const [m, n] = lastTwo(a);
  if (!computeUv) return svdvalsRule(a) as DeviceArray;
  if (fullMatrices && m !== n) return svdFullRule(a) as [DeviceArray, DeviceArray, DeviceArray];
  return svdRule(a) as [DeviceArray, DeviceArray, DeviceArray];
}
export function svdvals(x: ArrayLike): DeviceArray {
  return svdvalsRule(matrixArg("svdvals", x)) as DeviceArray;
}

const defaultRtol = (a: DeviceArray) => { const [m, n] = lastTwo(a); return 10 * Math.max(m, n) * finfo(a.dtype).eps; };

/** V diag(1/s for s > cutoff) U^T. */
function pinvRaw(a: DeviceArray, rtol: number): DeviceArray {
  const [U, s, Vh] = svdThinJit(a) as [DeviceArray, DeviceArray, DeviceArray];
  const batch = a.shape.slice(0, -2);
  const cutoff = l.mul(l.reduceMax(s, [batch.length]), l.scalarLike(s, rtol));
  const keep = l.gt(s, l.broadcastInDim(cutoff, s.shape, [...batch.keys()]));
  const sInv = l.select(keep, l.reciprocal(l.select(keep, s, l.fullLike(s, 1))), l.zerosLike(s));
  const k = s.shape[s.ndim - 1]!;
  return matmul(l.mul(mT(Vh), l.reshape(sInv, [...batch, 1, k])), mT(U));
}
const pinvRule = customJvp(function pinv(rtol: number, a: DeviceArray) { return pinvRaw(a, rtol); }, { nondiffArgnums: [0] })
  .defjvp((rtol: number, [a]: [DeviceArray], [da]: [DeviceArray]) => {
    // JAX's pinv JVP: dp = -p dA p + (I - p a) dA^T p^T p + p p^T dA^T (I - a p).
    const p = pinvRule(rtol, a) as DeviceArray;
    const [m, n] = lastTwo(a);
    const Im = l.broadcastTo(eye(m, a.dtype), [...a.shape.slice(0, -2), m, m]), In = l.broadcastTo(eye(n, a.dtype), [...a.shape.slice(0, -2), n, n]);
    const pT = mT(p), daT = mT(da);
    const t1 = l.neg(matmul(matmul(p, da), p));
    const t2 = matmul(matmul(matmul(l.sub(In, matmul(p, a)), daT), pT), p);
    const t3 = matmul(matmul(matmul(p, pT), daT), l.sub(Im, matmul(a, p)));
    return [p, l.add(t1, l.add(t2, t3))];
  });

/** np.linalg.pinv: the pseudo-inverse; singular values at most rtol * max(s) count as zero (JAX's default rtol 10 * max(m, n) * eps). */
export function pinv(x: ArrayLike, rtol: number | null = null, hermitian = false): DeviceArray {
  const a = matrixArg("pinv", x);
  pinvShape(a.shape);
  void hermitian;
  return pinvRule(rtol ?? defaultRtol(a), a) as DeviceArray;
}

/** np.linalg.matrixRank: the number of singular values above tol (default max(s) * max(m, n) * eps). */
export function matrixRank(x: ArrayLike, rtol: number | null = null, tol: number | null = null): DeviceArray {
  const a = promoteFloat(x)[0]!;
  if (a.ndim < 2) return l.convert(l.gt(l.reduceMax(l.abs(a), [...a.shape.keys()]), l.scalarLike(a, 0)), "int32");
  const s = l.stopGradient((svdThinJit(a) as DeviceArray[])[1]!);
  const ax = s.ndim - 1;
  const [m, n] = lastTwo(a);
  const smax = l.broadcastInDim(l.reduceMax(s, [ax]), s.shape, [...s.shape.keys()].slice(0, -1));
  const thresh = tol !== null ? l.fullLike(s, tol) : l.mul(smax, l.scalarLike(s, rtol ?? Math.max(m, n) * finfo(a.dtype).eps));
  return l.reduceSum(l.convert(l.gt(s, thresh), "int32"), [ax]);
}

/**
 * np.linalg.lstsq: [x, residuals, rank, s]. x minimizes |a x - b| (minimum norm where a is
 * rank-deficient), through the pseudo-inverse with cutoff rcond * max(s) (default eps * max(m, n), numpy's).
 * residuals are JAX's (numpy_resid=False): the squared residual norms per column of b, always computed.
 */
export function lstsq(x: ArrayLike, y: ArrayLike, rcond: number | null = null): [DeviceArray, DeviceArray, DeviceArray, DeviceArray] {
  const a = matrixArg("lstsq", x);
  if (a.ndim !== 2) throw new ShapeError("lstsq", "a must be 2-D", [a.shape], `lstsq: a must be a 2-D matrix, got ${a.aval}`);
  let b = l.convert(asArray(y), a.dtype);
  const [m, n] = lastTwo(a);
  const vec = b.ndim === 1;
  if (vec) b = l.reshape(b, [m, 1]);
  lstsqShape(a.shape, b.shape);
  const r = rcond ?? finfo(a.dtype).eps * Math.max(m, n);
  const p = pinvRule(r, a) as DeviceArray;
  const sol = matmul(p, b);
  const resid = l.reduceSum(l.square(l.sub(matmul(a, sol), b)), [0]);
  const s = svdvalsRule(a) as DeviceArray;
  const rank = matrixRank(a, null, null);
  return [vec ? l.reshape(sol, [n]) : sol, vec ? l.reshape(resid, []) : resid, rank, s];
}

/** Matrix norms over two axes (moved last): ord 1, -1, inf, -inf, 2, -2, "fro", "nuc". */
export function matrixNormOf(a: DeviceArray, ord: number | "fro" | "nuc" | null, rowAxis: number, colAxis: number): DeviceArray {
  const absSum = (over: number) => l.reduceSum(l.abs(a), [over]);
  const other = (over: number, keep: number) => (keep > over ? keep - 1 : keep);
  switch (ord) {
    case null: case "fro": return l.sqrt(l.reduceSum(l.square(a), [rowAxis, colAxis]));
    case 1: return l.reduceMax(absSum(rowAxis), [other(rowAxis, colAxis)]);
    case -1: return l.reduceMin(absSum(rowAxis), [other(rowAxis, colAxis)]);
    case Infinity: return l.reduceMax(absSum(colAxis), [other(colAxis, rowAxis)]);
    case -Infinity: return l.reduceMin(absSum(colAxis), [other(colAxis, rowAxis)]);
    case 2: case -2: case "nuc": {
      const rest = [...a.shape.keys()].filter((i) => i !== rowAxis && i !== colAxis);
      const s = svdvalsRule(l.transpose(a, [...rest, rowAxis, colAxis])) as DeviceArray;
      const ax = s.ndim - 1;
      return ord === 2 ? l.reduceMax(s, [ax]) : ord === -2 ? l.reduceMin(s, [ax]) : l.reduceSum(s, [ax]);
    }
    default: throw new LocatedError(`norm: invalid ord ${String(ord)} for a matrix norm (1, -1, 2, -2, inf, -inf, "fro", "nuc")`);
  }
}
