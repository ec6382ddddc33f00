import { BINARY_PRIMITIVES, UNARY_PRIMITIVES, type ParamsOf, type Primitive } from "../../ir/primitives.js";
import { NoRule, noRule, rulesFor } from "../../ir/rule-table.js";
import { ShapedArray } from "../../ir/aval.js";
import type { DType } from "../../dtype.js";
import type { Expr, FusedKernel, ReduceOp } from "../kernel.js";
import { broadcastStrides, contiguousStrides, reversedView, sizeOf } from "../reference/strided.js";
import { resolvePadding } from "../../shape/conv.js";
import { dotFreeAxes } from "../../shape/linalg.js";
import { DTYPE_CODE, OP, storageBytes } from "./codes.js";
import { encodeKernel, type OpCodes } from "./encode.js";

/** Where a native step reads or writes: an input/output of the primitive, or a temporary. */
export type Ref = { kind: "in" | "out" | "tmp"; index: number };

/** One addon op of a lowered primitive. */
export interface NativeStep { enc: Float64Array; outBytes: number[]; ins: Ref[]; outs: Ref[] }
export interface Lowered { steps: NativeStep[]; temps: number[] }

const inRef = (index: number): Ref => ({ kind: "in", index });
const outRef = (index: number): Ref => ({ kind: "out", index });
const bytesOf = (a: ShapedArray) => a.size * storageBytes(a.dtype);

type Avals = readonly ShapedArray[];
/** How the addon runs a primitive: its steps, or null where this case has no kernel (a dtype, an arity: the reference backend runs it). */
type NativeLowering<P extends Primitive> = (params: ParamsOf<P>, inAvals: Avals, outAvals: Avals, prim: P) => Lowered | null;

/** A primitive that is one fused kernel (elementwise, layout, reductions, iota): the kernel from its params. */
const asKernel = <P extends Primitive>(build: (params: ParamsOf<P>, inAvals: Avals, out: ShapedArray, prim: P) => FusedKernel): NativeLowering<P> =>
  (params, inAvals, outAvals, prim) => single(encodeKernel(build(params, inAvals, outAvals[0]!, prim), opCodesRef.current!), outAvals, inAvals.length);

const fused = (inAvals: Avals, out: ShapedArray, expr: Expr, shape: readonly number[] = out.shape, reduce: FusedKernel["reduce"] = null): FusedKernel =>
  ({ kind: "fused", shape, expr, reduce, inputs: inAvals, output: out });
const load = (inAvals: Avals, i: number, strides: readonly number[], offset = 0): Expr =>
  ({ op: "load", input: i, strides, offset, dtype: inAvals[i]!.dtype });
const bload = (inAvals: Avals, out: ShapedArray, i: number) => load(inAvals, i, broadcastStrides(inAvals[i]!.shape, out.shape));

/** The op applied to its operands broadcast to the output (unary, binary, select, clamp). */
const elementwise = asKernel<Primitive>((_p, inAvals, out, prim) =>
  fused(inAvals, out, { op: prim, args: inAvals.map((_, i) => bload(inAvals, out, i)), dtype: out.dtype } as Expr));
type Reduction = "reduce_sum" | "reduce_max" | "reduce_min" | "reduce_prod" | "reduce_and" | "reduce_or";
const reduction = (op: ReduceOp) => asKernel<Reduction>(({ axes }, inAvals, out) =>
  fused(inAvals, out, load(inAvals, 0, contiguousStrides(inAvals[0]!.shape)), inAvals[0]!.shape, { op, axes }));

/**
 * Merges dims (each with one stride per operand) into one, or null when they are not one
 * arithmetic progression in every operand. Size-1 dims are free.
 */
function mergeDims(dims: { size: number; strides: number[] }[], numStrides: number): { size: number; strides: number[] } | null {
  const ds = dims.filter((d) => d.size !== 1);
  if (ds.length === 0) return { size: 1, strides: new Array<number>(numStrides).fill(0) };
  for (let i = 0; i + 1 < ds.length; i++) {
    const a = ds[i]!, b = ds[i + 1]!;
    if (!a.strides.every((s, j) => s === b.strides[j]! * b.size)) return null;
  }
  return { size: ds.reduce((p, d) => p * d.size, 1), strides: ds[ds.length - 1]!.strides };
}

/** dot_general as a strided batched GEMM, transposing an operand first where its dims do not merge. */
function lowerDot(params: ParamsOf<"dot_general">, inAvals: Avals, outAvals: Avals): Lowered {
  const [aa, ba] = inAvals as [ShapedArray, ShapedArray];
  const out = outAvals[0]!;
  const dn = params.dimensionNumbers;
  const [ca, cb] = dn.contract as [number[], number[]];
  const [bA, bB] = dn.batch as [number[], number[]];
  const [freeA, freeB] = dotFreeAxes(dn, aa.ndim, ba.ndim);
  const steps: NativeStep[] = [];
  const temps: number[] = [];
  let refA: Ref = inRef(0), refB: Ref = inRef(1);
  let sa = contiguousStrides(aa.shape), sb = contiguousStrides(ba.shape);
  let shA = aa.shape, shB = ba.shape;
  let pA = { batch: bA, free: freeA, contract: ca }, pB = { batch: bB, free: freeB, contract: cb };

  const plan = () => {
    const M = mergeDims(pA.free.map((i) => ({ size: shA[i]!, strides: [sa[i]!] })), 1);
    const N = mergeDims(pB.free.map((i) => ({ size: shB[i]!, strides: [sb[i]!] })), 1);
    const K = mergeDims(pA.contract.map((i, j) => ({ size: shA[i]!, strides: [sa[i]!, sb[pB.contract[j]!]!] })), 2);
    return { M, N, K };
  };
  // Lays an operand out contiguously as [batch..., first..., second...] through a transpose kernel.
  const transposeInput = (which: 0 | 1, perm: number[]) => {
    const av = inAvals[which]!;
    const s = contiguousStrides(av.shape);
    const shape = perm.map((p) => av.shape[p]!);
    const tAval = new ShapedArray(shape, av.dtype);
    const k: FusedKernel = { kind: "fused", shape, expr: { op: "load", input: 0, strides: perm.map((p) => s[p]!), offset: 0, dtype: av.dtype }, reduce: null, inputs: [av], output: tAval };
    temps.push(bytesOf(tAval));
    const ref: Ref = { kind: "tmp", index: temps.length - 1 };
    steps.push({ enc: encodeKernel(k, opCodesRef.current!), outBytes: [bytesOf(tAval)], ins: [inRef(which)], outs: [ref] });
    return { ref, shape, strides: contiguousStrides(shape) };
  };
  let { M, N, K } = plan();
  if (!M || !K) {
    const perm = [...bA, ...freeA, ...ca];
    const t = transposeInput(0, perm);
    refA = t.ref; shA = t.shape; sa = t.strides;
    const nb = bA.length, nf = freeA.length;
    pA = { batch: bA.map((_, i) => i), free: freeA.map((_, i) => nb + i), contract: ca.map((_, i) => nb + nf + i) };
    ({ M, N, K } = plan());
  }
  if (!N || !K) {
    const perm = [...bB, ...cb, ...freeB];
    const t = transposeInput(1, perm);
    refB = t.ref; shB = t.shape; sb = t.strides;
    const nb = bB.length, nc = cb.length;
    pB = { batch: bB.map((_, i) => i), contract: cb.map((_, i) => nb + i), free: freeB.map((_, i) => nb + nc + i) };
    ({ M, N, K } = plan());
  }
  if (!M || !N || !K) throw new Error("internal: native dot_general could not lay out its operands");
  const enc = new Float64Array([
    OP.dot, DTYPE_CODE[aa.dtype], DTYPE_CODE[ba.dtype], DTYPE_CODE[out.dtype], pA.batch.length,
    ...pA.batch.map((i) => shA[i]!), ...pA.batch.map((i) => sa[i]!), ...pB.batch.map((i) => sb[i]!),
    M.size, M.strides[0]!, K.size, K.strides[0]!, K.strides[1]!, N.size, N.strides[0]!,
  ]);
  steps.push({ enc, outBytes: [bytesOf(out)], ins: [refA, refB], outs: [outRef(0)] });
  return { steps, temps };
}

/** The op codes of the loaded addon, set by the backend before any lowering. */
export const opCodesRef: { current: OpCodes | null } = { current: null };

const single = (enc: Float64Array, outAvals: readonly ShapedArray[], nIn: number): Lowered =>
  ({ steps: [{ enc, outBytes: outAvals.map(bytesOf), ins: Array.from({ length: nIn }, (_, i) => inRef(i)), outs: outAvals.map((_, i) => outRef(i)) }], temps: [] });

const lanes = (shape: readonly number[], axis: number) =>
  [sizeOf(shape.slice(0, axis)), shape[axis]!, sizeOf(shape.slice(axis + 1))] as const;

/** A primitive as native steps, or null when the addon has no kernel for it (the reference backend runs it). */
export function lowerPrimitive<P extends Primitive>(prim: P, params: ParamsOf<P>, inAvals: Avals, outAvals: Avals): Lowered | null {
  const lowering: NativeLowering<P> | NoRule<P> = nativeLowerings[prim];
  return lowering instanceof NoRule ? null : lowering(params, inAvals, outAvals, prim);
}

const dt = (d: DType) => DTYPE_CODE[d];
const cumulative = asNative<"cumsum" | "cumprod" | "cummax" | "cummin">(({ axis, reverse }, inAvals, outAvals, prim) => {
  const a = inAvals[0]!;
  if (a.dtype !== outAvals[0]!.dtype || a.dtype === "bool") return null;
  const [outer, n, inner] = lanes(a.shape, axis);
  const kind = ["cumsum", "cumprod", "cummax", "cummin"].indexOf(prim);
  return single(new Float64Array([OP.cumulative, kind, dt(a.dtype), outer, n, inner, reverse ? 1 : 0]), outAvals, 1);
});
const argReduce = asNative<"argmax" | "argmin">(({ axis }, inAvals, outAvals, prim) => {
  const a = inAvals[0]!;
  const [outer, n, inner] = lanes(a.shape, axis);
  return single(new Float64Array([OP.argreduce, prim === "argmax" ? 1 : 0, dt(a.dtype), dt(outAvals[0]!.dtype), outer, n, inner]), outAvals, 1);
});
/** dynamic_slice (operand, ...starts) and dynamic_update_slice (operand, update, ...starts), given the box they read or write. */
function dynamicSlice(op: number, box: readonly number[], nStart: number, inAvals: Avals, outAvals: Avals): Lowered | null {
  const a = inAvals[0]!;
  const starts = inAvals.slice(nStart);
  if (a.shape.length > 16 || starts.some((s) => s.dtype !== "int32" && s.dtype !== "uint32")) return null;
  return single(new Float64Array([op, storageBytes(a.dtype), a.shape.length, ...a.shape, ...box, ...starts.map((s) => dt(s.dtype))]), outAvals, inAvals.length);
}
function asNative<P extends Primitive>(lower: NativeLowering<P>): NativeLowering<P> { return lower; }

const controlFlow = "control flow: the engine runs it (trace/control.ts), calling compiled bodies";
const customCall = "inlined before lowering (jit/passes.ts inlineCustomCalls); eagerly the engine evaluates the call";

/** The addon's lowering of every primitive; the primitives it has no kernel for say why (the reference backend runs them). */
const nativeLowerings: { readonly [P in Primitive]: NativeLowering<P> | NoRule<P> } = {
  ...rulesFor(UNARY_PRIMITIVES, () => elementwise), ...rulesFor(BINARY_PRIMITIVES, () => elementwise),
  select: elementwise, clamp: elementwise,
  convert_element_type: asKernel((_p, inAvals, out) => fused(inAvals, out, { op: "convert", args: [bload(inAvals, out, 0)], dtype: out.dtype })),
  stop_gradient: asKernel((_p, inAvals, out) => fused(inAvals, out, bload(inAvals, out, 0))),
  bitcast_convert_type: noRule("no addon kernel: the reference backend reinterprets the bits"),
  broadcast_in_dim: asKernel(({ broadcastDimensions }, inAvals, out) => {
    const a = inAvals[0]!, s = contiguousStrides(a.shape);
    const strides = out.shape.map(() => 0);
    broadcastDimensions.forEach((d, i) => { strides[d] = a.shape[i] === 1 ? 0 : s[i]!; });
    return fused(inAvals, out, load(inAvals, 0, strides));
  }),
  transpose: asKernel(({ permutation }, inAvals, out) => {
    const s = contiguousStrides(inAvals[0]!.shape);
    return fused(inAvals, out, load(inAvals, 0, permutation.map((p) => s[p]!)));
  }),
  rev: asKernel(({ dimensions }, inAvals, out) => {
    const { strides, offset } = reversedView(inAvals[0]!.shape, dimensions);
    return fused(inAvals, out, load(inAvals, 0, strides, offset));
  }),
  slice: asKernel(({ start, strides }, inAvals, out) => {
    const s = contiguousStrides(inAvals[0]!.shape);
    const offset = out.size === 0 ? 0 : start.reduce((o, st, i) => o + st * s[i]!, 0);
    return fused(inAvals, out, load(inAvals, 0, s.map((st, i) => st * (strides?.[i] ?? 1)), offset));
  }),
  iota: asKernel(({ dimension }, _in, out) => fused([], out, { op: "index", axis: dimension, dtype: out.dtype })),
  reduce_sum: reduction("sum"), reduce_max: reduction("max"), reduce_min: reduction("min"),
  reduce_prod: reduction("prod"), reduce_and: reduction("and"), reduce_or: reduction("or"),
  reshape: (_p, _in, outAvals) => single(new Float64Array([OP.copy, bytesOf(outAvals[0]!)]), outAvals, 1),
  dot_general: (params, inAvals, outAvals) => lowerDot(params, inAvals, outAvals),
  gather: ({ axis }, inAvals, outAvals) => {
    const a = inAvals[0]!;
    const [outer, n, inner] = lanes(a.shape, axis);
    return single(new Float64Array([OP.gather, dt(a.dtype), dt(inAvals[1]!.dtype), outer, n, inner, inAvals[1]!.size]), outAvals, 2);
  },
  scatter: ({ axis, mode }, inAvals, outAvals) => {
    const a = inAvals[0]!;
    const [outer, n, inner] = lanes(a.shape, axis);
    const code = ["set", "add", "mul", "min", "max"].indexOf(mode);
    return single(new Float64Array([OP.scatter, dt(a.dtype), dt(inAvals[1]!.dtype), outer, n, inner, inAvals[1]!.size, code]), outAvals, 3);
  },
  threefry2x32: (_p, inAvals, outAvals) => {
    const out = outAvals[0]!;
    const shape = out.shape.length ? out.shape : [1];
    const strides = inAvals.flatMap((a) => (out.shape.length ? broadcastStrides(a.shape, out.shape) : [0]));
    return single(new Float64Array([OP.threefry, shape.length, ...shape, ...strides]), outAvals, 4);
  },
  conv_general_dilated: (params, inAvals, outAvals) => {
    const [la, ra] = inAvals as [ShapedArray, ShapedArray];
    const out = outAvals[0]!;
    if (la.dtype !== "float32" || ra.dtype !== "float32" || out.dtype !== "float32") return null;
    const inSp = la.shape.slice(2), kSp = ra.shape.slice(2), outSp = out.shape.slice(2);
    const pads = resolvePadding(inSp, kSp, params);
    return single(new Float64Array([
      OP.conv, inSp.length, la.shape[0]!, la.shape[1]!, ra.shape[0]!, ra.shape[1]!, params.featureGroupCount, ...inSp, ...kSp, ...outSp,
      ...params.strides, ...pads.map((p) => p[0]), ...params.lhsDilation, ...params.rhsDilation,
    ]), outAvals, 2);
  },
  pad: ({ config }, inAvals, outAvals) => {
    const a = inAvals[0]!;
    return single(new Float64Array([OP.pad, storageBytes(a.dtype), a.shape.length, ...outAvals[0]!.shape, ...a.shape, ...config.map((c) => c[0]), ...config.map((c) => c[2])]), outAvals, 2);
  },
  concatenate: ({ axis }, inAvals, outAvals) => {
    if (inAvals.length > 64) return null;
    const out = outAvals[0]!;
    const rows = inAvals.map((a) => sizeOf(a.shape.slice(axis)));
    return single(new Float64Array([OP.concat, storageBytes(out.dtype), inAvals.length, sizeOf(out.shape.slice(0, axis)), sizeOf(out.shape.slice(axis)), ...rows]), outAvals, inAvals.length);
  },
  dynamic_slice: ({ sizes }, inAvals, outAvals) => dynamicSlice(OP.dslice, sizes, 1, inAvals, outAvals),
  dynamic_update_slice: (_p, inAvals, outAvals) => dynamicSlice(OP.dus, inAvals[1]!.shape, 2, inAvals, outAvals),
  cumsum: cumulative, cumprod: cumulative, cummax: cumulative, cummin: cumulative,
  sort: ({ dimension, numKeys }, inAvals, outAvals) => {
    if (inAvals.length > 8) return null;
    const [outer, n, inner] = lanes(inAvals[0]!.shape, dimension);
    return single(new Float64Array([OP.sort, inAvals.length, numKeys, outer, n, inner, ...inAvals.map((x) => dt(x.dtype))]), outAvals, inAvals.length);
  },
  argmax: argReduce, argmin: argReduce,
  pjit: noRule(controlFlow), cond: noRule(controlFlow), scan: noRule(controlFlow), while: noRule(controlFlow),
  custom_jvp_call: noRule(customCall), custom_vjp_call: noRule(customCall),
};

/** The addon's lowering table, for the test that lists what it lacks (engine/test/rule-tables.test.ts). */
export const nativeLoweringTable = nativeLowerings;
