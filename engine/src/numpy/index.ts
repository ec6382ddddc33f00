/** jax.numpy for TypeScript: names follow jax.numpy in camelCase. */
export * from "./convert.js";
export * from "./creation.js";
export * from "./elementwise.js";
export * from "./reductions.js";
export * from "./manipulation.js";
export * from "./linalg.js";
export * from "./indexing.js";
export * from "./sorting.js";
import "./methods.js";
export { float32, float16, float64, int32, uint32, bool_ } from "./dtypes.js";
