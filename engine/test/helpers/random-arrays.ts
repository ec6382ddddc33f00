// Seeded random inputs for the backend tests (native, webgpu) that compare kernels with the
// reference backend: a xorshift stream, arrays of any dtype in a range, avals.
import { ShapedArray } from "../../src/ir/aval.js";
import { castScalar, typedArrayFor, type DType, type TypedArray } from "../../src/dtype.js";

export function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
}

export function randomArray(dtype: DType, shape: readonly number[], r: () => number, lo = -3, hi = 3): TypedArray {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = typedArrayFor(dtype, n);
  for (let i = 0; i < n; i++) {
    const v = lo + (hi - lo) * r();
    out[i] = dtype === "bool" ? (v > (lo + hi) / 2 ? 1 : 0) : dtype === "int32" || dtype === "uint32" ? castScalar(Math.round(v), dtype) : castScalar(v, dtype);
  }
  return out;
}

export const aval = (shape: readonly number[], dtype: DType) => new ShapedArray(shape, dtype);
