import type { DType } from "../dtype.js";
import type { DotDimensionNumbers } from "../shape/linalg.js";
import type { Padding } from "../shape/conv.js";
import type { Jaxpr } from "./jaxpr.js";
import type { DeviceArray } from "../array.js";

/** A custom derivative rule of custom_jvp_call: (primals, tangents) -> [outputs, output tangents], over the call's non-constant inputs. */
export type CustomJvpRule = (primals: readonly DeviceArray[], tangents: readonly DeviceArray[]) => [DeviceArray[], DeviceArray[]];
/** custom_vjp_call's forward pass: arguments -> [outputs, residuals]. */
export type CustomFwd = (args: readonly DeviceArray[]) => [DeviceArray[], DeviceArray[]];
/** custom_vjp_call's backward pass: (residuals, output cotangents) -> cotangents of the arguments (null: zero). */
export type CustomBwd = (residuals: readonly DeviceArray[], cts: readonly DeviceArray[]) => (DeviceArray | null)[];
/**
 * What reverse mode keeps on its tape for a pjit call (ad/pjit-rules.ts): the backward program,
 * (consts..., inputs..., residuals..., float output cotangents...) -> cotangents of the wanted
 * inputs, and the residuals the forward program computed.
 */
export interface PjitTape {
  readonly backward: { readonly jaxpr: Jaxpr; readonly consts: readonly DeviceArray[] };
  readonly wanted: readonly boolean[];
  readonly residuals: readonly DeviceArray[];
}

/**
 * Every primitive of the engine with its static parameters. Each interpretation (shape rule,
 * JVP, VJP, batching, backend kernels) is a table keyed by these names, so a primitive without
 * a rule is a compile error.
 */
export interface UnaryParams {}
export interface BinaryParams {}

export const UNARY_PRIMITIVES = [
  "neg", "sign", "floor", "ceil", "round", "abs", "exp", "exp2", "log", "log1p", "expm1", "sqrt", "rsqrt", "cbrt",
  "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
  "logistic", "erf", "erfc", "erf_inv", "lgamma", "digamma", "not", "is_finite", "square", "reciprocal",
] as const;
export const BINARY_PRIMITIVES = [
  "add", "sub", "mul", "div", "rem", "pow", "max", "min", "atan2", "nextafter",
  "and", "or", "xor", "eq", "ne", "lt", "le", "gt", "ge", "shift_left", "shift_right_logical", "shift_right_arithmetic",
] as const;
export type UnaryPrimitive = (typeof UNARY_PRIMITIVES)[number];
export type BinaryPrimitive = (typeof BINARY_PRIMITIVES)[number];
export const COMPARISONS = new Set<string>(["eq", "ne", "lt", "le", "gt", "ge"]);

export type ScatterMode = "set" | "add" | "mul" | "min" | "max";

export type PrimitiveParams = { [P in UnaryPrimitive]: UnaryParams } & { [P in BinaryPrimitive]: BinaryParams } & {
  /** (pred, onTrue, onFalse), numpy-broadcast: np.where. */
  select: {};
  /** Clamp (lo, x, hi). */
  clamp: {};
  convert_element_type: { dtype: DType; weak: boolean };
  bitcast_convert_type: { dtype: DType };
  /** Identity whose derivative is zero. */
  stop_gradient: {};

  broadcast_in_dim: { shape: readonly number[]; broadcastDimensions: readonly number[] };
  reshape: { shape: readonly number[] };
  transpose: { permutation: readonly number[] };
  rev: { dimensions: readonly number[] };
  slice: { start: readonly number[]; limit: readonly number[]; strides: readonly number[] | null };
  /** (operand, padValue) with (low, high, interior) per axis. */
  pad: { config: readonly (readonly [number, number, number])[] };
  concatenate: { axis: number };
  /** (operand, ...startIndices) with static sizes; starts are clamped into range, as in XLA. */
  dynamic_slice: { sizes: readonly number[] };
  /** (operand, update, ...startIndices). */
  dynamic_update_slice: {};
  /** np.take(operand, indices, axis), indices clamped into range. */
  gather: { axis: number };
  /** (operand, indices, updates): operand.at[(:,)*axis + (indices,)] op= updates. */
  scatter: { axis: number; mode: ScatterMode };
  iota: { dtype: DType; shape: readonly number[]; dimension: number };

  reduce_sum: { axes: readonly number[] };
  reduce_max: { axes: readonly number[] };
  reduce_min: { axes: readonly number[] };
  reduce_prod: { axes: readonly number[] };
  reduce_and: { axes: readonly number[] };
  reduce_or: { axes: readonly number[] };
  argmax: { axis: number; indexDtype: DType };
  argmin: { axis: number; indexDtype: DType };
  cumsum: { axis: number; reverse: boolean };
  cumprod: { axis: number; reverse: boolean };
  cummax: { axis: number; reverse: boolean };
  cummin: { axis: number; reverse: boolean };

  dot_general: { dimensionNumbers: DotDimensionNumbers; preferredElementType: DType | null };
  /** lhs [N, C, *spatial], rhs [O, I, *kernel] (lax's default dimension numbers). */
  conv_general_dilated: {
    strides: readonly number[]; padding: Padding; lhsDilation: readonly number[]; rhsDilation: readonly number[];
    featureGroupCount: number;
  };
  /** Sorts several same-shaped operands along an axis by the first numKeys of them (stable). */
  sort: { dimension: number; numKeys: number };

  /** Threefry-2x32 block cipher, 20 rounds: (k0, k1, x0, x1) -> (y0, y1), all uint32. */
  threefry2x32: {};

  /** Calls a traced program (jit): operands are the jaxpr's inputs. */
  pjit: { jaxpr: Jaxpr; name: string; tape?: PjitTape };
  /** (index, ...operands): runs branches[clamp(index)]. */
  cond: { branches: readonly Jaxpr[] };
  /** (...consts, ...carry, ...xs) -> (...carry, ...ys) */
  scan: { body: Jaxpr; length: number; reverse: boolean; numConsts: number; numCarry: number };
  /** (...condConsts, ...bodyConsts, ...carry) -> carry */
  while: { cond: Jaxpr; body: Jaxpr; condNumConsts: number; bodyNumConsts: number };
  /**
   * jax.custom_jvp: (...consts, ...args) -> call's outputs. Evaluated (and lowered) as `call`;
   * forward and reverse mode use `jvp` on the args (reverse mode transposes it), vmap batches both.
   */
  custom_jvp_call: { call: Jaxpr; numConsts: number; jvp: CustomJvpRule; name: string };
  /**
   * jax.custom_vjp: (...consts, ...args) -> call's outputs. Reverse mode runs `fwd` instead of
   * `call` and keeps its residuals on the tape (set there as `residuals`); the VJP is `bwd`.
   */
  custom_vjp_call: { call: Jaxpr; numConsts: number; fwd: CustomFwd; bwd: CustomBwd; name: string; residuals?: readonly DeviceArray[] };
};

export type Primitive = keyof PrimitiveParams;
export type ParamsOf<P extends Primitive> = PrimitiveParams[P];

/** Whether `prim` is `want`, narrowing its params (TypeScript does not narrow a generic P's params by comparing prim). */
export function hasParamsOf<Q extends Primitive>(want: Q, prim: Primitive, params: unknown): params is ParamsOf<Q> {
  return prim === want;
}

export const isUnary = (p: string): p is UnaryPrimitive => (UNARY_PRIMITIVES as readonly string[]).includes(p);
export const isBinary = (p: string): p is BinaryPrimitive => (BINARY_PRIMITIVES as readonly string[]).includes(p);
/** Elementwise primitives: broadcasting, fusible into one loop. */
export const ELEMENTWISE = new Set<string>([...UNARY_PRIMITIVES, ...BINARY_PRIMITIVES, "select", "clamp", "convert_element_type", "stop_gradient"]);
