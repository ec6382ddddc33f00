/** jax.nn functions, and Flax-linen-style modules, layers and initializers. */
export * from "./functions.js";
export { Module, Variable, Scope, freeze, unfreeze, formatTree, rngConfig, type RngStreams, type Variables, type ApplyOptions, type ModuleOptions } from "./module.js";
export * as initializers from "./initializers.js";
export { Dense, DenseGeneral, Embed } from "./layers/linear.js";
export { Conv, ConvTranspose } from "./layers/conv.js";
export { LayerNorm, RMSNorm, GroupNorm, BatchNorm } from "./layers/normalization.js";
export { Dropout } from "./layers/stochastic.js";
export { avgPool, maxPool, minPool } from "./layers/pooling.js";
export { MultiHeadDotProductAttention, SelfAttention, dotProductAttention, dotProductAttentionWeights, makeCausalMask } from "./layers/attention.js";
export { Sequential } from "./layers/combinators.js";
export { tabulate } from "./tabulate.js";
