/**
 * Every public function's declared signature, by path ("np.sum", "nn.softmax", "random.normal",
 * "lax.scan", "grad"). Pure data: imported by the engine (api/declared.ts), the language server
 * (through its engineShapes.ts) and scripts/api-coverage.ts.
 */
import { parseTable, type Signature } from "./signature.js";
import { NUMPY } from "./numpy.js";
import { LAX, NN, RANDOM, SCIPY, TRANSFORMS } from "./others.js";
import { LOSSES, MODULES, OPTIM, TREE } from "./library.js";

export const DECLARATIONS = { ...NUMPY, ...NN, ...LAX, ...RANDOM, ...SCIPY, ...TRANSFORMS };
export const SIGNATURES: ReadonlyMap<string, Signature> = parseTable(DECLARATIONS);
/**
 * The library layers' declarations (library.ts): nn's module constructors ("nn.Dense") and
 * Module methods ("nn.Module.apply"), optim, losses and tree. Apart from SIGNATURES so that its
 * readers opt in; ALL_SIGNATURES is both (parsed together: a path declared twice is an error).
 */
export const LIBRARY_DECLARATIONS = { ...MODULES, ...OPTIM, ...LOSSES, ...TREE };
export const LIBRARY_SIGNATURES: ReadonlyMap<string, Signature> = parseTable(LIBRARY_DECLARATIONS);
export const ALL_SIGNATURES: ReadonlyMap<string, Signature> = (() => {
  const all = new Map(SIGNATURES);
  for (const [path, sig] of LIBRARY_SIGNATURES) {
    if (all.has(path)) throw new Error(`${path} is declared twice`);
    all.set(path, sig);
  }
  return all;
})();
export * from "./signature.js";
export { ARRAY_METHODS, VARIADIC_METHODS } from "./methods.js";
