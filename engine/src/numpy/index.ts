/** jax.numpy for TypeScript: names follow jax.numpy in camelCase. */
export * from "./convert.js";
export * from "./creation.js";
export * from "./elementwise.js";
export * from "./reductions.js";
export * from "./manipulation.js";
export * from "./linalg.js";
export * from "./norm.js";
export * from "./indexing.js";
export * from "./sorting.js";
import "./methods.js";
export * from "./dtypes.js";
export * from "./mathx.js";
export * from "./numeric.js";
export * from "./setops.js";
export * from "./selection.js";
export * from "./utility.js";
export { linalg } from "./linalg-ns.js";
export { fftNamespace as fft } from "./fft.js";
