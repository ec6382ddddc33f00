import type { DType } from "../../dtype.js";

/** dtype codes shared with the addon (engine/native/src/common.h). */
export const DTYPE_CODE: Record<DType, number> = {
  float32: 0, float16: 1, float64: 2, int32: 3, uint32: 4, bool: 5, int8: 6, uint8: 7, int16: 8, bfloat16: 9,
};

/** Bytes per element in host and native storage (16-bit floats are held widened as float32, 8/16-bit ints as int32). */
export const storageBytes = (d: DType) => (d === "float64" ? 8 : d === "bool" ? 1 : 4);

export const REDUCE_CODE = { sum: 0, max: 1, min: 2, prod: 3, and: 4, or: 5 } as const;

/** Instruction kinds of the fused register program (engine/native/src/fused.h). */
export const I = { load: 0, const: 1, index: 2, convert: 3, select: 4, clamp: 5, unary: 6, binary: 7 } as const;

/** Native op kinds (engine/native/src/ops.h). */
export const OP = { fused: 0, dot: 1, copy: 2, gather: 3, scatter: 4, threefry: 5, argreduce: 6, conv: 7, pad: 8, concat: 9, dslice: 10, dus: 11, cumulative: 12, sort: 13 } as const;
