/**
 * The engine's shape and dtype rules, imported from their source: one source of truth, and no
 * build order between the packages (esbuild bundles them; tsx runs them in tests). This is the
 * only file of the language server that reaches into the engine.
 */
export * from "../../../engine/src/shape/index.js";
export { promoteTypes, type DType, type TypedDType } from "../../../engine/src/dtype.js";
// The engine's declared signatures (parameter order, options, types): the same table the
// engine validates calls with, so the server gives the same verdict on a call's arguments.
export { SIGNATURES, ARRAY_METHODS, VARIADIC_METHODS, describeTypes, closestName, type Signature, type Param, type TypeAtom } from "../../../engine/src/signatures/index.js";
export { DTYPE_ALIASES, DTYPES as ENGINE_DTYPES, SHORT_NAME, accumulationDType, isFloat as isFloatDType, isInt as isIntDType } from "../../../engine/src/dtype.js";
