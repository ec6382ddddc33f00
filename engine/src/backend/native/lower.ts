import { isBinary, isUnary, type Primitive } from "../../core/primitives.js";
import { ShapedArray } from "../../core/aval.js";
import type { DType } from "../../dtype.js";
import type { Expr, FusedKernel, ReduceOp } from "../kernel.js";
import { broadcastStrides, contiguousStrides, sizeOf } from "../reference/strided.js";
import { resolvePadding } from "../../shape/conv.js";
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

const REDUCE_PRIMS: Record<string, ReduceOp> = {
  reduce_sum: "sum", reduce_max: "max", reduce_min: "min", reduce_prod: "prod", reduce_and: "and", reduce_or: "or",
};

/** A primitive as one fused kernel, where it is one (elementwise, layout, reductions, iota). */
export function primitiveKernel(prim: Primitive, params: any, inAvals: readonly ShapedArray[], outAvals: readonly ShapedArray[]): FusedKernel | null {
  const out = outAvals[0]!;
  const kernel = (shape: readonly number[], expr: Expr, reduce: FusedKernel["reduce"] = null): FusedKernel =>
    ({ kind: "fused", shape, expr, reduce, inputs: inAvals, output: out });
  const load = (i: number, strides: readonly number[], offset = 0): Expr =>
    ({ op: "load", input: i, strides, offset, dtype: inAvals[i]!.dtype });
  const bload = (i: number) => load(i, broadcastStrides(inAvals[i]!.shape, out.shape));
  if (isUnary(prim) || isBinary(prim) || prim === "select" || prim === "clamp") {
    return kernel(out.shape, { op: prim, args: inAvals.map((_, i) => bload(i)), dtype: out.dtype } as Expr);
  }
  switch (prim) {
    case "convert_element_type":
      return kernel(out.shape, { op: "convert", args: [bload(0)], dtype: out.dtype });
    case "stop_gradient":
      return kernel(out.shape, bload(0));
    case "broadcast_in_dim": {
      const a = inAvals[0]!, s = contiguousStrides(a.shape);
      const strides = out.shape.map(() => 0);
      (params.broadcastDimensions as number[]).forEach((d, i) => { strides[d] = a.shape[i] === 1 ? 0 : s[i]!; });
      return kernel(out.shape, load(0, strides));
    }
    case "transpose": {
      const s = contiguousStrides(inAvals[0]!.shape);
      return kernel(out.shape, load(0, (params.permutation as number[]).map((p) => s[p]!)));
    }
    case "rev": {
      const a = inAvals[0]!, s = contiguousStrides(a.shape);
      let offset = 0;
      const strides = s.map((st, i) => {
        if (!(params.dimensions as number[]).includes(i)) return st;
        offset += (a.shape[i]! - 1) * st;
        return -st;
      });
      return kernel(out.shape, load(0, strides, a.size === 0 ? 0 : offset));
    }
    case "slice": {
      const s = contiguousStrides(inAvals[0]!.shape);
      const offset = out.size === 0 ? 0 : (params.start as number[]).reduce((o, st, i) => o + st * s[i]!, 0);
      return kernel(out.shape, load(0, s.map((st, i) => st * (params.strides?.[i] ?? 1)), offset));
    }
    case "iota":
      return { kind: "fused", shape: out.shape, expr: { op: "index", axis: params.dimension, dtype: out.dtype }, reduce: null, inputs: [], output: out };
  }
  const rop = REDUCE_PRIMS[prim];
  if (rop) {
    const a = inAvals[0]!;
    return kernel(a.shape, load(0, contiguousStrides(a.shape)), { op: rop, axes: params.axes });
  }
  return null;
}

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
function lowerDot(params: any, inAvals: readonly ShapedArray[], outAvals: readonly ShapedArray[]): Lowered {
  const [aa, ba] = inAvals as [ShapedArray, ShapedArray];
  const out = outAvals[0]!;
  const dn = params.dimensionNumbers;
  const [ca, cb] = dn.contract as [number[], number[]];
  const [bA, bB] = dn.batch as [number[], number[]];
  const freeA = aa.shape.map((_, i) => i).filter((i) => !ca.includes(i) && !bA.includes(i));
  const freeB = ba.shape.map((_, i) => i).filter((i) => !cb.includes(i) && !bB.includes(i));
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

/** A primitive as native steps, or null when the addon has no kernel for it (the reference runs it). */
export function lowerPrimitive(prim: Primitive, params: any, inAvals: readonly ShapedArray[], outAvals: readonly ShapedArray[]): Lowered | null {
  const codes = opCodesRef.current!;
  const k = primitiveKernel(prim, params, inAvals, outAvals);
  if (k) return single(encodeKernel(k, codes), outAvals, inAvals.length);
  const out = outAvals[0]!;
  const dt = (d: DType) => DTYPE_CODE[d];
  switch (prim) {
    case "reshape":
      return single(new Float64Array([OP.copy, bytesOf(out)]), outAvals, 1);
    case "dot_general":
      return lowerDot(params, inAvals, outAvals);
    case "gather": {
      const a = inAvals[0]!;
      const [outer, n, inner] = lanes(a.shape, params.axis);
      return single(new Float64Array([OP.gather, dt(a.dtype), dt(inAvals[1]!.dtype), outer, n, inner, inAvals[1]!.size]), outAvals, 2);
    }
    case "scatter": {
      const a = inAvals[0]!;
      const [outer, n, inner] = lanes(a.shape, params.axis);
      const mode = ["set", "add", "mul", "min", "max"].indexOf(params.mode);
      return single(new Float64Array([OP.scatter, dt(a.dtype), dt(inAvals[1]!.dtype), outer, n, inner, inAvals[1]!.size, mode]), outAvals, 3);
    }
    case "threefry2x32": {
      const shape = out.shape.length ? out.shape : [1];
      const strides = inAvals.flatMap((a) => (out.shape.length ? broadcastStrides(a.shape, out.shape) : [0]));
      return single(new Float64Array([OP.threefry, shape.length, ...shape, ...strides]), outAvals, 4);
    }
    case "conv_general_dilated": {
      const [la, ra] = inAvals as [ShapedArray, ShapedArray];
      if (la.dtype !== "float32" || ra.dtype !== "float32" || out.dtype !== "float32") return null;
      const inSp = la.shape.slice(2), kSp = ra.shape.slice(2), outSp = out.shape.slice(2);
      const pads = resolvePadding(inSp, kSp, params);
      const G = params.featureGroupCount ?? 1;
      const nsp = inSp.length;
      const ones = inSp.map(() => 1);
      return single(new Float64Array([
        OP.conv, nsp, la.shape[0]!, la.shape[1]!, ra.shape[0]!, ra.shape[1]!, G, ...inSp, ...kSp, ...outSp,
        ...params.strides, ...pads.map((p) => p[0]), ...(params.lhsDilation ?? ones), ...(params.rhsDilation ?? ones),
      ]), outAvals, 2);
    }
    case "pad": {
      const a = inAvals[0]!;
      const cfg = params.config as [number, number, number][];
      return single(new Float64Array([OP.pad, storageBytes(a.dtype), a.shape.length, ...out.shape, ...a.shape, ...cfg.map((c) => c[0]), ...cfg.map((c) => c[2])]), outAvals, 2);
    }
    case "concatenate": {
      if (inAvals.length > 64) return null;
      const axis = params.axis as number;
      const rows = inAvals.map((a) => sizeOf(a.shape.slice(axis)));
      return single(new Float64Array([OP.concat, storageBytes(out.dtype), inAvals.length, sizeOf(out.shape.slice(0, axis)), sizeOf(out.shape.slice(axis)), ...rows]), outAvals, inAvals.length);
    }
    case "dynamic_slice": case "dynamic_update_slice": {
      const a = inAvals[0]!;
      const nStart = prim === "dynamic_slice" ? 1 : 2;
      const starts = inAvals.slice(nStart);
      if (a.shape.length > 16 || starts.some((s) => s.dtype !== "int32" && s.dtype !== "uint32")) return null;
      const box = prim === "dynamic_slice" ? (params.sizes as number[]) : inAvals[1]!.shape;
      return single(new Float64Array([prim === "dynamic_slice" ? OP.dslice : OP.dus, storageBytes(a.dtype), a.shape.length, ...a.shape, ...box, ...starts.map((s) => dt(s.dtype))]), outAvals, inAvals.length);
    }
    case "cumsum": case "cumprod": case "cummax": case "cummin": {
      const a = inAvals[0]!;
      if (a.dtype !== out.dtype || a.dtype === "bool") return null;
      const [outer, n, inner] = lanes(a.shape, params.axis);
      const kind = ["cumsum", "cumprod", "cummax", "cummin"].indexOf(prim);
      return single(new Float64Array([OP.cumulative, kind, dt(a.dtype), outer, n, inner, params.reverse ? 1 : 0]), outAvals, 1);
    }
    case "sort": {
      if (inAvals.length > 8) return null;
      const a = inAvals[0]!;
      const [outer, n, inner] = lanes(a.shape, params.dimension);
      return single(new Float64Array([OP.sort, inAvals.length, params.numKeys, outer, n, inner, ...inAvals.map((x) => dt(x.dtype))]), outAvals, inAvals.length);
    }
    case "argmax": case "argmin": {
      const a = inAvals[0]!;
      const [outer, n, inner] = lanes(a.shape, params.axis);
      return single(new Float64Array([OP.argreduce, prim === "argmax" ? 1 : 0, dt(a.dtype), dt(out.dtype), outer, n, inner]), outAvals, 1);
    }
  }
  return null;
}
