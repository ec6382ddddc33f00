/** jax.random for TypeScript: threefry2x32 keys, bit-compatible with JAX in both of its schemes. */
export { key, PRNGKey, split, foldIn, keyData, bits } from "./keys.js";
export {
  uniform, normal, truncatedNormal, bernoulli, categorical, randint, permutation, choice, shuffle,
  gumbel, exponential, laplace, logistic,
} from "./distributions.js";
export { gamma, beta, dirichlet, poisson } from "./rejection.js";
