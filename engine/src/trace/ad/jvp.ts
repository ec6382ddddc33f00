import type { DeviceArray } from "../../array.js";
import { isFloat } from "../../dtype.js";
import * as l from "../../lax/primitives.js";
import { bind, isOwnTracer, Trace, Tracer, withTrace } from "../trace.js";
import { BINARY_PRIMITIVES, UNARY_PRIMITIVES, type BinaryPrimitive, type ParamsOf, type Primitive, type UnaryPrimitive } from "../../ir/primitives.js";
import { binaryPartials, scaleBy, cumprodJacobianProduct, productOfOthers, unaryDerivatives } from "./derivatives.js";
import type { CallSite } from "../../ir/source.js";
import { noRule, ruleOrRefuse, rulesFor, type NoRule } from "../../ir/rule-table.js";
import { jvpControlRules } from "./control-rules.js";
import { customRules } from "./custom-rules.js";
import { pjitRules } from "./pjit-rules.js";
import type { Transformations } from "../transforms.js";

/** A tangent, or null for a symbolic zero (nothing flows). */
export type Tangent = DeviceArray | null;
/** `flat`: the transformations, for the rules that transform a called program (its JVP). */
export type JvpRule<P extends Primitive> = (primals: DeviceArray[], tangents: Tangent[], params: ParamsOf<P>, prim: P, flat: Transformations) => [DeviceArray[], Tangent[]];
/** A rule that serves any primitive (the linear and zero-derivative rules). */
type AnyJvpRule = <P extends Primitive>(primals: DeviceArray[], tangents: Tangent[], params: ParamsOf<P>, prim: P) => [DeviceArray[], Tangent[]];

export class JVPTracer extends Tracer {
  constructor(trace: JVPTrace, readonly primal: DeviceArray, readonly tangent: Tangent) {
    super(trace, primal._aval);
  }
  concrete(): DeviceArray | undefined {
    const p = this.primal;
    return p instanceof Tracer ? p.concrete() : p;
  }
}

/** Forward mode: each value carries a tangent; rules run in the parent trace. */
export class JVPTrace extends Trace {
  constructor(parent: Trace, readonly flat: Transformations, origin?: CallSite) { super(parent, "jvp", origin); }
  process<P extends Primitive>(prim: P, args: readonly DeviceArray[], params: ParamsOf<P>): DeviceArray[] {
    const primals: DeviceArray[] = [], tangents: Tangent[] = [];
    let any = false;
    for (const a of args) {
      if (isOwnTracer<JVPTracer>(this, a, prim)) { primals.push(a.primal); tangents.push(a.tangent); any ||= a.tangent !== null; }
      else { primals.push(a); tangents.push(null); }
    }
    const parent = this.parent!;
    if (!any) return withTrace(parent, () => bind(prim, primals, params));
    const rule = ruleOrRefuse<P, JvpRule<P>>(jvpRules[prim], prim, params, "differentiation");
    const [outs, outTangents] = withTrace(parent, () => rule(primals, tangents, params, prim, this.flat));
    return outs.map((o, i) => new JVPTracer(this, o, isFloat(o.dtype) ? outTangents[i] ?? null : null));
  }
}

const zeros = (t: Tangent, p: DeviceArray) => t ?? l.zerosLike(p);
const sumTangents = (a: Tangent, b: Tangent): Tangent => (a === null ? b : b === null ? a : l.add(a, b));

/** Rules for ops linear in all their differentiable operands: apply the op to the tangents. */
function linearIn(...linearArgs: number[]): AnyJvpRule {
  return (primals, tangents, params, prim) => {
    const outs = bind(prim, primals, params);
    if (linearArgs.every((i) => tangents[i] === null)) return [outs, outs.map(() => null)];
    const targs = primals.map((p, i) => (linearArgs.includes(i) ? zeros(tangents[i]!, p) : p));
    return [outs, bind(prim, targs, params)];
  };
}
/** Primitives whose outputs do not depend differentiably on their inputs. */
const zeroRule: AnyJvpRule = (primals, _t, params, prim) => [bind(prim, primals, params), []];

const unaryRules = rulesFor(UNARY_PRIMITIVES, (p): JvpRule<UnaryPrimitive> => {
  const d = unaryDerivatives[p];
  return d === "zero" ? zeroRule : d === "linear" ? linearIn(0)
    : ([x], [t]) => { const y = l.unary(p)(x!); return [[y], [scaleBy(t!, d(x!, y))]]; };
});
const binaryRules = rulesFor(BINARY_PRIMITIVES, (p): JvpRule<BinaryPrimitive> => {
  const d = binaryPartials[p];
  return d === "zero" ? zeroRule : ([a, b], [ta, tb]) => {
    const y = l.binary(p)(a!, b!);
    const [da, db] = d(a!, b!, y, !!ta, !!tb);
    let t = sumTangents(ta && da ? scaleBy(ta, da) : null, tb && db ? scaleBy(tb, db) : null);
    if (t && !l.sameShape(t.shape, y.shape)) t = l.broadcastTo(t, y.shape);
    return [[y], [t]];
  };
});

function maskedReduce(reduce: (x: DeviceArray, axes: readonly number[]) => DeviceArray): JvpRule<"reduce_max" | "reduce_min"> {
  return ([x], [t], { axes }) => {
    const y = reduce(x!, axes);
    // The derivative flows through the positions that attain the extremum, averaged over ties.
    const keep = x!.shape.map((_, i) => i).filter((i) => !axes.includes(i));
    const mask = l.convert(l.eq(x!, l.broadcastInDim(y, x!.shape, keep)), x!.dtype);
    // At least 1: a reduction over a size-0 axis is a constant (-inf / inf) whose tangent is 0, not 0/0.
    const count = l.max(l.reduceSum(mask, axes), l.scalarLike(mask, 1));
    return [[y], [l.div(l.reduceSum(l.mul(t!, mask), axes), count)]];
  };
}

/** Forward mode's rule of every primitive; the primitives it cannot differentiate say why. */
export const jvpRules: { readonly [P in Primitive]: JvpRule<P> | NoRule<P> } = {
  ...unaryRules, ...binaryRules,
  select: ([c, x, y], [, tx, ty]) => {
    const out = l.select(c!, x!, y!);
    if (!tx && !ty) return [[out], [null]];
    return [[out], [l.broadcastTo(l.select(c!, zeros(tx!, x!), zeros(ty!, y!)), out.shape)]];
  },
  clamp: ([lo, x, hi], [tlo, tx, thi]) => {
    const out = bind("clamp", [lo!, x!, hi!], {})[0]!;
    const below = l.lt(x!, lo!), above = l.gt(x!, hi!);
    let t: Tangent = null;
    if (tx) t = l.select(l.or(below, above), l.zerosLike(out), l.broadcastTo(tx, out.shape));
    if (tlo) t = sumTangents(t, l.select(below, l.broadcastTo(tlo, out.shape), l.zerosLike(out)));
    if (thi) t = sumTangents(t, l.select(above, l.broadcastTo(thi, out.shape), l.zerosLike(out)));
    return [[out], [t]];
  },
  convert_element_type: ([x], [t], p) => {
    const out = bind("convert_element_type", [x!], p)[0]!;
    return [[out], [isFloat(p.dtype) && isFloat(x!.dtype) ? l.convert(t!, p.dtype, p.weak) : null]];
  },
  bitcast_convert_type: zeroRule,
  stop_gradient: zeroRule,
  broadcast_in_dim: linearIn(0), reshape: linearIn(0), transpose: linearIn(0), rev: linearIn(0), slice: linearIn(0),
  pad: linearIn(0, 1), concatenate: (primals, tangents, params, prim) => linearIn(...primals.map((_, i) => i))(primals, tangents, params, prim),
  dynamic_slice: linearIn(0), dynamic_update_slice: linearIn(0, 1), gather: linearIn(0),
  scatter: (primals, tangents, params, prim) => {
    if (params.mode === "add" || params.mode === "set") return linearIn(0, 2)(primals, tangents, params, prim);
    throw new Error(`scatter: differentiation of .at[].${params.mode}() is not supported (use add or set)`);
  },
  iota: zeroRule,
  reduce_sum: linearIn(0), cumsum: linearIn(0),
  reduce_max: maskedReduce(l.reduceMax), reduce_min: maskedReduce(l.reduceMin),
  reduce_prod: ([x], [t], { axes }) => {
    const y = l.reduceProd(x!, axes);
    // d prod = sum_i t_i * prod_{j != i} x_j.
    return [[y], [l.reduceSum(l.mul(t!, productOfOthers(x!, axes)), axes)]];
  },
  reduce_and: zeroRule, reduce_or: zeroRule, argmax: zeroRule, argmin: zeroRule,
  cumprod: ([x], [t], p) => {
    const y = bind("cumprod", [x!], p)[0]!;
    return [[y], [cumprodJacobianProduct(x!, t!, p.axis, p.reverse, false)]];
  },
  cummax: noRule("not implemented (JAX differentiates it through an associative scan)"),
  cummin: noRule("not implemented (JAX differentiates it through an associative scan)"),
  dot_general: ([a, b], [ta, tb], p) => {
    const y = bind("dot_general", [a!, b!], p)[0]!;
    const t = sumTangents(ta ? bind("dot_general", [ta, b!], p)[0]! : null, tb ? bind("dot_general", [a!, tb], p)[0]! : null);
    return [[y], [t]];
  },
  conv_general_dilated: ([a, b], [ta, tb], p) => {
    const y = bind("conv_general_dilated", [a!, b!], p)[0]!;
    const t = sumTangents(ta ? bind("conv_general_dilated", [ta, b!], p)[0]! : null, tb ? bind("conv_general_dilated", [a!, tb], p)[0]! : null);
    return [[y], [t]];
  },
  sort: (primals, tangents, { dimension, numKeys }) => {
    // Sort the tangents along with the keys: they follow the same permutation.
    const withT = tangents.map((t, i) => zeros(t, primals[i]!));
    const outs = bind("sort", [...primals, ...withT], { dimension, numKeys });
    return [outs.slice(0, primals.length), outs.slice(primals.length)];
  },
  threefry2x32: zeroRule,
  pjit: pjitRules.jvp, cond: jvpControlRules.cond, scan: jvpControlRules.scan, while: jvpControlRules.while,
  custom_jvp_call: customRules.jvp.custom_jvp_call,
  custom_vjp_call: noRule<"custom_vjp_call">("a customVjp function defines reverse mode only, as in JAX", (_prim, p) =>
    `customVjp (${p.name}): forward-mode differentiation (jvp, jacfwd, linearize) of a customVjp function is not supported, ` +
    "as in JAX; define the derivative with customJvp to get both modes"),
};
