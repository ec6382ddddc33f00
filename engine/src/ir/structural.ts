import type { ShapedArray } from "./aval.js";

/**
 * Structural equality for the caches of the eager hot path (shape rules here, prepared kernels
 * in the native backend): eager code builds fresh avals and params objects for every call, so
 * caches match them by value, which is far cheaper than building a string key.
 */

/** Params compared by structure (small plain objects, arrays and primitives; anything else by identity). */
export function sameParams(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || depth > 3) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameParams(a[i], b[i], depth + 1)) return false;
    return true;
  }
  if (Array.isArray(b) || Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype) return false;
  let n = 0;
  for (const k in a) {
    if (!sameParams((a as any)[k], (b as any)[k], depth + 1)) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}

/** Same dtype and shape (weak types aside: kernels do not depend on them). */
export function sameShapeAndDType(a: ShapedArray, b: ShapedArray): boolean {
  if (a === b) return true;
  if (a.dtype !== b.dtype) return false;
  const x = a.shape, y = b.shape;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Same dtype, shape and weak type: the whole abstract value. */
export function sameAval(a: ShapedArray, b: ShapedArray): boolean {
  return a === b || (a.weak === b.weak && sameShapeAndDType(a, b));
}
