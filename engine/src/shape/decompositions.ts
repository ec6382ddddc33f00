import { formatShape, type Dim, type Shape } from "./dims.js";
import { normalizeAxis, ShapeError } from "./errors.js";

/**
 * Shape rules of np.linalg's decompositions, np.fft and the lax functions of issue 16 (topK,
 * reduceWindow): output shapes from input shapes (numbers or symbolic dims), throwing a
 * ShapeError that names the op on bad input. The engine validates with these before computing;
 * the language server can call them to type the results.
 */

const isNum = (d: Dim): d is number => typeof d === "number";
const minDim = (a: Dim, b: Dim): Dim => (isNum(a) && isNum(b) ? Math.min(a, b) : a === b ? a : `min(${a}, ${b})`);

function matrix(op: string, shape: Shape, square = false): [Shape, Dim, Dim] {
  if (shape.length < 2) throw new ShapeError(op, "needs at least 2 dims", [shape], `${op}: expected a matrix (or a stack of them), got shape ${formatShape(shape)}`);
  const m = shape[shape.length - 2]!, n = shape[shape.length - 1]!;
  if (square && isNum(m) && isNum(n) && m !== n) throw new ShapeError(op, "last two dims must be square", [shape], `${op}: the last two dimensions must be square, got shape ${formatShape(shape)}`);
  return [shape.slice(0, -2), m, n];
}

/** np.linalg.qr: [Q, R] (mode "reduced" or "complete") or [R] (mode "r"). */
export function qrShape(shape: Shape, mode: "reduced" | "complete" | "r" = "reduced"): Dim[][] {
  const [b, m, n] = matrix("qr", shape);
  const k = minDim(m, n);
  if (mode === "complete") return [[...b, m, m], [...b, m, n]];
  if (mode === "r") return [[...b, k, n]];
  return [[...b, m, k], [...b, k, n]];
}
/** np.linalg.eigh: [eigenvalues, eigenvectors]. */
export function eighShape(shape: Shape): Dim[][] {
  const [b, n] = matrix("eigh", shape, true);
  return [[...b, n], [...b, n, n]];
}
/** np.linalg.svd: [U, S, Vh] (thin or full), or [S] without computeUv. */
export function svdShape(shape: Shape, fullMatrices = true, computeUv = true): Dim[][] {
  const [b, m, n] = matrix("svd", shape);
  const k = minDim(m, n);
  if (!computeUv) return [[...b, k]];
  return fullMatrices ? [[...b, m, m], [...b, k], [...b, n, n]] : [[...b, m, k], [...b, k], [...b, k, n]];
}
/** np.linalg.pinv: the transpose's shape. */
export function pinvShape(shape: Shape): Dim[] {
  const [b, m, n] = matrix("pinv", shape);
  return [...b, n, m];
}
/** np.linalg.lstsq(a [m, n], b [m] or [m, k]): [x, residuals, rank, s]. */
export function lstsqShape(a: Shape, b: Shape): Dim[][] {
  const [batch, m, n] = matrix("lstsq", a);
  if (batch.length) throw new ShapeError("lstsq", "a must be 2-D", [a], `lstsq: a must be a 2-D matrix, got shape ${formatShape(a)}`);
  if ((b.length !== 1 && b.length !== 2) || (isNum(b[0]!) && isNum(m) && b[0] !== m)) {
    throw new ShapeError("lstsq", "incompatible shapes", [a, b], `lstsq: a ${formatShape(a)} and b ${formatShape(b)}: b must have ${m} rows`);
  }
  const vec = b.length === 1;
  return [vec ? [n] : [n, b[1]!], vec ? [] : [b[1]!], [], [minDim(m, n)]];
}

export type FftKind = "fft" | "ifft" | "rfft" | "irfft" | "hfft" | "ihfft";
/** The 1-D transforms along `axis` with length n (null: the input's, or 2 (m - 1) for irfft / hfft). */
export function fftShape(kind: FftKind, shape: Shape, n: number | null = null, axis = -1): Dim[] {
  if (shape.length === 0) throw new ShapeError(kind, "needs at least 1 dim", [shape], `${kind}: the input must have at least one axis`);
  const ax = normalizeAxis(kind, axis, shape.length, shape);
  const m = shape[ax]!;
  if (n !== null && (!Number.isInteger(n) || n < 1)) throw new ShapeError(kind, "invalid n", [shape], `${kind}: invalid number of data points (${n}) specified`);
  let len: Dim;
  if (kind === "irfft" || kind === "hfft") len = n ?? (isNum(m) ? 2 * (m - 1) : `2*(${m}-1)`);
  else if (kind === "rfft" || kind === "ihfft") { const l = n ?? m; len = isNum(l) ? Math.floor(l / 2) + 1 : `${l}//2+1`; }
  else len = n ?? m;
  if (isNum(len) && len < 1) throw new ShapeError(kind, "invalid n", [shape], `${kind}: invalid number of data points (${len}) specified`);
  return shape.map((d, i) => (i === ax ? len : d));
}

/** lax.topK: [values, indices], the last axis cut to k. */
export function topKShape(shape: Shape, k: number): Dim[][] {
  if (shape.length === 0) throw new ShapeError("topK", "needs at least 1 dim", [shape], "topK: the operand must have at least one axis");
  const n = shape[shape.length - 1]!;
  if (!Number.isInteger(k) || k < 0 || (isNum(n) && k > n)) throw new ShapeError("topK", "k out of range", [shape], `topK: k must be an integer in [0, ${n}] (the last axis's size), got ${k}`);
  const out = [...shape.slice(0, -1), k];
  return [out, out];
}

/** lax.reduceWindow's output shape and the (low, high) padding it resolves to. */
export function reduceWindowShape(shape: readonly number[], window: readonly number[], strides: readonly number[],
  padding: "SAME" | "VALID" | readonly (readonly [number, number])[], baseDilation: readonly number[], windowDilation: readonly number[]): { shape: number[]; pads: [number, number][] } {
  const nd = shape.length;
  if (window.length !== nd) throw new ShapeError("reduceWindow", "window rank", [shape], `reduceWindow: windowDimensions has ${window.length} entries for a rank-${nd} operand ${formatShape(shape)}`);
  for (const [name, v] of [["windowStrides", strides], ["baseDilation", baseDilation], ["windowDilation", windowDilation], ["windowDimensions", window]] as const) {
    if (v.length !== nd || v.some((s) => !Number.isInteger(s) || s < 1)) throw new ShapeError("reduceWindow", `bad ${name}`, [shape], `reduceWindow: ${name} must be ${nd} positive integers, got [${v}]`);
  }
  const dilated = shape.map((d, i) => (d === 0 ? 0 : (d - 1) * baseDilation[i]! + 1));
  const effW = window.map((w, i) => (w - 1) * windowDilation[i]! + 1);
  let pads: [number, number][];
  if (padding === "VALID") pads = shape.map(() => [0, 0]);
  else if (padding === "SAME") pads = dilated.map((d, i) => {
    const out = Math.ceil(d / strides[i]!);
    const total = Math.max((out - 1) * strides[i]! + effW[i]! - d, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  });
  else {
    if (padding.length !== nd) throw new ShapeError("reduceWindow", "padding rank", [shape], `reduceWindow: padding has ${padding.length} pairs for a rank-${nd} operand`);
    pads = padding.map(([a, b]) => [a, b]);
  }
  const out = dilated.map((d, i) => Math.max(0, Math.floor((d + pads[i]![0] + pads[i]![1] - effW[i]!) / strides[i]!) + 1));
  return { shape: out, pads };
}
