/** jax.nn functions (modules, layers and initializers live beside them). */
export * from "./functions.js";
