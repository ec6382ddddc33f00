import type { DeviceArray } from "../array.js";
import type { DType } from "../dtype.js";
import { bind, bind1 } from "../trace/trace.js";
import type { BinaryPrimitive, ScatterMode, UnaryPrimitive } from "../ir/primitives.js";
import type { DotDimensionNumbers } from "../shape/linalg.js";
import { scalar } from "../trace/constants.js";

/**
 * Thin wrappers that bind one primitive each (the lax level): operands must already agree in
 * dtype; elementwise operands broadcast by numpy rules. Transformation rules are written with
 * these, so they trace under any outer transformation.
 */
/** The params of primitives that take none: one shared object, so caches match it by identity. */
const NO_PARAMS = Object.freeze({});
export const unary = (p: UnaryPrimitive) => (x: DeviceArray) => bind1(p, [x], NO_PARAMS);
export const binary = (p: BinaryPrimitive) => (x: DeviceArray, y: DeviceArray) => bind1(p, [x, y], NO_PARAMS);

export const neg = unary("neg"), exp = unary("exp"), log = unary("log"), sin = unary("sin"), cos = unary("cos");
export const sqrt = unary("sqrt"), rsqrt = unary("rsqrt"), tanh = unary("tanh"), logistic = unary("logistic"), sign = unary("sign");
export const abs = unary("abs"), square = unary("square"), reciprocal = unary("reciprocal"), not = unary("not"), floor = unary("floor");
export const add = binary("add"), sub = binary("sub"), mul = binary("mul"), div = binary("div"), max = binary("max"), min = binary("min");
export const pow = binary("pow"), eq = binary("eq"), ne = binary("ne"), lt = binary("lt"), le = binary("le"), gt = binary("gt"), ge = binary("ge");
export const and = binary("and"), or = binary("or");

export const select = (c: DeviceArray, x: DeviceArray, y: DeviceArray) => bind1("select", [c, x, y], NO_PARAMS);
export const convert = (x: DeviceArray, dtype: DType, weak = false) =>
  x.dtype === dtype && x.weakType === weak ? x : bind1("convert_element_type", [x], { dtype, weak });
export const stopGradient = (x: DeviceArray) => bind1("stop_gradient", [x], NO_PARAMS);

/** A broadcast to the operand's own shape is the operand (arrays are immutable): no op. */
export const broadcastInDim = (x: DeviceArray, shape: readonly number[], broadcastDimensions: readonly number[]) =>
  isIdentityBroadcast(x._aval.shape, shape, broadcastDimensions) ? x : bind1("broadcast_in_dim", [x], { shape, broadcastDimensions });
function isIdentityBroadcast(from: readonly number[], to: readonly number[], dims: readonly number[]): boolean {
  if (from.length !== to.length || dims.length !== to.length) return false;
  for (let i = 0; i < to.length; i++) if (from[i] !== to[i] || dims[i] !== i) return false;
  return true;
}
export const reshape = (x: DeviceArray, shape: readonly number[]) =>
  sameShape(x.shape, shape) ? x : bind1("reshape", [x], { shape });
export const transpose = (x: DeviceArray, permutation: readonly number[]) =>
  permutation.every((p, i) => p === i) ? x : bind1("transpose", [x], { permutation });
export const rev = (x: DeviceArray, dimensions: readonly number[]) => (dimensions.length ? bind1("rev", [x], { dimensions }) : x);
export const slice = (x: DeviceArray, start: readonly number[], limit: readonly number[], strides: readonly number[] | null = null) =>
  bind1("slice", [x], { start, limit, strides });
export const pad = (x: DeviceArray, value: DeviceArray, config: readonly (readonly [number, number, number])[]) => bind1("pad", [x, value], { config });
export const concatenate = (xs: readonly DeviceArray[], axis: number) => (xs.length === 1 ? xs[0]! : bind1("concatenate", xs, { axis }));
export const dynamicSlice = (x: DeviceArray, starts: readonly DeviceArray[], sizes: readonly number[]) => bind1("dynamic_slice", [x, ...starts], { sizes });
export const dynamicUpdateSlice = (x: DeviceArray, update: DeviceArray, starts: readonly DeviceArray[]) => bind1("dynamic_update_slice", [x, update, ...starts], NO_PARAMS);
export const gather = (x: DeviceArray, indices: DeviceArray, axis: number) => bind1("gather", [x, indices], { axis });
export const scatter = (x: DeviceArray, indices: DeviceArray, updates: DeviceArray, axis: number, mode: ScatterMode) =>
  bind1("scatter", [x, indices, updates], { axis, mode });
export const iota = (dtype: DType, shape: readonly number[], dimension = 0) => bind1("iota", [], { dtype, shape, dimension });

export const reduceSum = (x: DeviceArray, axes: readonly number[]) => (axes.length ? bind1("reduce_sum", [x], { axes }) : x);
export const reduceMax = (x: DeviceArray, axes: readonly number[]) => (axes.length ? bind1("reduce_max", [x], { axes }) : x);
export const reduceMin = (x: DeviceArray, axes: readonly number[]) => (axes.length ? bind1("reduce_min", [x], { axes }) : x);
export const reduceProd = (x: DeviceArray, axes: readonly number[]) => (axes.length ? bind1("reduce_prod", [x], { axes }) : x);
export const cumsum = (x: DeviceArray, axis: number, reverse = false) => bind1("cumsum", [x], { axis, reverse });

export const dotGeneral = (a: DeviceArray, b: DeviceArray, dimensionNumbers: DotDimensionNumbers, preferredElementType: DType | null = null) =>
  bind1("dot_general", [a, b], { dimensionNumbers, preferredElementType });
export const sort = (xs: readonly DeviceArray[], dimension: number, numKeys = 1) => bind("sort", xs, { dimension, numKeys });

/** A scalar of x's dtype (weak when x is), to combine with x. */
export const scalarLike = (x: DeviceArray, value: number) => scalar(value, x.dtype, x.weakType);
/** An array of `value` with x's shape and dtype. */
export const fullLike = (x: DeviceArray, value: number) => broadcastInDim(scalarLike(x, value), x.shape, []);
export const zerosLike = (x: DeviceArray) => fullLike(x, 0);

/** Sums `ct` over the axes along which an operand of `shape` was broadcast, then reshapes to it. */
export function unbroadcast(ct: DeviceArray, shape: readonly number[]): DeviceArray {
  const out = ct.shape;
  if (sameShape(out, shape)) return ct;
  const lead = out.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < out.length; i++) if (i < lead || (shape[i - lead] === 1 && out[i] !== 1)) axes.push(i);
  return reshape(reduceSum(ct, axes), shape);
}

/** Broadcasts x (numpy rules) to `shape`. */
export function broadcastTo(x: DeviceArray, shape: readonly number[]): DeviceArray {
  if (sameShape(x.shape, shape)) return x;
  const lead = shape.length - x.ndim;
  const squeezed = x.shape.map((d, i) => (d === 1 && shape[lead + i] !== 1 ? -1 : i)).filter((i) => i >= 0);
  const base = squeezed.length === x.ndim ? x : reshape(x, squeezed.map((i) => x.shape[i]!));
  return broadcastInDim(base, shape, squeezed.map((i) => lead + i));
}

export function sameShape(a: readonly number[], b: readonly number[]) {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
