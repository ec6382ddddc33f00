import { castScalar, narrowScalar, typedArrayFor, type TypedArray } from "../../dtype.js";
import type { Expr, FusedKernel } from "../kernel.js";
import { finish, highest, lowest } from "./ops.js";
import { binaryFns, clampFn, selectFn, unaryFns } from "./scalar.js";
import { contiguousStrides, sizeOf, stridedIndices } from "./strided.js";

/**
 * Interprets a fused kernel one expression node at a time over the whole iteration space
 * (clear rather than fast: this backend is the oracle for the others).
 */
export function runFusedKernel(k: FusedKernel, inputs: readonly TypedArray[]): TypedArray {
  const n = sizeOf(k.shape);
  const values = evalExpr(k.expr, k.shape, n, inputs);
  const out = typedArrayFor(k.output.dtype, k.output.size);
  if (!k.reduce) {
    for (let i = 0; i < n; i++) out[i] = values[i]!;
    return finish(out, k.output.dtype);
  }
  const { op, axes } = k.reduce;
  const keep = k.shape.map((_, i) => !axes.includes(i));
  const outStrides = contiguousStrides(k.shape.filter((_, i) => keep[i]));
  let j = 0;
  const strides = k.shape.map((_, i) => (keep[i] ? outStrides[j++]! : 0));
  const dst = stridedIndices(k.shape, strides, 0);
  const dtype = k.output.dtype;
  const init = op === "sum" || op === "or" ? 0 : op === "prod" || op === "and" ? 1
    : op === "max" ? lowest(dtype) : highest(dtype);
  const acc = new Float64Array(k.output.size).fill(init);
  for (let i = 0; i < n; i++) {
    const d = dst[i]!, v = values[i]!, a = acc[d]!;
    acc[d] = op === "sum" ? a + v : op === "prod" ? a * v : op === "and" ? (a && v ? 1 : 0) : op === "or" ? (a || v ? 1 : 0)
      : Number.isNaN(a) || Number.isNaN(v) ? NaN : op === "max" ? (v > a ? v : a) : v < a ? v : a;
  }
  for (let i = 0; i < out.length; i++) out[i] = acc[i]!;
  return finish(out, dtype);
}

function evalExpr(e: Expr, shape: readonly number[], n: number, inputs: readonly TypedArray[]): Float64Array {
  const out = new Float64Array(n);
  switch (e.op) {
    case "load": {
      const idx = stridedIndices(shape, e.strides, e.offset);
      const src = inputs[e.input]!;
      for (let i = 0; i < n; i++) out[i] = src[idx[i]!]!;
      return out;
    }
    case "const": return out.fill(castScalar(e.value, e.dtype));
    case "index": {
      const strides = shape.map((_, i) => (i === e.axis ? 1 : 0));
      out.set(stridedIndices(shape, strides, 0));
      return out;
    }
    case "convert": {
      const a = evalExpr(e.args[0], shape, n, inputs);
      for (let i = 0; i < n; i++) out[i] = castScalar(a[i]!, e.dtype);
      return out;
    }
    default: {
      const args = e.args.map((a) => evalExpr(a, shape, n, inputs));
      const argDtype = e.args[e.args.length - 1]!.dtype;
      const cast = (v: number) => narrowScalar(v, e.dtype); // integer arithmetic wraps, as XLA's
      if (e.op === "select") for (let i = 0; i < n; i++) out[i] = selectFn(args[0]![i]!, args[1]![i]!, args[2]![i]!);
      else if (e.op === "clamp") for (let i = 0; i < n; i++) out[i] = clampFn(args[0]![i]!, args[1]![i]!, args[2]![i]!);
      else if (args.length === 1) {
        const f = unaryFns[e.op as keyof typeof unaryFns];
        for (let i = 0; i < n; i++) out[i] = cast(f(args[0]![i]!, argDtype));
      } else {
        const f = binaryFns[e.op as keyof typeof binaryFns];
        for (let i = 0; i < n; i++) out[i] = cast(f(args[0]![i]!, args[1]![i]!, argDtype));
      }
      return out;
    }
  }
}
