import type { DType } from "../dtype.js";
/** dtype names as values, as jnp.float32 etc. */
export const float32: DType = "float32", float16: DType = "float16", float64: DType = "float64";
export const int32: DType = "int32", uint32: DType = "uint32", bool_: DType = "bool";
