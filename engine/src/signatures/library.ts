/**
 * Declared signatures of the library layers above jax: the Flax-style module classes (their
 * constructors, and nn.Module's init/apply options), the Optax-style optimizers, gradient
 * transformations and schedules (`optim`), the losses (`losses`, also `optim.losses`) and the
 * pytree functions (`tree`). Same notation as numpy.ts; a class's line declares its
 * constructor (`new nn.Dense(4, { useBias: false })` and `nn.Dense(4)`).
 *
 * Kept apart from SIGNATURES (numpy, nn functions, lax, random, scipy, transformations) as
 * LIBRARY_SIGNATURES, so that a reader of SIGNATURES (the language server's coverage) takes
 * these up when it is ready; ALL_SIGNATURES is both.
 */
import type { DeclarationTable } from "./signature.js";

const NAME = "name?: string";
const DENSE = "useBias?: bool = true, kernelInit?: fn, biasInit?: fn, paramDtype?: dtype = \"float32\", dtype?: dtype | null";
const NORM = "epsilon?: number, useScale?: bool = true, scaleInit?: fn, paramDtype?: dtype = \"float32\"";
const CONV = "strides?: int | ints, padding?: \"SAME\" | \"VALID\" | \"CIRCULAR\" | \"CAUSAL\" | int | list = \"SAME\", kernelDilation?: int | ints, " +
  "useBias?: bool = true, kernelInit?: fn, biasInit?: fn, paramDtype?: dtype = \"float32\"";
const LR = "learningRate: number | fn";
const MASK = "mask?: object | list | fn | null";

export const MODULES: DeclarationTable = {
  nn: [
    `Dense(features: int, *, ${DENSE}, ${NAME}) ~1`,
    `DenseGeneral(features: int | ints, *, axis?: axes = -1, batchDims?: axes, ${DENSE}, ${NAME}) ~1`,
    `Embed(numEmbeddings: int, features: int, *, embeddingInit?: fn, paramDtype?: dtype = "float32", ${NAME}) ~2`,
    `Conv(features: int, kernelSize: int | ints, *, ${CONV}, inputDilation?: int | ints, featureGroupCount?: int = 1, ${NAME}) ~2`,
    `ConvTranspose(features: int, kernelSize: int | ints, *, ${CONV}, ${NAME}) ~2`,
    `LayerNorm(*, ${NORM}, useBias?: bool = true, biasInit?: fn, reductionAxes?: axes = -1, featureAxes?: axes = -1, ${NAME}) ~0`,
    `RMSNorm(*, ${NORM}, ${NAME}) ~0`,
    `GroupNorm(*, numGroups?: int | null = 32, groupSize?: int | null, ${NORM}, useBias?: bool = true, biasInit?: fn, ${NAME}) ~0`,
    `BatchNorm(*, useRunningAverage?: bool | null, axis?: int = -1, momentum?: number = 0.99, ${NORM}, useBias?: bool = true, biasInit?: fn, ${NAME}) ~0`,
    `Dropout(rate: number, *, deterministic?: bool | null, broadcastDims?: ints, rngCollection?: string = "dropout", ${NAME}) ~1`,
    "MultiHeadDotProductAttention(numHeads: int, *, qkvFeatures?: int | null, outFeatures?: int | null, dropoutRate?: number = 0, " +
      `deterministic?: bool | null, useBias?: bool = true, kernelInit?: fn, biasInit?: fn, paramDtype?: dtype = "float32", ${NAME}) ~1`,
    "SelfAttention = MultiHeadDotProductAttention",
    `Sequential(layers: fns, *, ${NAME}) ~1`,
  ],
  // Methods of every module (a trailing options object; the inputs before it are any pytrees).
  "nn.Module": [
    "init(rngs: key | object, ...inputs: tree, *, method?: string)",
    "initWithOutput = init",
    "apply(variables: object, ...inputs: tree, *, mutable?: bool | string | list, rngs?: object, method?: string)",
  ],
};

export const OPTIM: DeclarationTable = {
  optim: [
    // Optimizers (optax.sgd, adam, ...): optax's positional order, every optional one also an option.
    `sgd(${LR}, momentum?: number | null, nesterov?: bool = false) ~1`,
    `adam(${LR}, b1?: number = 0.9, b2?: number = 0.999, eps?: number = 1e-8, epsRoot?: number = 0) ~1`,
    `adamw(${LR}, b1?: number = 0.9, b2?: number = 0.999, eps?: number = 1e-8, epsRoot?: number = 0, *, weightDecay?: number = 0.0001, ${MASK}) ~1`,
    `rmsprop(${LR}, decay?: number = 0.9, eps?: number = 1e-8, initialScale?: number = 0, *, momentum?: number | null, nesterov?: bool = false) ~1`,
    `adagrad(${LR}, initialAccumulatorValue?: number = 0.1, eps?: number = 1e-7) ~1`,
    `lion(${LR}, b1?: number = 0.9, b2?: number = 0.99, *, weightDecay?: number = 0.001, ${MASK}) ~1`,
    // Gradient transformations.
    "applyUpdates(params: tree, updates: tree)",
    "chain(...transforms: object)",
    "identity()",
    "scale(factor: number)",
    `scaleByLearningRate(${LR}, flipSign?: bool = true)`,
    "scaleBySchedule(schedule: fn)",
    "trace(*, decay: number, nesterov?: bool = false) ~0",
    "scaleByAdam(*, b1?: number = 0.9, b2?: number = 0.999, eps?: number = 1e-8, epsRoot?: number = 0) ~0",
    "scaleByRms(*, decay?: number = 0.9, eps?: number = 1e-8, initialScale?: number = 0) ~0",
    "scaleByRss(*, initialAccumulatorValue?: number = 0.1, eps?: number = 1e-7) ~0",
    "scaleByLion(*, b1?: number = 0.9, b2?: number = 0.99) ~0",
    `addDecayedWeights(weightDecay: number, ${MASK})`,
    "masked(inner: object, mask: object | list | fn)",
    "globalNorm(tree: tree)",
    "clipByGlobalNorm(maxNorm: number)",
    "clip(maxDelta: number)",
    // Schedules: step -> value (the options-object form, as written in the engine's examples).
    "constantSchedule(value: number)",
    "exponentialDecay(*, initValue: number, transitionSteps: number, decayRate: number, transitionBegin?: number = 0, staircase?: bool = false, endValue?: number) ~0",
    "linearSchedule(*, initValue: number, endValue: number, transitionSteps: number, transitionBegin?: number = 0) ~0",
    "cosineDecay(*, initValue: number, decaySteps: number, alpha?: number = 0, exponent?: number = 1) ~0",
    "joinSchedules(schedules: fns, boundaries: numbers)",
    "warmupCosineDecay(*, initValue: number, peakValue: number, warmupSteps: number, decaySteps: number, endValue?: number = 0, exponent?: number = 1) ~0",
    "warmupExponentialDecay(*, initValue: number, peakValue: number, warmupSteps: number, transitionSteps: number, decayRate: number, " +
      "transitionBegin?: number = 0, staircase?: bool = false, endValue?: number) ~0",
    "piecewiseConstantSchedule(initValue: number, boundariesAndScales: object)",
  ],
};

export const LOSSES: DeclarationTable = {
  losses: [
    "sigmoidBinaryCrossEntropy(logits: array, labels: array)",
    "softmaxCrossEntropy, softmaxCrossEntropyWithIntegerLabels(logits: array, labels: array, axis?: int = -1)",
    "l2Loss, squaredError(predictions: array, targets?: array | null)",
    "huberLoss(predictions: array, targets?: array | null, delta?: number = 1)",
    "cosineSimilarity, cosineDistance(predictions: array, targets: array, epsilon?: number = 0)",
  ],
};

export const TREE: DeclarationTable = {
  tree: [
    "flatten, leaves, structure(tree: tree, isLeaf?: fn | null)",
    "unflatten(treedef: any, leaves: list)",
    "map(f: fn, tree: tree, ...rest: tree)",
    "reduce(f: fn, tree: tree, initializer: any)",
    "transpose(outerTreedef: any, innerTreedef: any, tree: tree)",
    "registerPytreeNode(nodetype: fn, flattenFunc: fn, unflattenFunc: fn)",
  ],
};
