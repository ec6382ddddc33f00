import type { ShapedArray } from "../ir/aval.js";
import { itemSize } from "../dtype.js";
import type { Expr, FusedKernel } from "../backend/kernel.js";

/**
 * The cost model: FLOPs and bytes moved, computed from shapes alone (what the op must do, not
 * what a backend happens to do). Bytes are every input read once plus every output written
 * once; FLOPs count a multiply-add as two.
 */
export interface Cost { readonly flops: number; readonly bytes: number }

const bytesOf = (a: ShapedArray) => a.size * itemSize(a.dtype);
const sumBytes = (as: readonly ShapedArray[]) => as.reduce((s, a) => s + bytesOf(a), 0);
const prod = (xs: readonly number[]) => xs.reduce((s, x) => s * x, 1);

/** Arithmetic nodes of a fused expression (loads, constants and indices are free). */
export function exprOps(e: Expr): number {
  if (e.op === "load" || e.op === "const" || e.op === "index") return 0;
  let n = e.op === "convert" ? 0 : 1;
  for (const a of e.args) n += exprOps(a);
  return n;
}

/** A fused kernel: (expression ops + one for the reduction, if any) per iteration element. */
export function kernelCost(k: FusedKernel): Cost {
  const elems = prod(k.shape);
  return { flops: elems * (exprOps(k.expr) + (k.reduce ? 1 : 0)), bytes: sumBytes(k.inputs) + bytesOf(k.output) };
}

/** One primitive applied to operands of these avals. */
export function primitiveCost(prim: string, params: any, ins: readonly ShapedArray[], outs: readonly ShapedArray[]): Cost {
  const bytes = sumBytes(ins) + sumBytes(outs);
  const out0 = outs[0];
  switch (prim) {
    case "dot_general": {
      // 2 * (output elements) * (contracted size): 2*M*N*K for a matmul.
      const contract = (params?.dimensionNumbers?.contract?.[0] ?? []) as readonly number[];
      const k = prod(contract.map((d) => ins[0]!.shape[d]!));
      return { flops: 2 * (out0?.size ?? 0) * k, bytes };
    }
    case "conv_general_dilated": {
      // lhs [N, C, *spatial], rhs [O, I, *kernel]: each output element sums I * prod(kernel) products.
      const rhs = ins[1]!.shape;
      const perOut = (rhs[1] ?? 1) * prod(rhs.slice(2));
      return { flops: 2 * (out0?.size ?? 0) * perOut, bytes };
    }
    case "reduce_sum": case "reduce_max": case "reduce_min": case "reduce_prod": case "reduce_and": case "reduce_or":
    case "argmax": case "argmin": case "cumsum": case "cumprod": case "cummax": case "cummin":
      return { flops: ins[0]?.size ?? 0, bytes };
    case "sort": {
      const n = ins[0]?.size ?? 0, d = ins[0]?.shape[params?.dimension ?? 0] ?? 1;
      return { flops: n * Math.max(1, Math.log2(Math.max(d, 1))), bytes };
    }
    // Data movement: no arithmetic.
    case "reshape": case "broadcast_in_dim": case "transpose": case "slice": case "rev": case "pad": case "concatenate":
    case "gather": case "scatter": case "dynamic_slice": case "dynamic_update_slice": case "copy": case "iota":
    case "convert_element_type": case "stop_gradient":
      return { flops: 0, bytes };
    default:
      // Elementwise and everything else: one op per output element.
      return { flops: outs.reduce((s, a) => s + a.size, 0), bytes };
  }
}
