/**
 * Every public function's declared signature, by path ("np.sum", "nn.softmax", "random.normal",
 * "lax.scan", "grad"). Pure data: imported by the engine (api/declared.ts), the language server
 * (through its engineShapes.ts) and scripts/api-coverage.ts.
 */
import { parseTable, type Signature } from "./signature.js";
import { NUMPY } from "./numpy.js";
import { LAX, NN, RANDOM, SCIPY, TRANSFORMS } from "./others.js";

export const DECLARATIONS = { ...NUMPY, ...NN, ...LAX, ...RANDOM, ...SCIPY, ...TRANSFORMS };
export const SIGNATURES: ReadonlyMap<string, Signature> = parseTable(DECLARATIONS);
export * from "./signature.js";
export { ARRAY_METHODS, VARIADIC_METHODS } from "./methods.js";
