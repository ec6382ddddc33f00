import { ShapeError } from "./errors.js";

/** A numpy slice: start, stop and step, each possibly absent (null). */
export interface SliceSpec { readonly start: number | null; readonly stop: number | null; readonly step: number | null }

/**
 * numpy's slice.indices for an axis of size n: the first index, the step, and how many
 * elements the slice selects (negative bounds count from the end; bounds are clamped).
 */
export function sliceIndices(sl: SliceSpec, n: number): { start: number; step: number; len: number } {
  const step = sl.step ?? 1;
  if (step === 0) throw new ShapeError("index", "slice step cannot be zero", [[n]], "index: slice step cannot be zero");
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  let start: number, stop: number;
  if (step > 0) {
    start = sl.start === null ? 0 : clamp(sl.start < 0 ? sl.start + n : sl.start, 0, n);
    stop = sl.stop === null ? n : clamp(sl.stop < 0 ? sl.stop + n : sl.stop, 0, n);
  } else {
    start = sl.start === null ? n - 1 : clamp(sl.start < 0 ? sl.start + n : sl.start, -1, n - 1);
    stop = sl.stop === null ? -1 : clamp(sl.stop < 0 ? sl.stop + n : sl.stop, -1, n - 1);
  }
  return { start, step, len: Math.max(0, Math.ceil((stop - start) / step)) };
}
