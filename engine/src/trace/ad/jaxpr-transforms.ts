import type { DeviceArray } from "../../array.js";
import { isFloat } from "../../dtype.js";
import * as l from "../../lax/primitives.js";
import { ShapedArray } from "../../ir/aval.js";
import type { Jaxpr } from "../../ir/jaxpr.js";
import { evalJaxpr, traceToJaxpr, type ClosedJaxpr } from "../jaxpr-trace.js";
import type { Transformations } from "../transforms.js";
import type { BatchDim } from "../batch-axis.js";

/**
 * The three transformations applied to a whole jaxpr, giving a new traced jaxpr: what the
 * rules of the primitives that call programs (jit, cond, scan, while, custom derivatives)
 * bind in place of the original. Each result is closed: its first inputs are the arrays its
 * tracing captured (usually none). Each takes the transformations (`flat`) from the trace whose
 * rule calls it.
 */
const isF = (a: ShapedArray) => isFloat(a.dtype);
const run = (j: Jaxpr) => (...args: DeviceArray[]) => evalJaxpr(j, args);
export const floatMask = (avals: readonly ShapedArray[]) => avals.map(isF);

/** A JVP of a jaxpr and, per output, whether it has a tangent output. */
export interface JvpOfJaxpr { readonly closed: ClosedJaxpr; readonly tangentOut: readonly boolean[] }

/**
 * The JVP of `body`: (primals..., tangents of the inputs where `withTangent`) -> (outs...,
 * tangents of the float outputs). With `instantiate`, every float output has a tangent (zeros
 * where none flows, for bodies whose outputs must keep their structure); without, outputs whose
 * tangent is a symbolic zero have none (`tangentOut` says which do).
 */
export function jvpOfJaxpr(flat: Transformations, body: Jaxpr, withTangent: readonly boolean[] = floatMask(body.inAvals), instantiate = true): JvpOfJaxpr {
  const inAvals = body.inAvals;
  let tangentOut: boolean[] = [];
  const closed = traceToJaxpr((...args) => {
    const primals = args.slice(0, inAvals.length);
    let k = inAvals.length;
    const tangents = primals.map((_, i) => (withTangent[i] ? args[k++]! : null));
    const [outs, touts] = flat.jvpFlat(run(body), primals, tangents);
    tangentOut = outs.map((o, i) => isFloat(o.dtype) && (instantiate || touts[i] !== null));
    return [...outs, ...outs.flatMap((o, i) => (tangentOut[i] ? [touts[i] ?? l.zerosLike(o)] : []))];
  }, [...inAvals, ...inAvals.filter((_, i) => withTangent[i])], "jvp");
  return { closed, tangentOut };
}

/**
 * The VJP of `body`, recomputing its forward pass: (primals..., cotangents of the float
 * outputs...) -> cotangents of the inputs where `wanted` (zeros where none flows), preceded by
 * the outputs themselves when `withOutputs`.
 */
export function vjpOfJaxpr(flat: Transformations, body: Jaxpr, wanted: readonly boolean[] = floatMask(body.inAvals), withOutputs = false): ClosedJaxpr {
  const inAvals = body.inAvals, outAvals = body.outAvals;
  const diff = inAvals.map((_, i) => i).filter((i) => wanted[i]);
  return traceToJaxpr((...args) => {
    const primals = args.slice(0, inAvals.length);
    let k = inAvals.length;
    const cts = outAvals.map((a) => (isF(a) ? args[k++]! : null));
    // Only the wanted inputs are tracked; the others are constants of the tape.
    const [outs, pullback] = flat.vjpFlat((...ws) => {
      const all = primals.slice();
      diff.forEach((i, j) => { all[i] = ws[j]!; });
      return evalJaxpr(body, all);
    }, diff.map((i) => primals[i]!));
    const inCts = pullback(cts);
    const grads = diff.map((i, j) => inCts[j] ?? l.zerosLike(primals[i]!));
    return withOutputs ? [...outs, ...grads] : grads;
  }, [...inAvals, ...outAvals.filter(isF)], "grad");
}

/** `body` batched: inputs batched at `dims` (null: the same for every example), every output batched at axis 0. */
export function batchOfJaxpr(flat: Transformations, body: Jaxpr, size: number, dims: readonly BatchDim[] = body.invars.map(() => 0)): ClosedJaxpr {
  const avals = body.inAvals.map((a, i) => {
    const d = dims[i];
    if (d === null || d === undefined) return a;
    const shape = [...a.shape];
    shape.splice(d, 0, size);
    return new ShapedArray(shape, a.dtype, a.weak);
  });
  return traceToJaxpr((...args) => flat.vmapFlat(run(body), args, dims, 0), avals, "vmap");
}
