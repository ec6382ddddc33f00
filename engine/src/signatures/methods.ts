/**
 * The array methods and the numpy function each one is: `x.f(...args)` is `np.g(x, ...args)`.
 * Read by the engine (numpy/methods.ts installs them from the declared functions) and by the
 * language server (the same signature for `x.sum(1)` as for `np.sum(x, 1)`).
 */
export const ARRAY_METHODS: Readonly<Record<string, string>> = {
  add: "add", sub: "subtract", mul: "multiply", div: "divide", pow: "power", mod: "remainder", floorDiv: "floorDivide",
  matmul: "matmul", dot: "dot", eq: "equal", ne: "notEqual", lt: "less", le: "lessEqual", gt: "greater", ge: "greaterEqual",
  maximum: "maximum", minimum: "minimum", neg: "negative", abs: "abs", exp: "exp", log: "log", sqrt: "sqrt", square: "square",
  tanh: "tanh", sin: "sin", cos: "cos", sum: "sum", mean: "mean", max: "max", min: "min", prod: "prod", var: "var", std: "std",
  all: "all", any: "any", argmax: "argmax", argmin: "argmin", cumsum: "cumsum", reshape: "reshape", transpose: "transpose",
  flatten: "ravel", ravel: "ravel", squeeze: "squeeze", expandDims: "expandDims", swapaxes: "swapaxes", broadcastTo: "broadcastTo",
  flip: "flip", astype: "astype", clip: "clip", round: "round", sort: "sort", argsort: "argsort",
};
/** Methods that also take their sizes as separate numbers: x.reshape(2, 3), x.transpose(1, 0). */
export const VARIADIC_METHODS: ReadonlySet<string> = new Set(["reshape", "transpose"]);
