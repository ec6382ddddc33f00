/**
 * The engine's shape and dtype rules, imported from their source: one source of truth, and no
 * build order between the packages (esbuild bundles them; tsx runs them in tests). This is the
 * only file of the language server that reaches into the engine.
 */
export * from "../../../engine/src/shape/index.js";
export { promoteTypes, type DType, type TypedDType } from "../../../engine/src/dtype.js";
