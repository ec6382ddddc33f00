/**
 * Declared signatures of jax.nn (with nn.initializers), jax.lax, jax.random and the
 * transformations (top level: grad, vmap, jit ...). Same notation as numpy.ts.
 */
import type { DeclarationTable } from "./signature.js";

const NN_UNARY = ["relu", "relu6", "sigmoid", "logSigmoid", "softplus", "softSign", "silu", "tanh", "hardTanh", "hardSigmoid",
  "hardSilu", "selu", "mish", "identity", "sparsePlus", "makeCausalMask"];
const INIT_OPTS = "*, inAxis?: axes = -2, outAxis?: axes = -1, batchAxis?: ints";

export const NN: DeclarationTable = {
  nn: [
    `${NN_UNARY.join(", ")}(x: array)`,
    "swish = silu", "hardSwish = hardSilu",
    "leakyRelu(x: array, negativeSlope?: number = 0.01)",
    "elu, celu(x: array, alpha?: number = 1)",
    "gelu(x: array, approximate?: bool = true)",
    "glu(x: array, axis?: int = -1)",
    "softmax, logSoftmax(x: array, axis?: axes = -1)",
    "logsumexp(x: array, axis?: axes | null, b?: array, keepdims?: bool = false) ~1",
    "oneHot(x: array, numClasses: int, *, dtype?: dtype, axis?: int = -1) ~2",
    "standardize(x: array, axis?: axes = -1, *, epsilon?: number = 1e-05) ~1", "normalize = standardize",
    "_scalar(value: number | bool, dtype: dtype, weak?: bool = false)",
    "freeze, unfreeze(x: tree)",
    "formatTree(x: tree, indent?: string = \"\")",
    "maxPool, minPool(x: array, windowShape: ints, strides?: ints, padding?: \"SAME\" | \"VALID\" | list) ~2",
    "avgPool(x: array, windowShape: ints, strides?: ints, padding?: \"SAME\" | \"VALID\" | list, *, countIncludePad?: bool) ~2",
    "dotProductAttentionWeights(query: array, key: array, bias?: array | null, mask?: array | null) ~2",
    "dotProductAttention(query: array, key: array, value: array, bias?: array | null, mask?: array | null) ~3",
    "tabulate(module: any, rngs: key | tree, ...inputs: tree)",
  ],
  "nn.initializers": [
    "zeros, ones, defaultKernelInit, defaultEmbedInit(key: key | null, shape: shape, dtype?: dtype | null)",
    "constant(value: number)",
    "normal(stddev?: number = 0.01)",
    "uniform(scale?: number = 0.01)",
    "truncatedNormal(stddev?: number = 0.01, lower?: number = -2, upper?: number = 2)",
    "computeFans(shape: ints, inAxis?: axes = -2, outAxis?: axes = -1, batchAxis?: ints)",
    `varianceScaling(scale: number, mode: "fan_in" | "fan_out" | "fan_avg", distribution: "truncated_normal" | "normal" | "uniform", ${INIT_OPTS}) ~3`,
    `lecunNormal, lecunUniform, glorotNormal, glorotUniform, heNormal, heUniform(${INIT_OPTS}) ~0`,
    "xavierNormal = glorotNormal", "xavierUniform = glorotUniform", "kaimingNormal = heNormal", "kaimingUniform = heUniform",
  ],
};

const LAX_UNARY = ["neg", "exp", "log", "sin", "cos", "tanh", "sqrt", "rsqrt", "abs", "sign", "floor", "square", "reciprocal",
  "logistic", "stopGradient", "erf", "erfInv", "lgamma", "digamma"];
const LAX_BINARY = ["add", "sub", "mul", "div", "max", "min", "pow", "eq", "ne", "lt", "le", "gt", "ge", "shiftLeft", "shiftRightLogical"];

export const LAX: DeclarationTable = {
  lax: [
    `${LAX_UNARY.join(", ")}(x: array)`,
    `${LAX_BINARY.join(", ")}(x: array, y: array)`,
    "select(pred: array, onTrue: array, onFalse: array)",
    "clamp(min: array, x: array, max: array)",
    "threefry2x32(key1: array, key2: array, x1: array, x2: array)",
    "broadcastInDim(operand: array, shape: ints, broadcastDimensions: ints)",
    "reshape(operand: array, newSizes: ints)",
    "transpose(operand: array, permutation: ints)",
    "rev(operand: array, dimensions: ints)",
    "slice(operand: array, startIndices: ints, limitIndices: ints, strides?: ints | null)",
    "pad(operand: array, paddingValue: array, paddingConfig: list)",
    "concatenate(operands: arrays, dimension: int)",
    "dynamicSlice(operand: array, startIndices: arrays, sliceSizes: ints)",
    "dynamicUpdateSlice(operand: array, update: array, startIndices: arrays)",
    "gather(operand: array, indices: array, axis: int)",
    "scatter(operand: array, indices: array, updates: array, axis: int, mode: string)",
    "iota(dtype: dtype, shape: ints, dimension?: int = 0)",
    "reduceSum, reduceMax, reduceMin, reduceProd(operand: array, axes: ints)",
    "cumsum, cumprod, cummax, cummin(operand: array, axis?: int = 0, reverse?: bool = false)",
    "argmax, argmin(operand: array, axis: int, indexDtype?: \"int32\" = \"int32\")",
    "dotGeneral(lhs: array, rhs: array, dimensionNumbers: object, preferredElementType?: dtype | null)",
    "sort(operands: arrays, dimension: int, numKeys?: int = 1)",
    "convertElementType(operand: array, newDtype: dtype, weakType?: bool = false)",
    "bitcastConvertType(operand: array, newDtype: \"float32\" | \"int32\" | \"uint32\" | \"float64\")",
    "convGeneralDilated(lhs: array, rhs: array, strides?: ints, padding?: \"SAME\" | \"VALID\" | list, lhsDilation?: ints, rhsDilation?: ints, *, featureGroupCount?: int = 1) ~2",
    "conv = convGeneralDilated",
    "cond(pred: array, trueFun: fn, falseFun: fn, ...operands: tree)",
    "switch(index: array, branches: fns, ...operands: tree)",
    "scan(f: fn, init: tree, xs?: tree, length?: int | null, reverse?: bool = false) ~3",
    "forILoop(lower: int, upper: int, bodyFun: fn, initVal: tree)",
    "whileLoop(condFun: fn, bodyFun: fn, initVal: tree)",
    "topK(operand: array, k: int)",
    "map(f: fn, xs: tree, *, batchSize?: int | null) ~2",
    "associativeScan(fn: fn, elems: tree, reverse?: bool = false, axis?: int = 0)",
    "reduceWindow(operand: array, initValue: array, computation: fn | \"add\" | \"max\" | \"min\" | \"mul\", windowDimensions: ints, windowStrides?: ints | null, padding?: \"SAME\" | \"VALID\" | list = \"VALID\", baseDilation?: ints | null, windowDilation?: ints | null)",
    "selectN(which: array, ...cases: array)",
  ],
};

const SAMPLER = "key: key, shape?: shape = [], dtype?: dtype | null";

export const RANDOM: DeclarationTable = {
  random: [
    "key(seed: int | bigint | array)", "PRNGKey = key",
    "split(key: key, num?: int | ints = 2)",
    "foldIn(key: key, data: int | array)",
    "keyData(keys: key)",
    "bits(key: key, shape?: shape = [], dtype?: \"uint32\" = \"uint32\")",
    `uniform(${SAMPLER}, minval?: array = 0, maxval?: array = 1)`,
    `normal, gumbel, exponential, laplace, logistic(${SAMPLER})`,
    "truncatedNormal(key: key, lower: array, upper: array, shape?: shape | null, dtype?: dtype | null)",
    "bernoulli(key: key, p?: array = 0.5, shape?: shape | null)",
    "categorical(key: key, logits: array, axis?: int = -1, shape?: shape | null)",
    "randint(key: key, shape: shape, minval: array, maxval: array, dtype?: \"int32\" | \"uint32\" = \"int32\")",
    "permutation(key: key, x: int | array, axis?: int = 0, independent?: bool = false)",
    "choice(key: key, a: int | array, shape?: shape = [], replace?: bool = true, p?: array | null, axis?: int = 0)",
    "shuffle(key: key, x: array, axis?: int = 0)",
    "gamma(key: key, a: array, shape?: shape | null, dtype?: dtype | null)",
    "beta(key: key, a: array, b: array, shape?: shape | null, dtype?: dtype | null)",
    "dirichlet(key: key, alpha: array, shape?: shape | null, dtype?: dtype | null)",
    "poisson(key: key, lam: array, shape?: shape | null, dtype?: \"int32\" = \"int32\")",
  ],
};

export const TRANSFORMS: DeclarationTable = {
  "": [
    "grad, valueAndGrad(f: fn, argnums?: int | ints = 0, hasAux?: bool = false) ~1",
    "vjp, linearize(f: fn, ...primals: tree)",
    "jvp(f: fn, primals: list, tangents: list)",
    "jacfwd, jacrev, hessian(f: fn, argnums?: int = 0) ~1",
    "vmap(f: fn, inAxes?: int | null | list = 0, outAxes?: int | null | list = 0) ~1",
    "jit(f: fn, *, staticArgnums?: int | ints, donateArgnums?: int | ints) ~1",
    "makeJaxpr(f: fn, *, staticArgnums?: int | ints) ~1",
    "evalShape(f: fn, ...args: tree)",
    "customJvp, customVjp(fun: fn, *, nondiffArgnums?: int | ints) ~1",
    "checkpoint, remat(fun: fn, *, staticArgnums?: int | ints, preventCse?: bool = true, policy?: null) ~1",
  ],
};

export const SCIPY: DeclarationTable = {
  "scipy.special": [
    "gammaln, digamma, erf, erfc, erfinv, expit, logit, logNdtr, ndtr, ndtri(x: array)",
    "xlogy, xlog1py(x: array, y: array)",
    "logsumexp(a: array, axis?: axes | null, b?: array, keepdims?: bool = false) ~1",
  ],
  "scipy.linalg": [
    "solveTriangular(a: array, b: array, trans?: int | \"N\" | \"T\" | \"C\" = 0, lower?: bool = false, unitDiagonal?: bool = false)",
    "choFactor(a: array, lower?: bool = false)",
    "choSolve(cAndLower: list, b: array)",
    "cholesky(a: array)",
  ],
  "scipy.stats.norm": [
    "pdf, logpdf, cdf, logcdf, sf, logsf(x: array, loc?: array = 0, scale?: array = 1)",
    "ppf(q: array, loc?: array = 0, scale?: array = 1)",
  ],
};
