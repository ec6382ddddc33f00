import { DeviceArray } from "../array.js";
import { isFloat } from "../dtype.js";
import { asArray } from "../numpy/convert.js";
import { flatten, unflatten, type TreeDef } from "../tree.js";
import { LocatedTypeError, LocatedRangeError } from "../ir/source.js";

/** Helpers shared by the transformations: argnums, and pytrees <-> flat lists of arrays. */
export type Argnums = number | readonly number[];

export function normalizeArgnums(what: string, argnums: Argnums, nargs: number): number[] {
  const list = typeof argnums === "number" ? [argnums] : [...argnums];
  return list.map((a) => {
    const n = a < 0 ? a + nargs : a;
    if (!Number.isInteger(n) || n < 0 || n >= nargs) throw new LocatedRangeError(`${what}: argnums ${a} is out of range for a call with ${nargs} argument(s)`);
    return n;
  });
}

/** Flattens a pytree to arrays (JS numbers become weakly typed scalars). */
export function flattenArrays(tree: unknown, what: string): [DeviceArray[], TreeDef] {
  const [leaves, def] = flatten(tree);
  return [leaves.map((x, i) => {
    if (x instanceof DeviceArray) return x;
    if (typeof x === "number" || typeof x === "boolean") return asArray(x);
    throw new LocatedTypeError(`${what}: argument leaf ${i} is a ${typeof x} (${String(x).slice(0, 40)}); only arrays and numbers can be traced (mark it static)`);
  }), def];
}

export function checkDifferentiable(what: string, leaves: readonly DeviceArray[], argIndex: number) {
  for (const x of leaves) {
    if (!isFloat(x.dtype)) {
      throw new LocatedTypeError(`${what}: differentiated argument ${argIndex} has a leaf of dtype ${x.dtype} (${x.aval}); ` +
        `${what} requires floating-point inputs: convert with astype("float32"), or leave it out of argnums`);
    }
  }
}

export { unflatten };
