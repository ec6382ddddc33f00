import type { DeviceArray } from "../array.js";
import * as l from "../lax/primitives.js";
import { bind, isOwnTracer, Trace, Tracer, withTrace } from "./trace.js";
import { BINARY_PRIMITIVES, UNARY_PRIMITIVES, type ParamsOf, type Primitive } from "../ir/primitives.js";
import { ruleOrRefuse, rulesFor, type NoRule } from "../ir/rule-table.js";
import type { CallSite } from "../ir/source.js";
import { batchControlRules } from "./ad/control-rules.js";
import { customRules } from "./ad/custom-rules.js";
import { pjitRules } from "./ad/pjit-rules.js";
import { moveBatchAxis, type BatchDim } from "./batch-axis.js";
import type { Transformations } from "./transforms.js";
import { scalar } from "./constants.js";
import { dotFreeAxes } from "../shape/linalg.js";

export type { BatchDim };
/** `flat`: the transformations, for the rules that transform a called program (its batched version). */
export type BatchRule<P extends Primitive> = (args: DeviceArray[], dims: BatchDim[], params: ParamsOf<P>, prim: P, size: number, flat: Transformations) => [DeviceArray[], BatchDim[]];
/** A rule that serves any primitive (elementwise ops, the per-example loop). */
type AnyBatchRule = <P extends Primitive>(args: DeviceArray[], dims: BatchDim[], params: ParamsOf<P>, prim: P, size: number) => [DeviceArray[], BatchDim[]];

export class BatchTracer extends Tracer {
  constructor(trace: BatchTrace, readonly val: DeviceArray, readonly bdim: BatchDim) {
    super(trace, bdim === null ? val._aval : dropAxis(val, bdim));
  }
  concrete(): undefined { return undefined; }
}

import { ShapedArray } from "../ir/aval.js";
function dropAxis(v: DeviceArray, axis: number) {
  const s = v._aval.shape.filter((_, i) => i !== axis);
  return new ShapedArray(s, v._aval.dtype, v._aval.weak);
}

/** vmap: values carry a batch axis; rules move it so one primitive call handles every example. */
export class BatchTrace extends Trace {
  constructor(parent: Trace, readonly axisSize: number, readonly flat: Transformations, origin?: CallSite) { super(parent, "vmap", origin); }
  process<P extends Primitive>(prim: P, args: readonly DeviceArray[], params: ParamsOf<P>): DeviceArray[] {
    const vals: DeviceArray[] = [], dims: BatchDim[] = [];
    let any = false;
    for (const a of args) {
      if (isOwnTracer<BatchTracer>(this, a, prim)) { vals.push(a.val); dims.push(a.bdim); any ||= a.bdim !== null; }
      else { vals.push(a); dims.push(null); }
    }
    const parent = this.parent!;
    if (!any) return withTrace(parent, () => bind(prim, vals, params));
    const rule = ruleOrRefuse<P, BatchRule<P>>(batchRules[prim], prim, params, "vmap");
    const [outs, outDims] = withTrace(parent, () => rule(vals, dims, params, prim, this.axisSize, this.flat));
    return outs.map((o, i) => new BatchTracer(this, o, outDims[i]!));
  }
}

const toFront = (x: DeviceArray, d: BatchDim, size: number) => moveBatchAxis(x, d, 0, size);

/** Runs the primitive once per example and stacks the results: correct for any primitive, used where no better rule exists. */
export const loopFallback: AnyBatchRule = (args, dims, params, prim, size) => {
  const perExample: DeviceArray[][] = [];
  for (let b = 0; b < size; b++) {
    const argsB = args.map((a, i) => {
      const d = dims[i];
      if (d === null || d === undefined) return a;
      const start = a.shape.map((_, k) => (k === d ? b : 0));
      const limit = a.shape.map((n, k) => (k === d ? b + 1 : n));
      return l.reshape(l.slice(a, start, limit), a.shape.filter((_, k) => k !== d));
    });
    perExample.push(bind(prim, argsB, params));
  }
  const outs = perExample[0]!.map((_, j) => l.concatenate(perExample.map((o) => l.reshape(o[j]!, [1, ...o[j]!.shape])), 0));
  return [outs, outs.map(() => 0)];
};

/** Elementwise ops: batch axes to the front, unbatched operands broadcast on the right as usual. */
const elementwiseRule: AnyBatchRule = (args, dims, params, prim, size) => {
  const rank = Math.max(...args.map((a, i) => a.ndim - (dims[i] === null ? 0 : 1)));
  const aligned = args.map((a, i) => {
    if (dims[i] === null) return a;
    const front = toFront(a, dims[i]!, size);
    const logical = front.shape.slice(1);
    return l.reshape(front, [size, ...Array(rank - logical.length).fill(1), ...logical]);
  });
  return [bind(prim, aligned, params), Array(prim === "threefry2x32" ? 2 : 1).fill(0)];
};

/** Ops with one batched operand whose axis parameters shift by one when the batch axis leads. */
function frontOperand<P extends Primitive>(shift: (p: ParamsOf<P>, size: number, x: DeviceArray) => ParamsOf<P>): BatchRule<P> {
  return (args, dims, params, prim, size) => {
    if (dims.slice(1).some((d) => d !== null)) return loopFallback(args, dims, params, prim, size);
    const x = toFront(args[0]!, dims[0]!, size);
    return [bind(prim, [x, ...args.slice(1)], shift(params, size, x)), [0]];
  };
}
const shiftAxes = (p: { axes: readonly number[] }) => ({ ...p, axes: p.axes.map((a) => a + 1) });
const shiftAxis = <T extends { axis: number }>(p: T) => ({ ...p, axis: p.axis + 1 });

/** vmap's rule of every primitive (the per-example loop serves where nothing better exists). */
export const batchRules: { readonly [P in Primitive]: BatchRule<P> | NoRule<P> } = {
  ...rulesFor(UNARY_PRIMITIVES, () => elementwiseRule), ...rulesFor(BINARY_PRIMITIVES, () => elementwiseRule),
  select: elementwiseRule, clamp: elementwiseRule, convert_element_type: elementwiseRule, stop_gradient: elementwiseRule,
  bitcast_convert_type: elementwiseRule, threefry2x32: elementwiseRule,
  broadcast_in_dim: frontOperand<"broadcast_in_dim">((p, size) => ({ shape: [size, ...p.shape], broadcastDimensions: [0, ...p.broadcastDimensions.map((d) => d + 1)] })),
  reshape: frontOperand<"reshape">((p, size) => ({ shape: [size, ...p.shape] })),
  transpose: frontOperand<"transpose">((p) => ({ permutation: [0, ...p.permutation.map((d) => d + 1)] })),
  rev: frontOperand<"rev">((p) => ({ dimensions: p.dimensions.map((d) => d + 1) })),
  slice: frontOperand<"slice">((p, size) => ({ start: [0, ...p.start], limit: [size, ...p.limit], strides: p.strides ? [1, ...p.strides] : null })),
  pad: frontOperand<"pad">((p) => ({ config: [[0, 0, 0], ...p.config] })),
  reduce_sum: frontOperand<"reduce_sum">(shiftAxes), reduce_max: frontOperand<"reduce_max">(shiftAxes),
  reduce_min: frontOperand<"reduce_min">(shiftAxes), reduce_prod: frontOperand<"reduce_prod">(shiftAxes),
  reduce_and: frontOperand<"reduce_and">(shiftAxes), reduce_or: frontOperand<"reduce_or">(shiftAxes),
  argmax: frontOperand<"argmax">(shiftAxis), argmin: frontOperand<"argmin">(shiftAxis),
  cumsum: frontOperand<"cumsum">(shiftAxis), cumprod: frontOperand<"cumprod">(shiftAxis),
  cummax: frontOperand<"cummax">(shiftAxis), cummin: frontOperand<"cummin">(shiftAxis),
  dynamic_slice: (args, dims, params, prim, size) => {
    if (dims.slice(1).some((d) => d !== null)) return loopFallback(args, dims, params, prim, size);
    const x = toFront(args[0]!, dims[0]!, size);
    return [bind(prim, [x, scalar(0, args[1]?.dtype ?? "int32"), ...args.slice(1)], { sizes: [size, ...params.sizes] }), [0]];
  },
  dynamic_update_slice: (args, dims, params, prim, size) => {
    if (dims.slice(2).some((d) => d !== null)) return loopFallback(args, dims, params, prim, size);
    const x = toFront(args[0]!, dims[0]!, size), u = toFront(args[1]!, dims[1]!, size);
    return [bind(prim, [x, u, scalar(0, args[2]?.dtype ?? "int32"), ...args.slice(2)], params), [0]];
  },
  concatenate: (args, dims, { axis }, prim, size) => [[bind(prim, args.map((a, i) => toFront(a, dims[i]!, size)), { axis: axis + 1 })[0]!], [0]],
  gather: (args, dims, params, prim, size) => {
    const [x, idx] = args as [DeviceArray, DeviceArray];
    if (dims[1] === null) return [[bind(prim, [toFront(x, dims[0]!, size), idx], shiftAxis(params))[0]!], [0]];
    if (dims[0] === null) return [[bind(prim, [x, idx], params)[0]!], [params.axis + dims[1]!]];
    return loopFallback(args, dims, params, prim, size);
  },
  scatter: (args, dims, params, prim, size) => {
    if (dims[1] !== null) return loopFallback(args, dims, params, prim, size);
    const x = toFront(args[0]!, dims[0]!, size), u = toFront(args[2]!, dims[2]!, size);
    return [[bind(prim, [x, args[1]!, u], shiftAxis(params))[0]!], [0]];
  },
  iota: loopFallback,
  dot_general: ([a, b], [da = null, db = null], { dimensionNumbers: dn, preferredElementType }, prim, size) => {
    const inc = (xs: readonly number[]) => xs.map((x) => x + 1);
    const [ca, cb] = dn.contract, [ba, bb] = dn.batch;
    if (da !== null && db !== null) {
      const out = bind(prim, [toFront(a!, da, size), toFront(b!, db, size)], {
        dimensionNumbers: { contract: [inc(ca), inc(cb)], batch: [[0, ...inc(ba)], [0, ...inc(bb)]] }, preferredElementType });
      return [out, [0]];
    }
    if (da !== null) {
      const out = bind(prim, [toFront(a!, da, size), b!], { dimensionNumbers: { contract: [inc(ca), cb], batch: [inc(ba), bb] }, preferredElementType });
      return [out, [ba.length]];
    }
    const out = bind(prim, [a!, toFront(b!, db!, size)], { dimensionNumbers: { contract: [ca, inc(cb)], batch: [ba, inc(bb)] }, preferredElementType });
    return [out, [ba.length + dotFreeAxes(dn, a!.ndim, b!.ndim)[0].length]];
  },
  conv_general_dilated: (args, dims, params, prim, size) => {
    if (dims[1] !== null) return loopFallback(args, dims, params, prim, size);
    // Fold the batch axis into N.
    const x = toFront(args[0]!, dims[0]!, size);
    const folded = l.reshape(x, [size * x.shape[1]!, ...x.shape.slice(2)]);
    const y = bind(prim, [folded, args[1]!], params)[0]!;
    return [[l.reshape(y, [size, x.shape[1]!, ...y.shape.slice(1)])], [0]];
  },
  sort: (args, dims, { dimension, numKeys }, prim, size) =>
    [bind(prim, args.map((a, i) => toFront(a, dims[i]!, size)), { dimension: dimension + 1, numKeys }), args.map(() => 0)],
  pjit: pjitRules.batch, cond: batchControlRules.cond, scan: batchControlRules.scan, while: batchControlRules.while,
  custom_jvp_call: customRules.batch.custom_jvp_call, custom_vjp_call: customRules.batch.custom_vjp_call,
};
