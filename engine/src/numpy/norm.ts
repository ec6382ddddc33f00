import type { DeviceArray } from "../array.js";
import * as l from "../lax/primitives.js";
import { LocatedError, normalizeAxis } from "./checks.js";
import { promoteFloat, type ArrayLike } from "./convert.js";
import { matrixNormOf } from "./decompositions.js";

// np.linalg.norm: its own module because its matrix norms 2 and "nuc" come from the SVD
// (decompositions.ts), which builds on linalg.ts's matmul; in linalg.ts it made a cycle.

export function norm(x: ArrayLike, opts: { ord?: number | "fro" | "nuc" | null; axis?: number | readonly number[] | null; keepdims?: boolean } = {}): DeviceArray {
  const a = promoteFloat(x)[0]!;
  const axes = opts.axis === undefined || opts.axis === null ? [...a.shape.keys()] : (typeof opts.axis === "number" ? [opts.axis] : [...opts.axis]).map((i) => normalizeAxis("norm", i, a.ndim, a.shape));
  const ord = opts.ord ?? null;
  if ((ord === "fro" || ord === "nuc") && axes.length !== 2) throw new LocatedError(`norm: ord=${JSON.stringify(ord)} is a matrix norm and needs two axes, got ${axes.length}`);
  if (ord !== null && axes.length > 2) throw new LocatedError(`norm: ord=${String(ord)} needs one axis (a vector norm) or two (a matrix norm), got ${axes.length}: pass axis`);
  let r: DeviceArray;
  if (axes.length === 2 && ord !== null) {
    if (axes[0] === axes[1]) throw new LocatedError("norm: the two axes of a matrix norm must differ");
    r = matrixNormOf(a, ord, axes[0]!, axes[1]!);
  } else if (ord === null || ord === 2 && axes.length === 1) r = l.sqrt(l.reduceSum(l.square(a), axes));
  else if (ord === Infinity) r = l.reduceMax(l.abs(a), axes);
  else if (ord === -Infinity) r = l.reduceMin(l.abs(a), axes);
  else if (ord === 1 && axes.length === 1) r = l.reduceSum(l.abs(a), axes);
  else if (ord === 0) r = l.reduceSum(l.convert(l.ne(a, l.scalarLike(a, 0)), a.dtype), axes);
  else if (typeof ord === "number" && axes.length === 1) r = l.pow(l.reduceSum(l.pow(l.abs(a), l.scalarLike(a, ord)), axes), l.scalarLike(a, 1 / ord));
  else throw new LocatedError(`norm: ord=${ord} over ${axes.length} axes is not supported (vector norms and the Frobenius norm are)`);
  return opts.keepdims ? l.reshape(r, a.shape.map((d, i) => (axes.includes(i) ? 1 : d))) : r;
}
