import type { DeviceArray } from "../array.js";
import * as l from "../lax/primitives.js";
import { bind1 } from "../trace/trace.js";
import { asArray, promoteFloat, type ArrayLike } from "./convert.js";
import { LocatedTypeError, ShapeError } from "./checks.js";
import { cross, diagonal, matmul, outer, tensordot, trace, vecdot } from "./linalg.js";
import { norm } from "./norm.js";
import { matrixTranspose } from "./manipulation.js";
import { eigh, eigvalsh, lstsq, matrixRank, pinv, qr, svd, svdvals } from "./decompositions.js";

/**
 * np.linalg: determinants, solves and inverses by Gaussian elimination with partial pivoting,
 * unrolled over the (static) matrix size, so they trace, differentiate and batch like any
 * other composition. Meant for the small matrices of examples and tests, as jax-js does.
 */

function square(op: string, x: ArrayLike): DeviceArray {
  const a = promoteFloat(x)[0]!;
  if (a.ndim < 2 || a.shape[a.ndim - 1] !== a.shape[a.ndim - 2]) {
    throw new ShapeError(op, "last two dims must be square", [a.shape], `${op}: the last two dimensions must be square, got ${a.aval}`);
  }
  return a;
}
/** Rows r0..r1 (and columns c0..c1) of the last two axes. */
const block = (a: DeviceArray, r0: number, r1: number, c0: number, c1: number) =>
  l.slice(a, [...a.shape.slice(0, -2).map(() => 0), r0, c0], [...a.shape.slice(0, -2), r1, c1]);

/** Forward elimination on [A | B]: returns the upper-triangular U, the transformed B and the permutation's sign. */
function eliminate(a: DeviceArray, b: DeviceArray): { u: DeviceArray; c: DeviceArray; sign: DeviceArray } {
  const n = a.shape[a.ndim - 1]!, m = b.shape[b.ndim - 1]!;
  let aug = l.concatenate([a, b], a.ndim - 1);
  const batch = a.shape.slice(0, -2);
  let sign = l.broadcastTo(l.scalarLike(a, 1), batch);
  const rows = l.iota("int32", [...batch, n], batch.length);
  for (let k = 0; k < n; k++) {
    const col = l.reshape(block(aug, k, n, k, k + 1), [...batch, n - k]);
    const p = l.add(bind1("argmax", [l.abs(col)], { axis: col.ndim - 1, indexDtype: "int32" }), l.scalarLike(rows, k));
    const onehotP = l.convert(l.eq(rows, l.broadcastInDim(p, [...batch, n], [...batch.keys()])), a.dtype);
    const onehotK = l.convert(l.eq(rows, l.scalarLike(rows, k)), a.dtype);
    const full = [...batch, n, n + m];
    const rowP = l.reduceSum(l.mul(aug, l.broadcastInDim(onehotP, full, [...batch.keys(), batch.length])), [batch.length]);
    const rowK = l.reshape(block(aug, k, k + 1, 0, n + m), [...batch, n + m]);
    const diffRows = l.sub(rowP, rowK);
    const bc = (v: DeviceArray, dims: number[]) => l.broadcastInDim(v, full, dims);
    aug = l.add(aug, l.sub(l.mul(bc(onehotK, [...batch.keys(), batch.length]), bc(diffRows, [...batch.keys(), batch.length + 1])),
      l.mul(bc(onehotP, [...batch.keys(), batch.length]), bc(diffRows, [...batch.keys(), batch.length + 1]))));
    sign = l.select(l.eq(p, l.scalarLike(p, k)), sign, l.neg(sign));
    if (k === n - 1) break;
    const pivot = l.reshape(block(aug, k, k + 1, k, k + 1), batch);
    const safe = l.select(l.eq(pivot, l.scalarLike(pivot, 0)), l.fullLike(pivot, 1), pivot);
    const below = block(aug, k + 1, n, 0, n + m);
    const factors = l.div(l.reshape(block(aug, k + 1, n, k, k + 1), [...batch, n - k - 1]), l.broadcastInDim(safe, [...batch, n - k - 1], [...batch.keys()]));
    const pivotRow = l.reshape(block(aug, k, k + 1, 0, n + m), [...batch, n + m]);
    const shp = [...batch, n - k - 1, n + m];
    const upd = l.sub(below, l.mul(l.broadcastInDim(factors, shp, [...batch.keys(), batch.length]), l.broadcastInDim(pivotRow, shp, [...batch.keys(), batch.length + 1])));
    aug = l.concatenate([block(aug, 0, k + 1, 0, n + m), upd], a.ndim - 2);
  }
  return { u: block(aug, 0, n, 0, n), c: block(aug, 0, n, n, n + m), sign };
}
const diagOf = (u: DeviceArray) => diagonal(u, 0, -2, -1);

export function det(x: ArrayLike): DeviceArray {
  const a = square("det", x);
  const n = a.shape[a.ndim - 1]!;
  if (n === 0) return l.broadcastTo(l.scalarLike(a, 1), a.shape.slice(0, -2));
  const { u, sign } = eliminate(a, block(a, 0, n, 0, 0));
  return l.mul(sign, l.reduceProd(diagOf(u), [a.ndim - 2]));
}
export function slogdet(x: ArrayLike): { sign: DeviceArray; logabsdet: DeviceArray } {
  const a = square("slogdet", x);
  const n = a.shape[a.ndim - 1]!;
  const { u, sign } = eliminate(a, block(a, 0, n, 0, 0));
  const d = diagOf(u);
  const s = l.mul(sign, l.reduceProd(l.sign(d), [a.ndim - 2]));
  return { sign: s, logabsdet: l.reduceSum(l.log(l.abs(d)), [a.ndim - 2]) };
}
/** solve(a, b): x with a @ x = b; b is [..., n] or [..., n, k]. */
export function solve(x: ArrayLike, y: ArrayLike): DeviceArray {
  const a = square("solve", x);
  let b = l.convert(asArray(y), a.dtype);
  const n = a.shape[a.ndim - 1]!;
  const vec = b.ndim === a.ndim - 1;
  if (vec) b = l.reshape(b, [...b.shape, 1]);
  if (b.shape[b.ndim - 2] !== n) throw new ShapeError("solve", "incompatible shapes", [a.shape, b.shape], `solve: a ${a.aval} and b with ${b.shape[b.ndim - 2]} rows do not match`);
  const batch = a.shape.slice(0, -2);
  b = l.broadcastTo(b, [...batch, n, b.shape[b.ndim - 1]!]);
  const { u, c } = eliminate(a, b);
  // Back substitution, one row at a time from the bottom.
  const rowsOut: DeviceArray[] = new Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let r = block(c, i, i + 1, 0, c.shape[c.ndim - 1]!);
    for (let j = i + 1; j < n; j++) r = l.sub(r, l.mul(l.broadcastTo(block(u, i, i + 1, j, j + 1), r.shape), rowsOut[j]!));
    rowsOut[i] = l.div(r, l.broadcastTo(block(u, i, i + 1, i, i + 1), r.shape));
  }
  const out = l.concatenate(rowsOut, a.ndim - 2);
  return vec ? l.reshape(out, out.shape.slice(0, -1)) : out;
}
export function inv(x: ArrayLike): DeviceArray {
  const a = square("inv", x);
  const n = a.shape[a.ndim - 1]!;
  const eye = l.convert(l.eq(l.iota("int32", [n, n], 0), l.iota("int32", [n, n], 1)), a.dtype);
  return solve(a, l.broadcastTo(eye, a.shape));
}
export function matrixPower(x: ArrayLike, n: number): DeviceArray {
  if (!Number.isInteger(n)) throw new LocatedTypeError(`matrixPower: the exponent must be an integer, got ${n}`);
  let a = asArray(x);
  if (a.ndim < 2 || a.shape[a.ndim - 1] !== a.shape[a.ndim - 2]) throw new ShapeError("matrixPower", "last two dims must be square", [a.shape], `matrixPower: the last two dimensions must be square, got ${a.aval}`);
  const m = a.shape[a.ndim - 1]!;
  if (n === 0) return l.broadcastTo(l.convert(l.eq(l.iota("int32", [m, m], 0), l.iota("int32", [m, m], 1)), a.dtype), a.shape);
  if (n < 0) { a = inv(a); n = -n; }
  let result: DeviceArray | null = null;
  for (let p = a; n > 0; n >>= 1, p = n > 0 ? matmul(p, p) : p) if (n & 1) result = result ? matmul(result, p) : p;
  return result!;
}
/** Lower-triangular L with a = L @ L^T (a symmetric positive definite). */
export function cholesky(x: ArrayLike): DeviceArray {
  const a = square("cholesky", x);
  const n = a.shape[a.ndim - 1]!;
  const batch = a.shape.slice(0, -2);
  const cols: DeviceArray[] = [];
  for (let j = 0; j < n; j++) {
    let col = l.reshape(block(a, 0, n, j, j + 1), [...batch, n]);
    for (let k = 0; k < j; k++) {
      const ljk = l.reshape(block(l.concatenate(cols.map((c) => l.reshape(c, [...batch, n, 1])), a.ndim - 1), j, j + 1, k, k + 1), batch);
      col = l.sub(col, l.mul(cols[k]!, l.broadcastInDim(ljk, [...batch, n], [...batch.keys()])));
    }
    const djj = l.sqrt(l.reshape(l.slice(col, [...batch.map(() => 0), j], [...batch, j + 1]), batch));
    const rows = l.iota("int32", [...batch, n], batch.length);
    const scaled = l.div(col, l.broadcastInDim(djj, [...batch, n], [...batch.keys()]));
    cols.push(l.select(l.lt(rows, l.scalarLike(rows, j)), l.zerosLike(col), scaled));
  }
  return l.concatenate(cols.map((c) => l.reshape(c, [...batch, n, 1])), a.ndim - 1);
}
export function multiDot(arrays: readonly ArrayLike[]): DeviceArray {
  if (arrays.length < 2) throw new LocatedTypeError("multiDot: expecting at least two arrays");
  return arrays.slice(1).reduce<DeviceArray>((acc, b) => matmul(acc, b), asArray(arrays[0]!));
}
export const vectorNorm = (x: ArrayLike, opts: { ord?: number; axis?: number | readonly number[] | null; keepdims?: boolean } = {}) => {
  const a = asArray(x);
  if (opts.axis === undefined || opts.axis === null) return norm(l.reshape(a, [a.size]), { ord: opts.ord ?? 2, keepdims: false });
  return norm(a, { ord: opts.ord ?? 2, axis: opts.axis, keepdims: opts.keepdims });
};
export const matrixNorm = (x: ArrayLike, opts: { ord?: number | "fro" | "nuc"; keepdims?: boolean } = {}) => norm(x, { ord: opts.ord ?? "fro", axis: [-2, -1], keepdims: opts.keepdims });

export const linalg = {
  det, slogdet, solve, inv, matrixPower, cholesky, multiDot, norm, vectorNorm, matrixNorm, outer, cross, diagonal, trace, matmul, tensordot, vecdot, matrixTranspose,
  qr, eigh, eigvalsh, svd, svdvals, pinv, lstsq, matrixRank,
};
