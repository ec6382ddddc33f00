/**
 * The array viewer's data model, pure (no DOM): decoded views of an array (the whole array, the
 * runner's strided preview, fetched slices), the plane of two chosen axes at fixed indices of
 * the others, the request for more detail, histograms and copy text.
 *
 * A view is the protocol's ArraySlice decoded: element [i0, i1, ...] of `values` is element
 * [start0 + i0*step0, ...] of the array. The whole array is the view with start 0 and step 1.
 */
import { decodeArrayData, type ArrayLeaf, type ArraySlice } from "../../../../engine/src/runner/protocol.js";

export type Values = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array;

export interface View {
  start: number[];
  step: number[];
  shape: number[];
  values: Values;
  /** Row-major strides of `values`. */
  strides: number[];
}

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]!; }
  return s;
}

export function viewOfSlice(slice: ArraySlice): View {
  return { start: [...slice.start], step: [...slice.step], shape: [...slice.shape], values: decodeArrayData(slice.data), strides: stridesOf(slice.shape) };
}

export function viewOfLeaf(leaf: ArrayLeaf): View | undefined {
  if (!leaf.data) return undefined;
  return { start: leaf.shape.map(() => 0), step: leaf.shape.map(() => 1), shape: [...leaf.shape], values: decodeArrayData(leaf.data), strides: stridesOf(leaf.shape) };
}

/** Index along one axis of a view nearest below original index k (clamped). */
export function viewIndex(v: View, axis: number, k: number): number {
  const i = Math.floor((k - v.start[axis]!) / v.step[axis]!);
  return Math.max(0, Math.min(v.shape[axis]! - 1, i));
}

/** Whether the view holds original index k on an axis exactly. */
export function holdsIndex(v: View, axis: number, k: number): boolean {
  const d = k - v.start[axis]!;
  return d >= 0 && d % v.step[axis]! === 0 && d / v.step[axis]! < v.shape[axis]!;
}

/**
 * The displayed plane: rows along `rowAxis`, columns along `colAxis` (for a 1-D array rowAxis
 * is -1: one row), the other axes at the view's indices nearest the fixed original indices.
 */
export interface Plane {
  rows: number;
  cols: number;
  /** Original index of plane row i: rowStart + i*rowStep (likewise for columns). */
  rowStart: number; rowStep: number;
  colStart: number; colStep: number;
  /** Value of plane cell (i, j). */
  at(i: number, j: number): number;
  /** The original index (every axis) of plane cell (i, j). */
  indexOf(i: number, j: number): number[];
  /** Whether every fixed axis is at exactly the asked index (not the nearest sample). */
  exact: boolean;
}

export function planeOf(v: View, rowAxis: number, colAxis: number, fixed: readonly number[]): Plane {
  const rank = v.shape.length;
  let base = 0, exact = true;
  const fixedIdx = new Array<number>(rank).fill(0);
  for (let a = 0; a < rank; a++) {
    if (a === rowAxis || a === colAxis) continue;
    const i = viewIndex(v, a, fixed[a] ?? 0);
    fixedIdx[a] = i;
    if (!holdsIndex(v, a, fixed[a] ?? 0)) exact = false;
    base += i * v.strides[a]!;
  }
  const rows = rowAxis < 0 ? 1 : v.shape[rowAxis]!;
  const cols = rank === 0 ? 1 : v.shape[colAxis]!;
  const rs = rowAxis < 0 ? 0 : v.strides[rowAxis]!;
  const cs = rank === 0 ? 0 : v.strides[colAxis]!;
  const vals = v.values;
  return {
    rows, cols, exact,
    rowStart: rowAxis < 0 ? 0 : v.start[rowAxis]!, rowStep: rowAxis < 0 ? 1 : v.step[rowAxis]!,
    colStart: rank === 0 ? 0 : v.start[colAxis]!, colStep: rank === 0 ? 1 : v.step[colAxis]!,
    at: (i, j) => vals[base + i * rs + j * cs]!,
    indexOf: (i, j) => fixedIdx.map((fi, a) => (a === rowAxis ? v.start[a]! + i * v.step[a]! : a === colAxis ? v.start[a]! + j * v.step[a]! : v.start[a]! + fi * v.step[a]!)),
  };
}

/** The visible window of the plane, in original indices along the row and column axes: [r0, r1) x [c0, c1). */
export interface Window { r0: number; r1: number; c0: number; c1: number }

/** Largest plane a fetch asks for, per side (the runner caps a slice at 65,536 elements). */
export const DETAIL_SIDE = 256;

/**
 * The fetch for the window at the fixed indices: one index on each fixed axis, the window on
 * the two shown axes with the step that keeps each side within `side` elements.
 */
export function detailRequest(shape: readonly number[], rowAxis: number, colAxis: number, fixed: readonly number[], w: Window, side = DETAIL_SIDE): { start: number[]; stop: number[]; step: number[] } {
  const start: number[] = [], stop: number[] = [], step: number[] = [];
  for (let a = 0; a < shape.length; a++) {
    if (a === rowAxis || a === colAxis) {
      const [lo, hi] = a === rowAxis ? [w.r0, w.r1] : [w.c0, w.c1];
      const sideHere = rowAxis < 0 ? side * side : side;
      start.push(lo); stop.push(hi); step.push(Math.max(1, Math.ceil((hi - lo) / sideHere)));
    } else {
      const k = Math.max(0, Math.min(shape[a]! - 1, fixed[a] ?? 0));
      start.push(k); stop.push(k + 1); step.push(1);
    }
  }
  return { start, stop, step };
}

/** Whether a view covers the request at least as finely (so no fetch is needed). */
export function covers(v: View, req: { start: number[]; stop: number[]; step: number[] }): boolean {
  for (let a = 0; a < v.shape.length; a++) {
    if (v.step[a]! > req.step[a]!) return false;
    if (v.start[a]! > req.start[a]!) return false;
    // The last sample stands for the step's worth of elements after it.
    if (v.start[a]! + v.shape[a]! * v.step[a]! < req.stop[a]!) return false;
    if (req.stop[a]! - req.start[a]! === 1 && !holdsIndex(v, a, req.start[a]!)) return false;
  }
  return true;
}

export interface Histogram { lo: number; hi: number; counts: Uint32Array; finite: number; nan: number; posInf: number; negInf: number }

/** Histogram of the finite values over [lo, hi] (the array's min/max), with NaN/Inf counted apart. */
export function histogram(values: ArrayLike<number>, lo: number, hi: number, bins = 40): Histogram {
  const counts = new Uint32Array(bins);
  let finite = 0, nan = 0, posInf = 0, negInf = 0;
  const width = hi > lo ? (hi - lo) / bins : 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v) { nan++; continue; }
    if (v === Infinity) { posInf++; continue; }
    if (v === -Infinity) { negInf++; continue; }
    finite++;
    let b = Math.floor((v - lo) / width);
    if (b < 0) b = 0; else if (b >= bins) b = bins - 1;
    counts[b]!++;
  }
  return { lo, hi, counts, finite, nan, posInf, negInf };
}

const num = (v: number) => (Number.isNaN(v) ? "NaN" : v === Infinity ? "Infinity" : v === -Infinity ? "-Infinity" : String(v));

/** The plane as JSON (NaN/Infinity as strings, which JSON has no numbers for). */
export function planeJson(p: Plane, oneD: boolean): string {
  const val = (v: number) => (Number.isFinite(v) ? v : num(v));
  if (oneD) return JSON.stringify(Array.from({ length: p.cols }, (_, j) => val(p.at(0, j))));
  const rows: unknown[] = [];
  for (let i = 0; i < p.rows; i++) rows.push(Array.from({ length: p.cols }, (_, j) => val(p.at(i, j))));
  return JSON.stringify(rows);
}

/** The plane as CSV: one line per row, NaN / Infinity / -Infinity spelled out. */
export function planeCsv(p: Plane): string {
  const lines: string[] = [];
  for (let i = 0; i < p.rows; i++) {
    const cells: string[] = [];
    for (let j = 0; j < p.cols; j++) cells.push(num(p.at(i, j)));
    lines.push(cells.join(","));
  }
  return lines.join("\n");
}

/** Clamp a window inside [0, rows) x [0, cols), keeping at least one element on each side. */
export function clampWindow(w: Window, rows: number, cols: number): Window {
  const fit = (lo: number, hi: number, n: number): [number, number] => {
    let span = Math.max(1, Math.min(n, Math.round(hi - lo)));
    let a = Math.round(lo);
    if (a < 0) a = 0;
    if (a + span > n) a = n - span;
    return [a, a + span];
  };
  const [r0, r1] = fit(w.r0, w.r1, rows);
  const [c0, c1] = fit(w.c0, w.c1, cols);
  return { r0, r1, c0, c1 };
}
