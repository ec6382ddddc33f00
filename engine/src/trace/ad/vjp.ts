import type { DeviceArray } from "../../array.js";
import { isFloat } from "../../dtype.js";
import * as l from "../../lax/primitives.js";
import { bind, isOwnTracer, swapTrace, Trace, Tracer, withTrace } from "../trace.js";
import { BINARY_PRIMITIVES, UNARY_PRIMITIVES, type BinaryPrimitive, type ParamsOf, type Primitive, type UnaryPrimitive } from "../../ir/primitives.js";
import { noRule, ruleOrRefuse, rulesFor, type NoRule } from "../../ir/rule-table.js";
import { binaryPartials, scaleBy, cumprodJacobianProduct, productOfOthers, unaryDerivatives } from "./derivatives.js";
import type { CallSite } from "../../ir/source.js";
import { scalar } from "../constants.js";
import { resolvePadding } from "../../shape/conv.js";
import { dotFreeAxes } from "../../shape/linalg.js";
import { contiguousStrides } from "../../backend/reference/strided.js";
import { vjpControlRules } from "./control-rules.js";
import { customRules } from "./custom-rules.js";
import { pjitForward, pjitRules } from "./pjit-rules.js";
import type { Transformations } from "../transforms.js";

/** A cotangent, or null for a symbolic zero. */
export type Cotangent = DeviceArray | null;
/**
 * Cotangents of the inputs from cotangents of the outputs (null: no gradient flows there).
 * `wanted[i]` says whether input i is being differentiated; rules may skip the others.
 * `flat`: the transformations, for the rules that transform a called program (its VJP).
 */
export type VjpRule<P extends Primitive> = (cts: Cotangent[], primals: DeviceArray[], outs: DeviceArray[], params: ParamsOf<P>, prim: P, wanted: readonly boolean[], flat: Transformations) => Cotangent[];
/** A rule that serves any primitive (zero derivative). */
type AnyVjpRule = <P extends Primitive>(cts: Cotangent[], primals: DeviceArray[], outs: DeviceArray[], params: ParamsOf<P>, prim: P, wanted: readonly boolean[]) => Cotangent[];

/**
 * Primitives whose forward pass under reverse mode is not the call itself: it runs in place of
 * the call and returns the outputs and the params the tape keeps for the backward pass.
 */
type ForwardRule<P extends Primitive> = (primals: DeviceArray[], params: ParamsOf<P>, tracked: readonly boolean[], flat: Transformations) => [DeviceArray[], ParamsOf<P>];
const forwardRules: { readonly [P in Primitive]?: ForwardRule<P> } = {
  // A custom VJP runs fwd and keeps the residuals for bwd.
  custom_vjp_call: (primals, params) => {
    const [outs, residuals] = params.fwd(primals.slice(params.numConsts));
    return [outs, { ...params, residuals }];
  },
  // jit runs a forward program that also computes the residuals of its backward program.
  pjit: pjitForward,
};

/** One recorded application; `Node<P>` for each primitive, so a node's params are its primitive's. */
type Node = { [P in Primitive]: NodeOf<P> }[Primitive];
interface NodeOf<P extends Primitive> {
  readonly prim: P;
  readonly params: ParamsOf<P>;
  readonly inputs: (VJPTracer | null)[];
  readonly primals: DeviceArray[];
  readonly outs: DeviceArray[];
  readonly outTracers: (VJPTracer | null)[];
}

export class VJPTracer extends Tracer {
  constructor(trace: VJPTrace, readonly primal: DeviceArray) { super(trace, primal._aval); }
  concrete(): DeviceArray | undefined {
    const p = this.primal;
    return p instanceof Tracer ? p.concrete() : p;
  }
}

/**
 * Reverse mode: operations on tracked values are recorded on a tape while the primal
 * computation runs in the parent trace; `backward` then applies VJP rules in reverse, also in
 * the parent trace, so the backward pass itself can be differentiated, jitted or vmapped.
 */
export class VJPTrace extends Trace {
  readonly tape: Node[] = [];
  constructor(parent: Trace, readonly flat: Transformations, origin?: CallSite) { super(parent, "grad", origin); }

  track(x: DeviceArray): VJPTracer { return new VJPTracer(this, x); }

  process<P extends Primitive>(prim: P, args: readonly DeviceArray[], params: ParamsOf<P>): DeviceArray[] {
    const primals: DeviceArray[] = [];
    const inputs: (VJPTracer | null)[] = [];
    let any = false;
    for (const a of args) {
      if (isOwnTracer<VJPTracer>(this, a, prim)) { primals.push(a.primal); inputs.push(a); any = true; }
      else { primals.push(a); inputs.push(null); }
    }
    const saved = swapTrace(this.parent!);
    let outs: DeviceArray[];
    try {
      const forward: ForwardRule<P> | undefined = any ? forwardRules[prim] : undefined;
      if (forward) [outs, params] = forward(primals, params, inputs.map((t) => t !== null), this.flat);
      else outs = bind(prim, primals, params);
    } finally { swapTrace(saved); }
    if (!any) return outs;
    const outTracers = outs.map((o) => (isFloat(o.dtype) ? new VJPTracer(this, o) : null));
    const node: NodeOf<P> = { prim, params, inputs, primals, outs, outTracers };
    this.tape.push(node as Node);
    return outs.map((o, i) => outTracers[i] ?? o);
  }

  /** Cotangents of `inputs` given cotangents of `outputs` (all tracers of this trace or constants). */
  backward(outputs: readonly DeviceArray[], outCts: readonly Cotangent[], inputs: readonly DeviceArray[]): Cotangent[] {
    return withTrace(this.parent!, () => {
      const cts = new Map<VJPTracer, DeviceArray>();
      const accumulate = (t: VJPTracer, ct: DeviceArray) => {
        const prev = cts.get(t);
        cts.set(t, prev ? l.add(prev, ct) : ct);
      };
      outputs.forEach((o, i) => { const ct = outCts[i]; if (ct && o instanceof VJPTracer && o._trace === this) accumulate(o, ct); });
      for (let n = this.tape.length - 1; n >= 0; n--) {
        const node = this.tape[n]!;
        let anyCt = false;
        const outCtsNode = node.outTracers.map((t) => {
          const ct = t ? cts.get(t) ?? null : null;
          if (ct) { anyCt = true; cts.delete(t!); }
          return ct;
        });
        if (!anyCt) continue;
        const wanted = node.inputs.map((t) => t !== null);
        const inCts = applyVjp(node, outCtsNode, wanted, this.flat);
        node.inputs.forEach((t, i) => {
          const ct = inCts[i];
          if (t && ct) accumulate(t, ct.dtype === t.dtype ? ct : l.convert(ct, t.dtype, t.weakType));
        });
      }
      return inputs.map((x) => (x instanceof VJPTracer && x._trace === this ? cts.get(x) ?? null : null));
    });
  }
}

/** Runs a tape node's VJP rule (or refuses, for a primitive reverse mode cannot differentiate). */
function applyVjp<P extends Primitive>(node: NodeOf<P>, cts: Cotangent[], wanted: readonly boolean[], flat: Transformations): Cotangent[] {
  const rule = ruleOrRefuse<P, VjpRule<P>>(vjpRules[node.prim], node.prim, node.params, "differentiation");
  return rule(cts, node.primals, node.outs, node.params, node.prim, wanted, flat);
}

const zeroRule: AnyVjpRule = (_cts, primals) => primals.map(() => null);
const zerosOf = (x: DeviceArray) => l.zerosLike(x);
const inversePerm = (p: readonly number[]) => { const inv = new Array<number>(p.length); p.forEach((a, i) => { inv[a] = i; }); return inv; };

const unaryRules = rulesFor(UNARY_PRIMITIVES, (p): VjpRule<UnaryPrimitive> => {
  const d = unaryDerivatives[p];
  return d === "zero" ? zeroRule : d === "linear" ? ([ct]) => [l.unary(p)(ct!)]
    : ([ct], [x], [y]) => [scaleBy(ct!, d(x!, y!))];
});
const binaryRules = rulesFor(BINARY_PRIMITIVES, (p): VjpRule<BinaryPrimitive> => {
  const d = binaryPartials[p];
  return d === "zero" ? zeroRule : ([ct], [a, b], [y], _p, _prim, wanted) => {
    const wantA = wanted[0]! && isFloat(a!.dtype), wantB = wanted[1]! && isFloat(b!.dtype);
    const [da, db] = d(a!, b!, y!, wantA, wantB);
    return [
      wantA && da ? l.unbroadcast(scaleBy(ct!, da), a!.shape) : null,
      wantB && db ? l.unbroadcast(scaleBy(ct!, db), b!.shape) : null,
    ];
  };
});

function maskedReduce(): VjpRule<"reduce_max" | "reduce_min"> {
  return ([ct], [x], [y], { axes }) => {
    const keep = x!.shape.map((_, i) => i).filter((i) => !axes.includes(i));
    const mask = l.convert(l.eq(x!, l.broadcastInDim(y!, x!.shape, keep)), x!.dtype);
    const count = l.broadcastInDim(l.reduceSum(mask, axes), x!.shape, keep);
    return [l.div(l.mul(l.broadcastInDim(ct!, x!.shape, keep), mask), count)];
  };
}

/**
 * Cotangents of dot_general's operands (the transposes of a bilinear map), only for the wanted
 * ones. Each is one dot_general of the cotangent with the other operand, in whichever operand
 * order lays the result out as the operand already is (for a matmul, both are: no transpose).
 */
function dotGeneralVjp([ct]: Cotangent[], [a, b]: DeviceArray[], _outs: DeviceArray[], { dimensionNumbers: dn, preferredElementType }: ParamsOf<"dot_general">,
  _prim: Primitive, wanted: readonly boolean[]): Cotangent[] {
  const [ca, cb] = dn.contract, [ba, bb] = dn.batch;
  const [freeA, freeB] = dotFreeAxes(dn, a!.ndim, b!.ndim);
  const nb = ba.length, nfa = freeA.length, nfb = freeB.length;
  const c = ct!.dtype === a!.dtype ? ct! : l.convert(ct!, a!.dtype);
  // ct's axes: batch, a-free, b-free. The cotangent of x (a or b) contracts ct's axes of the
  // other operand's free dims with those dims; its result axes are batch, then x's free dims
  // and x's contracted dims (ascending) in one order or the other.
  const cotangentOf = (x: DeviceArray, xBatch: readonly number[], xFree: number[], xContract: readonly number[],
    other: DeviceArray, otherBatch: readonly number[], otherFree: number[], otherContract: readonly number[], ctOtherFree: number[]) => {
    const contractSorted = [...otherContract].sort((p, q) => p - q);
    const xContractInOrder = contractSorted.map((ax) => xContract[otherContract.indexOf(ax)]!);
    const type = preferredElementType ? x.dtype : null;
    const ctFirst = [...xBatch, ...xFree, ...xContractInOrder];
    const otherFirst = [...xBatch, ...xContractInOrder, ...xFree];
    const identity = (order: number[]) => order.every((ax, i) => ax === i);
    if (identity(otherFirst) && !identity(ctFirst)) {
      return l.dotGeneral(other, c, { contract: [otherFree, ctOtherFree], batch: [[...otherBatch], range(0, nb)] }, type);
    }
    const r = l.dotGeneral(c, other, { contract: [ctOtherFree, otherFree], batch: [range(0, nb), [...otherBatch]] }, type);
    return l.transpose(r, inversePerm(ctFirst));
  };
  const ctA = wanted[0] && isFloat(a!.dtype) ? cotangentOf(a!, ba, freeA, ca, b!, bb, freeB, cb, range(nb + nfa, nfb)) : null;
  const ctB = wanted[1] && isFloat(b!.dtype) ? cotangentOf(b!, bb, freeB, cb, a!, ba, freeA, ca, range(nb, nfa)) : null;
  return [ctA, ctB];
}

/** [s, s+1, ..., s+n-1] */
function range(s: number, n: number): number[] {
  const r = new Array<number>(n);
  for (let i = 0; i < n; i++) r[i] = s + i;
  return r;
}

const dilateShape = (s: number, d: number) => (s === 0 ? 0 : 1 + d * (s - 1));

/**
 * Cotangents of conv_general_dilated's operands, as the transposed convolutions of JAX's
 * `_conv_general_dilated_transpose_lhs/rhs`, written for the fixed NC... / OI... layouts.
 * lhs: the cotangent convolved with the spatially reversed kernel whose in/out features are
 * swapped (within each feature group), strides and lhs dilation exchanged.
 * rhs: the input convolved with the cotangent, batch and feature axes exchanged; feature groups
 * become groups over the batch-as-feature axis, folded into one grouped convolution.
 */
function convVjp([ct]: Cotangent[], [lhs, rhs]: DeviceArray[], _outs: DeviceArray[], p: ParamsOf<"conv_general_dilated">): Cotangent[] {
  const g = ct!.dtype === lhs!.dtype ? ct! : l.convert(ct!, lhs!.dtype);
  const G = p.featureGroupCount;
  const [N, C] = lhs!.shape as [number, number];
  const [O, Cg] = rhs!.shape as [number, number];
  const inSp = lhs!.shape.slice(2), kSp = rhs!.shape.slice(2), outSp = g.shape.slice(2);
  const nsp = inSp.length;
  const sp = Array.from({ length: nsp }, (_, i) => i + 2);
  const pads = resolvePadding(inSp, kSp, p);
  const lhsDil = inSp.map((n, i) => dilateShape(n, p.lhsDilation[i]!));
  const rhsDil = kSp.map((k, i) => dilateShape(k, p.rhsDilation[i]!));
  const outDil = outSp.map((n, i) => dilateShape(n, p.strides[i]!));

  let ctLhs: DeviceArray | null = null;
  if (isFloat(lhs!.dtype)) {
    // Kernel [O, Cg, *k] -> [G, O/G, Cg, *k] -> [G, Cg, O/G, *k] -> [C, O/G, *k], reversed in space.
    const og = O / G;
    let w = l.reshape(rhs!, [G, og, Cg, ...kSp]);
    w = l.transpose(w, [0, 2, 1, ...sp.map((d) => d + 1)]);
    w = l.rev(l.reshape(w, [G * Cg, og, ...kSp]), sp);
    const padding = inSp.map((_, i) => {
      const before = rhsDil[i]! - pads[i]![0] - 1;
      return [before, lhsDil[i]! + rhsDil[i]! - 1 - outDil[i]! - before] as [number, number];
    });
    ctLhs = bind("conv_general_dilated", [g, w], {
      strides: p.lhsDilation, padding, lhsDilation: p.strides, rhsDilation: p.rhsDilation, featureGroupCount: G,
    })[0]!;
  }

  let ctRhs: DeviceArray | null = null;
  if (isFloat(rhs!.dtype)) {
    // Batch and feature axes exchange roles: lhs [N, G, Cg, *s] -> [Cg, G*N, *s]; ct [N, G, O/G, *o] -> [O, N, *o].
    const og = O / G;
    let x = l.reshape(lhs!, [N, G, Cg, ...inSp]);
    x = l.reshape(l.transpose(x, [2, 1, 0, ...sp.map((d) => d + 1)]), [Cg, G * N, ...inSp]);
    let y = l.reshape(g, [N, G, og, ...outSp]);
    y = l.reshape(l.transpose(y, [1, 2, 0, ...sp.map((d) => d + 1)]), [O, N, ...outSp]);
    const padding = inSp.map((_, i) => {
      const lo = pads[i]![0];
      return [lo, outDil[i]! - lhsDil[i]! + rhsDil[i]! - lo - 1] as [number, number];
    });
    const r = bind("conv_general_dilated", [x, y], {
      strides: p.rhsDilation, padding, lhsDilation: p.lhsDilation, rhsDilation: p.strides, featureGroupCount: G,
    })[0]!;
    // r [Cg, O, *k'] may overshoot the kernel by a stride remainder; keep the kernel's extent.
    const sliced = r.shape.slice(2).some((d, i) => d !== kSp[i]) ? l.slice(r, r.shape.map(() => 0), [Cg, O, ...kSp]) : r;
    ctRhs = l.transpose(sliced, [1, 0, ...sp]);
  }
  void C;
  return [ctLhs, ctRhs];
}

/** Reverse mode's rule of every primitive; the primitives it cannot differentiate say why. */
export const vjpRules: { readonly [P in Primitive]: VjpRule<P> | NoRule<P> } = {
  ...unaryRules, ...binaryRules,
  select: ([ct], [c, x, y], _o, _p, _prim, wanted) => {
    const z = l.zerosLike(ct!);
    return [null, wanted[1] ? l.unbroadcast(l.select(c!, ct!, z), x!.shape) : null, wanted[2] ? l.unbroadcast(l.select(c!, z, ct!), y!.shape) : null];
  },
  clamp: ([ct], [lo, x, hi]) => {
    const z = l.zerosLike(ct!);
    const below = l.lt(x!, lo!), above = l.gt(x!, hi!);
    return [
      l.unbroadcast(l.select(below, ct!, z), lo!.shape),
      l.unbroadcast(l.select(l.or(below, above), z, ct!), x!.shape),
      l.unbroadcast(l.select(above, ct!, z), hi!.shape),
    ];
  },
  convert_element_type: ([ct], [x], [y]) => [isFloat(x!.dtype) && isFloat(y!.dtype) ? l.convert(ct!, x!.dtype, x!.weakType) : null],
  bitcast_convert_type: zeroRule, stop_gradient: zeroRule, iota: zeroRule, threefry2x32: zeroRule,
  reduce_and: zeroRule, reduce_or: zeroRule, argmax: zeroRule, argmin: zeroRule,
  broadcast_in_dim: ([ct], [x], _o, { shape, broadcastDimensions }) => {
    const summed = shape.map((_, i) => i).filter((i) => !broadcastDimensions.includes(i) || (x!.shape[broadcastDimensions.indexOf(i)] === 1 && shape[i] !== 1));
    // The kept axes come out in output order; broadcastDimensions need not be increasing, so
    // put them back in operand order before the reshape.
    const order = shape.map((_, i) => i).filter((i) => !summed.includes(i)).map((d) => broadcastDimensions.indexOf(d));
    const inOperandOrder = [...order].sort((a, b) => a - b);
    const reduced = l.transpose(l.reduceSum(ct!, summed), inOperandOrder.map((j) => order.indexOf(j)));
    return [l.reshape(reduced, x!.shape)];
  },
  reshape: ([ct], [x]) => [l.reshape(ct!, x!.shape)],
  transpose: ([ct], _p, _o, { permutation }) => [l.transpose(ct!, inversePerm(permutation))],
  rev: ([ct], _p, _o, { dimensions }) => [l.rev(ct!, dimensions)],
  slice: ([ct], [x], _o, { start, limit, strides }) => {
    const config = x!.shape.map((n, i) => {
      const st = strides?.[i] ?? 1, size = ct!.shape[i]!;
      const hi = size === 0 ? n - start[i]! : n - (start[i]! + (size - 1) * st + 1);
      return [start[i]!, size === 0 ? n - start[i]! : hi, size === 0 ? 0 : st - 1] as const;
    });
    void limit;
    return [l.pad(ct!, scalar(0, ct!.dtype), config)];
  },
  pad: ([ct], [x], _o, { config }) => {
    const unpadded = l.pad(ct!, scalar(0, ct!.dtype), config.map(([lo, hi]) => [-lo, -hi, 0] as const));
    const ctX = l.slice(unpadded, x!.shape.map(() => 0), unpadded.shape, config.map(([, , interior]) => interior + 1));
    const all = ct!.shape.map((_, i) => i);
    return [ctX, l.sub(l.reduceSum(ct!, all), l.reduceSum(ctX, all))];
  },
  concatenate: ([ct], primals, _o, { axis }) => {
    let at = 0;
    return primals.map((x) => {
      const start = ct!.shape.map((_, i) => (i === axis ? at : 0));
      const limit = ct!.shape.map((d, i) => (i === axis ? at + x.shape[axis]! : d));
      at += x.shape[axis]!;
      return l.slice(ct!, start, limit);
    });
  },
  dynamic_slice: ([ct], [x, ...starts]) => [l.dynamicUpdateSlice(zerosOf(x!), ct!, starts), ...starts.map(() => null)],
  dynamic_update_slice: ([ct], [, u, ...starts]) => [
    l.dynamicUpdateSlice(ct!, zerosOf(u!), starts), l.dynamicSlice(ct!, starts, u!.shape), ...starts.map(() => null)],
  // gather clamps its indices but scatter drops out-of-range ones: clamp first, so the clamped reads get their cotangent.
  gather: ([ct], [x, idx], _o, { axis }) => [l.scatter(zerosOf(x!), clampIndices(idx!, x!.shape[axis]!), ct!, axis, "add"), null],
  scatter: ([ct], [x, idx, u], _o, { axis, mode }) => {
    if (mode !== "add" && mode !== "set") throw new Error(`scatter: differentiation of .at[].${mode}() is not supported (use add or set)`);
    // An update reaches the output only if its index is in range and, for set, it is the last write to that position.
    const mask = l.broadcastInDim(scatterWinners(idx!, x!.shape[axis]!, mode), u!.shape, idx!.shape.map((_, i) => axis + i));
    const ctU = l.select(mask, l.gather(ct!, idx!, axis), zerosOf(u!));
    return [mode === "add" ? ct! : l.scatter(ct!, idx!, zerosOf(u!), axis, "set"), null, ctU];
  },
  reduce_sum: ([ct], [x], _o, { axes }) => [l.broadcastInDim(ct!, x!.shape, x!.shape.map((_, i) => i).filter((i) => !axes.includes(i)))],
  reduce_max: maskedReduce(), reduce_min: maskedReduce(),
  reduce_prod: ([ct], [x], _o, { axes }) => {
    const keep = x!.shape.map((_, i) => i).filter((i) => !axes.includes(i));
    return [l.mul(l.broadcastInDim(ct!, x!.shape, keep), productOfOthers(x!, axes))];
  },
  cumsum: ([ct], _p, _o, { axis, reverse }) => [l.cumsum(ct!, axis, !reverse)],
  cumprod: ([ct], [x], _o, { axis, reverse }) => [cumprodJacobianProduct(x!, ct!, axis, reverse, true)],
  cummax: noRule("not implemented (JAX differentiates it through an associative scan)"),
  cummin: noRule("not implemented (JAX differentiates it through an associative scan)"),
  dot_general: dotGeneralVjp,
  conv_general_dilated: convVjp,
  sort: (cts, primals, _outs, { dimension, numKeys }) => {
    // Recover the permutation by sorting an iota along, then send each cotangent back through it.
    const x0 = primals[0]!;
    const positions = l.iota("int32", x0.shape, dimension);
    const perm = l.sort([...primals.slice(0, numKeys), positions], dimension, numKeys)[numKeys]!;
    const inverse = l.sort([perm, positions], dimension, 1)[1]!;
    return cts.map((ct, i) => (ct && isFloat(primals[i]!.dtype) ? takeAlongAxis(ct, inverse, dimension) : null));
  },
  pjit: pjitRules.vjp, cond: vjpControlRules.cond, scan: vjpControlRules.scan,
  while: noRule("the trip count is not known in advance, as in JAX", () =>
    "whileLoop: reverse-mode differentiation is not supported (the trip count is not known in advance); " +
    "use lax.scan or lax.forILoop with static bounds, or forward mode (jvp / jacfwd)"),
  custom_jvp_call: customRules.vjp.custom_jvp_call, custom_vjp_call: customRules.vjp.custom_vjp_call,
};

function clampIndices(idx: DeviceArray, n: number): DeviceArray {
  return l.max(l.min(idx, scalar(n - 1, idx.dtype)), scalar(0, idx.dtype));
}

/** Per index: does the update at this position land in the output (in range; for set, not overwritten by a later duplicate)? */
function scatterWinners(idx: DeviceArray, n: number, mode: "add" | "set"): DeviceArray {
  const inRange = l.and(l.ge(idx, scalar(0, idx.dtype)), l.lt(idx, scalar(n, idx.dtype)));
  if (mode === "add") return inRange;
  // Scatter each update's id with the same kernel: the id left at a position is the one that won.
  const flat = l.reshape(idx, [idx.size]);
  const ids = l.iota("int32", [idx.size], 0);
  const winner = l.scatter(l.fullLike(l.iota("int32", [n], 0), -1), flat, ids, 0, "set");
  return l.and(inRange, l.reshape(l.eq(l.gather(winner, flat, 0), ids), idx.shape));
}

/** x[..., idx[..., j, ...], ...] along `axis`, per lane (np.take_along_axis), via a flat gather. */
export function takeAlongAxis(x: DeviceArray, idx: DeviceArray, axis: number): DeviceArray {
  const shape = x.shape;
  const n = shape[axis]!;
  // Flat position of each lane's start plus idx * stride of the axis.
  const strides = contiguousStrides(shape);
  let base: DeviceArray | null = null;
  shape.forEach((d, i) => {
    if (i === axis) return;
    const term = l.mul(l.iota("int32", idx.shape, i), scalar(strides[i]!, "int32"));
    base = base ? l.add(base, term) : term;
  });
  void n;
  const flatIdx = l.add(base ?? l.zerosLike(idx), l.mul(idx, scalar(strides[axis]!, "int32")));
  return l.gather(l.reshape(x, [x.size]), flatIdx, 0);
}
