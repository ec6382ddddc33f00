import { isBool, isFloat, isInt, isNarrowed, type DType } from "../dtype.js";
import { broadcastShapes } from "../shape/broadcast.js";
import { dotGeneralShape } from "../shape/linalg.js";
import { convShape } from "../shape/conv.js";
import { concatenateShape, padShape, reduceShape, reshapeShape, sliceShape, takeShape, transposeShape } from "../shape/structure.js";
import { normalizeAxis, ShapeError } from "../shape/errors.js";
import { ShapedArray } from "./aval.js";
import { sameAval, sameParams } from "./structural.js";
import { rulesFor } from "./rule-table.js";
import { BINARY_PRIMITIVES, COMPARISONS, UNARY_PRIMITIVES, type BinaryPrimitive, type ParamsOf, type Primitive, type UnaryPrimitive } from "./primitives.js";

/** Shape rule of a primitive: output avals from input avals, or a ShapeError naming the op. */
export type ShapeRule<P extends Primitive> = (avals: readonly ShapedArray[], params: ParamsOf<P>) => ShapedArray[];

const nums = (s: readonly (number | string)[]) => s as number[];
const allWeak = (avals: readonly ShapedArray[]) => avals.every((a) => a.weak);

function sameDTypes(op: string, avals: readonly ShapedArray[]): DType {
  const d = avals[0]!.dtype;
  for (const a of avals) if (a.dtype !== d) {
    throw new ShapeError(op, "dtypes differ", avals.map((x) => x.shape), `${op}: operand dtypes differ: ${avals.map(String).join(", ")} (convert with astype first)`);
  }
  return d;
}

const FLOAT_ONLY = new Set<string>(["exp", "exp2", "log", "log1p", "expm1", "sqrt", "rsqrt", "cbrt", "sin", "cos", "tan", "asin", "acos", "atan",
  "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "logistic", "erf", "erfc", "erf_inv", "lgamma", "digamma", "atan2", "nextafter", "reciprocal"]);
const INT_OR_BOOL = new Set<string>(["and", "or", "xor", "not"]);
const INT_ONLY = new Set<string>(["shift_left", "shift_right_logical", "shift_right_arithmetic"]);

function checkKind(op: string, a: ShapedArray) {
  if (FLOAT_ONLY.has(op) && !isFloat(a.dtype)) throw new ShapeError(op, "needs a floating-point operand", [a.shape], `${op}: needs a floating-point operand, got ${a} (use astype("float32"))`);
  if (INT_OR_BOOL.has(op) && isFloat(a.dtype)) throw new ShapeError(op, "needs an integer or bool operand", [a.shape], `${op}: needs an integer or bool operand, got ${a}`);
  if (INT_ONLY.has(op) && !isInt(a.dtype)) throw new ShapeError(op, "needs an integer operand", [a.shape], `${op}: needs an integer operand, got ${a}`);
}

const unary = (op: UnaryPrimitive): ShapeRule<UnaryPrimitive> => ([a]) => {
  checkKind(op, a!);
  return [new ShapedArray(a!.shape, op === "is_finite" ? "bool" : a!.dtype, op === "is_finite" ? false : a!.weak)];
};

const binary = (op: BinaryPrimitive): ShapeRule<BinaryPrimitive> => (avals) => {
  // Same-typed operands of one shape give that type back (the hot path of eager mode).
  const a0 = avals[0]!, a1 = avals[1]!;
  if (!COMPARISONS.has(op) && a0.equals(a1) && !FLOAT_ONLY.has(op) && !INT_OR_BOOL.has(op) && !INT_ONLY.has(op)) return [a0];
  const dtype = sameDTypes(op, avals);
  checkKind(op, avals[0]!);
  const shape = nums(broadcastShapes(op, ...avals.map((a) => a.shape)));
  return COMPARISONS.has(op) ? [new ShapedArray(shape, "bool")] : [new ShapedArray(shape, dtype, allWeak(avals))];
};

const reduce = (op: string): ShapeRule<"reduce_sum" | "reduce_max" | "reduce_min" | "reduce_prod" | "reduce_and" | "reduce_or"> => ([a], { axes }) => [new ShapedArray(nums(reduceShape(op, a!.shape, axes)), a!.dtype, a!.weak)];
const cumulative = (op: string): ShapeRule<"cumsum" | "cumprod" | "cummax" | "cummin"> => ([a], { axis }) => { normalizeAxis(op, axis, a!.ndim, a!.shape); return [a!]; };
const argReduce = (op: string): ShapeRule<"argmax" | "argmin"> => ([a], { axis, indexDtype }) => [new ShapedArray(nums(reduceShape(op, a!.shape, axis)), indexDtype)];

const table = {
  ...rulesFor(UNARY_PRIMITIVES, unary), ...rulesFor(BINARY_PRIMITIVES, binary),
  select: ([c, x, y]) => {
    if (!isBool(c!.dtype)) throw new ShapeError("where", "condition must be bool", [c!.shape], `where: condition must be bool, got ${c}`);
    const dtype = sameDTypes("where", [x!, y!]);
    return [new ShapedArray(nums(broadcastShapes("where", c!.shape, x!.shape, y!.shape)), dtype, x!.weak && y!.weak)];
  },
  clamp: ([lo, x, hi]) => {
    const dtype = sameDTypes("clip", [lo!, x!, hi!]);
    return [new ShapedArray(nums(broadcastShapes("clip", lo!.shape, x!.shape, hi!.shape)), dtype, x!.weak)];
  },
  convert_element_type: ([a], { dtype, weak }) => [new ShapedArray(a!.shape, dtype, weak)],
  bitcast_convert_type: ([a], { dtype }) => {
    // Only between the 32-bit types or float64 with itself: narrow dtypes are held widened (dtype.ts).
    if ((a!.dtype === "float64") !== (dtype === "float64") || a!.dtype === "bool" || dtype === "bool" || isNarrowed(a!.dtype) || isNarrowed(dtype)) {
      throw new ShapeError("bitcast_convert_type", "bit widths differ", [a!.shape], `bitcast_convert_type: cannot bitcast ${a!.dtype} to ${dtype} (different bit widths)`);
    }
    return [new ShapedArray(a!.shape, dtype)];
  },
  stop_gradient: ([a]) => [a!],

  broadcast_in_dim: ([a], { shape, broadcastDimensions }) => {
    if (broadcastDimensions.length !== a!.ndim) throw new ShapeError("broadcast_in_dim", "dimension count", [a!.shape, shape]);
    broadcastDimensions.forEach((d, i) => {
      if (a!.shape[i] !== 1 && a!.shape[i] !== shape[d]) {
        throw new ShapeError("broadcast_in_dim", "incompatible dims", [a!.shape, shape], `broadcast_in_dim: operand ${a} cannot broadcast to [${shape}] along dimension ${d}`);
      }
    });
    return [new ShapedArray(shape, a!.dtype, a!.weak)];
  },
  reshape: ([a], { shape }) => [new ShapedArray(nums(reshapeShape(a!.shape, shape)), a!.dtype, a!.weak)],
  transpose: ([a], { permutation }) => [new ShapedArray(nums(transposeShape(a!.shape, permutation)), a!.dtype, a!.weak)],
  rev: ([a], { dimensions }) => { dimensions.forEach((d) => normalizeAxis("flip", d, a!.ndim, a!.shape)); return [a!]; },
  slice: ([a], { start, limit, strides }) => [new ShapedArray(nums(sliceShape(a!.shape, start, limit, strides ?? undefined)), a!.dtype, a!.weak)],
  pad: ([a, v], { config }) => {
    sameDTypes("pad", [a!, v!]);
    if (v!.ndim !== 0) throw new ShapeError("pad", "padding value must be a scalar", [a!.shape, v!.shape]);
    return [new ShapedArray(nums(padShape(a!.shape, config)), a!.dtype, a!.weak)];
  },
  concatenate: (avals, { axis }) => {
    const dtype = sameDTypes("concatenate", avals);
    return [new ShapedArray(nums(concatenateShape(avals.map((a) => a.shape), axis)), dtype, allWeak(avals))];
  },
  dynamic_slice: ([a, ...idx], { sizes }) => {
    if (idx.length !== a!.ndim || sizes.length !== a!.ndim) throw new ShapeError("dynamic_slice", "index count", [a!.shape], `dynamic_slice: ${idx.length} start indices and ${sizes.length} sizes for an array of rank ${a!.ndim}`);
    sizes.forEach((s, i) => { if (s > a!.shape[i]! || s < 0) throw new ShapeError("dynamic_slice", "slice larger than operand", [a!.shape, sizes]); });
    return [new ShapedArray(sizes, a!.dtype, a!.weak)];
  },
  dynamic_update_slice: ([a, u, ...idx]) => {
    sameDTypes("dynamic_update_slice", [a!, u!]);
    if (idx.length !== a!.ndim || u!.ndim !== a!.ndim || u!.shape.some((d, i) => d > a!.shape[i]!)) {
      throw new ShapeError("dynamic_update_slice", "update does not fit", [a!.shape, u!.shape], `dynamic_update_slice: update ${u} does not fit in operand ${a}`);
    }
    return [a!];
  },
  gather: ([a, idx], { axis }) => {
    if (!isInt(idx!.dtype)) throw new ShapeError("take", "indices must be integers", [a!.shape, idx!.shape], `take: indices must be integers, got ${idx}`);
    return [new ShapedArray(nums(takeShape(a!.shape, idx!.shape, axis)), a!.dtype, a!.weak)];
  },
  scatter: ([a, idx, u], { axis }) => {
    sameDTypes("scatter", [a!, u!]);
    const expected = nums(takeShape(a!.shape, idx!.shape, axis));
    if (u!.ndim !== expected.length || u!.shape.some((d, i) => d !== expected[i])) {
      throw new ShapeError("scatter", "updates shape", [a!.shape, idx!.shape, u!.shape], `scatter: updates ${u} must have shape [${expected}] for operand ${a} and indices ${idx}`);
    }
    return [a!];
  },
  iota: (_, { dtype, shape }) => [new ShapedArray(shape, dtype)],

  reduce_sum: reduce("sum"), reduce_max: reduce("max"), reduce_min: reduce("min"), reduce_prod: reduce("prod"),
  reduce_and: reduce("all"), reduce_or: reduce("any"),
  argmax: argReduce("argmax"), argmin: argReduce("argmin"),
  cumsum: cumulative("cumsum"), cumprod: cumulative("cumprod"), cummax: cumulative("cummax"), cummin: cumulative("cummin"),

  dot_general: ([a, b], { dimensionNumbers, preferredElementType }) => {
    const dtype = sameDTypes("dot_general", [a!, b!]);
    return [new ShapedArray(nums(dotGeneralShape(a!.shape, b!.shape, dimensionNumbers, () => [String(a), String(b)])), preferredElementType ?? dtype, a!.weak && b!.weak)];
  },
  conv_general_dilated: ([l, r], p) => {
    const dtype = sameDTypes("conv", [l!, r!]);
    return [new ShapedArray(nums(convShape(l!.shape, r!.shape, p)), dtype)];
  },
  sort: (avals, { dimension }) => {
    avals.forEach((a) => {
      if (a.ndim !== avals[0]!.ndim || a.shape.some((d, i) => d !== avals[0]!.shape[i])) throw new ShapeError("sort", "operand shapes differ", avals.map((x) => x.shape));
    });
    normalizeAxis("sort", dimension, avals[0]!.ndim, avals[0]!.shape);
    return [...avals];
  },
  threefry2x32: (avals) => {
    for (const a of avals) if (a.dtype !== "uint32") throw new ShapeError("threefry2x32", "operands must be uint32", avals.map((x) => x.shape));
    const shape = nums(broadcastShapes("threefry2x32", ...avals.map((a) => a.shape)));
    return [new ShapedArray(shape, "uint32"), new ShapedArray(shape, "uint32")];
  },
  pjit: (_, { jaxpr }) => jaxpr.outAvals,
  custom_jvp_call: (_, { call }) => call.outAvals,
  custom_vjp_call: (_, { call }) => call.outAvals,
  cond: ([index], { branches }) => {
    if (!isInt(index!.dtype) && !isBool(index!.dtype)) throw new ShapeError("cond", "index must be an integer or bool scalar", [index!.shape]);
    return branches[0]!.outAvals;
  },
  scan: (avals, { body, numConsts, numCarry, length }) => {
    const carry = avals.slice(numConsts, numConsts + numCarry);
    const ys = body.outAvals.slice(numCarry).map((a) => new ShapedArray([length, ...a.shape], a.dtype, a.weak));
    return [...carry, ...ys];
  },
  while: (avals, { condNumConsts, bodyNumConsts }) => avals.slice(condNumConsts + bodyNumConsts),
} satisfies { [P in Primitive]: ShapeRule<P> };

export const shapeRules: { readonly [P in Primitive]: ShapeRule<P> } = table;

/**
 * The last few results of each primitive's shape rule, matched by value. Eager code asks the
 * same questions over and over (a training step's ops have the same shapes every step), and a
 * rule that broadcasts or normalizes axes costs several times more than the match. Results are
 * immutable and shared; rules that throw are not remembered.
 */
interface Memo { avals: readonly ShapedArray[]; params: unknown; out: ShapedArray[] }
const MEMO_PER_PRIMITIVE = 8;
const memo = new Map<Primitive, Memo[]>();

function remembered(list: Memo[], avals: readonly ShapedArray[], params: unknown): ShapedArray[] | undefined {
  const n = avals.length;
  for (let h = 0; h < list.length; h++) {
    const e = list[h]!;
    if (e.avals.length !== n) continue;
    let ok = true;
    for (let i = 0; i < n; i++) if (!sameAval(e.avals[i]!, avals[i]!)) { ok = false; break; }
    if (ok && sameParams(e.params, params)) {
      if (h > 0) { list[h] = list[h - 1]!; list[h - 1] = e; }  // frequent questions drift to the front
      return e.out;
    }
  }
  return undefined;
}

/** Their params hold whole programs: not worth keeping alive for a cheap rule. (They never reach Backend.execute.) */
const UNREMEMBERED = new Set<Primitive>(["pjit", "cond", "scan", "while", "custom_jvp_call", "custom_vjp_call"]);

export function abstractEval<P extends Primitive>(prim: P, avals: readonly ShapedArray[], params: ParamsOf<P>): ShapedArray[] {
  const rule: ShapeRule<P> = shapeRules[prim];
  if (UNREMEMBERED.has(prim)) return rule(avals, params);
  let list = memo.get(prim);
  if (list) {
    const hit = remembered(list, avals, params);
    if (hit) return hit;
  } else memo.set(prim, (list = []));
  // A copy: each remembered answer is an array of its own, which eager mode hands the backend as
  // the question's identity (Backend.execute).
  const out = rule(avals, params).slice();
  if (list.length >= MEMO_PER_PRIMITIVE) list.pop();
  list.unshift({ avals: avals.slice(), params, out });
  return out;
}
