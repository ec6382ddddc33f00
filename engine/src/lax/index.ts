/** jax.lax: the primitives one by one, and structured control flow. */
export {
  add, sub, mul, div, max, min, pow, neg, exp, log, sin, cos, tanh, sqrt, rsqrt, abs, sign, floor, square, reciprocal, logistic,
  eq, ne, lt, le, gt, ge, select, stopGradient, broadcastInDim, reshape, transpose, rev, slice, pad, concatenate,
  dynamicSlice, dynamicUpdateSlice, gather, scatter, iota, reduceSum, reduceMax, reduceMin, reduceProd, cumsum, dotGeneral, sort,
  convert as convertElementType,
} from "./primitives.js";
export { cond, switch_ as switch, scan, forILoop, whileLoop } from "./control.js";
export * from "./extra.js";
export { topK, map, associativeScan, reduceWindow, selectN } from "./windows.js";
