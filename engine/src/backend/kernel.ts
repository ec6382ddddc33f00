import type { DType } from "../dtype.js";
import type { ShapedArray } from "../ir/aval.js";
import type { BinaryPrimitive, ParamsOf, Primitive, UnaryPrimitive } from "../ir/primitives.js";
import type { SourceLocation } from "../ir/source.js";

/**
 * The kernel IR that jit hands to backends: fused loops over an iteration shape, and calls of
 * single primitives that do not fuse (matmul, gather, sort, control flow ...).
 *
 * A fused kernel computes, for every index `idx` of its iteration shape, the scalar expression
 * `expr`, whose leaves load input buffers at `offset + sum_i idx[i] * strides[i]` (so
 * broadcasting is a zero stride, a transpose permuted strides, a slice an offset and scaled
 * strides, a flip a negative stride). With `reduce`, the values are combined over the given
 * axes of the iteration shape and the output has the remaining axes, row-major.
 */
export type Expr =
  | { readonly op: "load"; readonly input: number; readonly strides: readonly number[]; readonly offset: number; readonly dtype: DType }
  | { readonly op: "const"; readonly value: number; readonly dtype: DType }
  /** The index along one iteration axis (fused iota). */
  | { readonly op: "index"; readonly axis: number; readonly dtype: DType }
  | { readonly op: UnaryPrimitive | BinaryPrimitive | "select" | "clamp"; readonly args: readonly Expr[]; readonly dtype: DType }
  | { readonly op: "convert"; readonly args: readonly [Expr]; readonly dtype: DType };

export type ReduceOp = "sum" | "max" | "min" | "prod" | "and" | "or";

export interface FusedKernel {
  readonly kind: "fused";
  /** Iteration shape. */
  readonly shape: readonly number[];
  readonly expr: Expr;
  /** Reduction over axes of the iteration shape, or null for an elementwise kernel. */
  readonly reduce: { readonly op: ReduceOp; readonly axes: readonly number[] } | null;
  readonly inputs: readonly ShapedArray[];
  readonly output: ShapedArray;
}

/** Index of a buffer slot of a program: inputs first, then constants, then intermediates. */
export type Slot = number;

export type Step =
  // `source` is the equation an error names; `sources` every user line fused into the step
  // (for a kernel: each equation fused into it; for an op with an epilogue: the op's and the
  // epilogue's), which the profiler reports.
  | { readonly kind: "kernel"; readonly kernel: FusedKernel; readonly inputs: readonly Slot[]; readonly output: Slot; readonly source?: SourceLocation; readonly sources?: readonly SourceLocation[]; readonly label: string }
  | OpStep
  /** Releases slots whose last use has passed (the memory plan). */
  | { readonly kind: "free"; readonly slots: readonly Slot[] };

/** One primitive run as it is (a step that does not fuse), for each primitive: `s.prim === "sort"` types `s.params`. */
export type OpStep = { [P in Primitive]: OpStepOf<P> }[Primitive];
export interface OpStepOf<P extends Primitive> {
  readonly kind: "op"; readonly prim: P; readonly params: ParamsOf<P>; readonly inputs: readonly Slot[]; readonly outputs: readonly Slot[];
  readonly source?: SourceLocation; readonly sources?: readonly SourceLocation[]; readonly epilogue?: Epilogue;
}

/**
 * An elementwise kernel applied to an op's result before it is stored (e.g. bias + relu after a
 * matmul), made only for backends that declare `fusesEpilogues`. The kernel's input
 * `resultInput` is the op's result, read with identity strides over the kernel's iteration
 * shape (the op's output shape); its other inputs are `inputs[i]` (the entry at resultInput is
 * unused, -1). The step's output slot receives the kernel's result.
 */
export interface Epilogue { readonly kernel: FusedKernel; readonly resultInput: number; readonly inputs: readonly Slot[] }

/**
 * A lowered jit program: straight-line steps over numbered buffer slots. Slot i < numInputs
 * holds the i-th input; `constants` fill the next slots; outputs may alias inputs or constants.
 */
export interface Program {
  readonly slots: readonly ShapedArray[];
  readonly numInputs: number;
  readonly constants: readonly { readonly slot: Slot; readonly data: ArrayLike<number>; readonly aval: ShapedArray }[];
  readonly steps: readonly Step[];
  readonly outputs: readonly Slot[];
  /** Printable form, for debugging and snapshots. */
  toString(): string;
}
