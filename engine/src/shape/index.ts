/**
 * Shape rules: pure functions over shapes (numbers or symbolic dims), shared by the engine's
 * abstract evaluation and the language server's static analysis. No runtime state here.
 */
export * from "./dims.js";
export * from "./errors.js";
export * from "./broadcast.js";
export * from "./linalg.js";
export * from "./structure.js";
export * from "./conv.js";
export * from "./indexing.js";
export * from "./annotation.js";
export * from "./decompositions.js";
