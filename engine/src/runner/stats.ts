/**
 * Array statistics and strided slices over host data, for result messages. Plain loops over
 * typed arrays: a 10-million-element array takes tens of milliseconds.
 */
import { LIMITS } from "./limits.js";
import type { ArrayData, ArraySlice, ArrayStats } from "./protocol.js";

export type HostData = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array | Uint16Array;

export function arrayStats(data: ArrayLike<number>): ArrayStats {
  let nan = 0, inf = 0, n = 0, sum = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v !== v) { nan++; continue; }
    if (v === Infinity || v === -Infinity) { inf++; continue; }
    n++; sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (n === 0) return { min: null, max: null, mean: null, std: null, nan, inf };
  const mean = sum / n;
  // Second pass for the variance: one-pass sums of squares lose digits when |mean| >> std.
  let sq = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v === v && v !== Infinity && v !== -Infinity) sq += (v - mean) * (v - mean);
  }
  return { min, max, mean, std: Math.sqrt(sq / n), nan, inf };
}

export function encodeData(data: HostData): ArrayData {
  const storage = data instanceof Float32Array ? "float32" : data instanceof Float64Array ? "float64"
    : data instanceof Int32Array ? "int32" : data instanceof Uint32Array ? "uint32" : "uint8";
  // float16 is widened to float32 on the host already; a Uint16Array would be raw halves.
  const src = data instanceof Uint16Array ? Float32Array.from(data) : data;
  return { encoding: "base64", storage, bytes: Buffer.from(src.buffer, src.byteOffset, src.byteLength).toString("base64") };
}

const product = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

/**
 * Elements [start, stop) with the given steps of a row-major array; steps grow (largest extent
 * first) until the slice holds at most `maxElements`.
 */
export function sliceArray(data: HostData, shape: readonly number[], start: readonly number[], stop: readonly number[], step: readonly number[], maxElements: number = LIMITS.maxPreviewElements): ArraySlice {
  const rank = shape.length;
  const st = [...step];
  const extent = (i: number) => Math.max(0, Math.ceil((stop[i]! - start[i]!) / st[i]!));
  for (;;) {
    const dims = shape.map((_, i) => extent(i));
    if (product(dims) <= maxElements) break;
    let widest = 0;
    for (let i = 1; i < rank; i++) if (dims[i]! > dims[widest]!) widest = i;
    st[widest] = st[widest]! * 2;
  }
  const outShape = shape.map((_, i) => extent(i));
  const strides = new Array<number>(rank);
  let acc = 1;
  for (let i = rank - 1; i >= 0; i--) { strides[i] = acc; acc *= shape[i]!; }
  const out = new (data.constructor as { new (n: number): HostData })(product(outShape));
  const idx = new Array<number>(rank).fill(0);
  for (let k = 0; k < out.length; k++) {
    let off = 0;
    for (let i = 0; i < rank; i++) off += (start[i]! + idx[i]! * st[i]!) * strides[i]!;
    out[k] = data[off]!;
    for (let i = rank - 1; i >= 0; i--) { if (++idx[i]! < outShape[i]!) break; idx[i] = 0; }
  }
  return { start: [...start], step: st, shape: outShape, data: encodeData(out) };
}

/** A downsampled view of the whole array. */
export function previewOf(data: HostData, shape: readonly number[]): ArraySlice {
  return sliceArray(data, shape, shape.map(() => 0), shape, shape.map(() => 1));
}
