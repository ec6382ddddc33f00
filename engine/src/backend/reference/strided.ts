/** Index arithmetic for row-major arrays, shared by the reference kernels. */

export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]!; }
  return s;
}

/** `rev` as a view of a contiguous array: negative strides on the reversed axes, starting at their last element (0 for an empty array). */
export function reversedView(shape: readonly number[], dimensions: readonly number[]): { strides: number[]; offset: number } {
  let offset = 0;
  const strides = contiguousStrides(shape).map((st, i) => {
    if (!dimensions.includes(i)) return st;
    offset += (shape[i]! - 1) * st;
    return -st;
  });
  return { strides, offset: shape.includes(0) ? 0 : offset };
}

export function sizeOf(shape: readonly number[]) {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Flat source index for every element of `shape` (row-major), where the source index is
 * offset + sum idx[i] * strides[i]. This is the "load" of a fused kernel.
 */
export function stridedIndices(shape: readonly number[], strides: readonly number[], offset: number): Float64Array {
  const n = sizeOf(shape);
  const out = new Float64Array(n);
  const nd = shape.length;
  if (n === 0) return out;
  const idx = new Array<number>(nd).fill(0);
  let pos = offset;
  for (let i = 0; i < n; i++) {
    out[i] = pos;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      pos += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      pos -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/** Strides that read an operand of `inShape` broadcast (numpy rules) to `outShape`. */
export function broadcastStrides(inShape: readonly number[], outShape: readonly number[]): number[] {
  const s = contiguousStrides(inShape);
  const lead = outShape.length - inShape.length;
  return outShape.map((d, i) => {
    const j = i - lead;
    if (j < 0) return 0;
    return inShape[j] === 1 && d !== 1 ? 0 : s[j]!;
  });
}

export function isIdentity(shape: readonly number[], strides: readonly number[], offset: number) {
  if (offset !== 0) return false;
  const c = contiguousStrides(shape);
  return shape.every((d, i) => d === 1 || c[i] === strides[i]);
}

/** Multi-index of a flat position. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) { idx[d] = flat % shape[d]!; flat = Math.floor(flat / shape[d]!); }
  return idx;
}
