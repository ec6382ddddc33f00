import type { DeviceArray } from "../../array.js";
import { isFloat } from "../../dtype.js";
import * as l from "../../lax/primitives.js";
import type { BatchRule } from "../batching.js";
import type { Jaxpr } from "../../ir/jaxpr.js";
import type { ClosedJaxpr } from "../jaxpr-trace.js";
import { partialEval } from "../partial-eval.js";
import type { ParamsOf, PjitTape } from "../../ir/primitives.js";
import { bind, Tracer } from "../trace.js";
import { batchOfJaxpr, jvpOfJaxpr, vjpOfJaxpr, type JvpOfJaxpr } from "./jaxpr-transforms.js";
import type { JvpRule } from "./jvp.js";
import type { VjpRule } from "./vjp.js";
import type { Transformations } from "../transforms.js";

/**
 * jit under transformations, as in JAX: pjit stays one primitive. Each rule transforms the
 * called program (its JVP; its VJP split into a forward pass that keeps residuals and a
 * backward pass; its batched version) and binds pjit on the result, so an eager grad(jit(f))
 * or vmap(jit(f)) runs compiled programs. The transformed programs are remembered per program
 * and per which inputs are differentiated or batched: a repeated call traces nothing.
 */
const memo = new WeakMap<Jaxpr, Map<string, unknown>>();

function remembered<T>(j: Jaxpr, key: string, consts: (v: T) => readonly DeviceArray[], make: () => T): T {
  let m = memo.get(j);
  const hit = m?.get(key) as T | undefined;
  if (hit !== undefined) return hit;
  const v = make();
  // A program that closed over traced values belongs to this call only.
  if (!consts(v).some((c) => c instanceof Tracer)) {
    if (!m) memo.set(j, (m = new Map()));
    m.set(key, v);
  }
  return v;
}
const maskKey = (m: readonly boolean[]) => m.map((b) => (b ? "1" : "0")).join("");
const call = (c: ClosedJaxpr, args: readonly DeviceArray[], name: string) => bind("pjit", [...c.consts, ...args], { jaxpr: c.jaxpr, name });
/** A value as the called program declares it (rules may hand over a tangent of another float dtype). */
const asDtype = (x: DeviceArray, like: DeviceArray) => (x.dtype === like.dtype ? x : l.convert(x, like.dtype, like.weakType));

const jvp: JvpRule<"pjit"> = (primals, tangents, { jaxpr, name }, _prim, flat) => {
  const withTangent = tangents.map((t, i) => t !== null && isFloat(primals[i]!.dtype));
  const { closed, tangentOut } = remembered<JvpOfJaxpr>(jaxpr, `jvp:${maskKey(withTangent)}`, (v) => v.closed.consts,
    () => jvpOfJaxpr(flat, jaxpr, withTangent, false));
  const ts = tangents.flatMap((t, i) => (withTangent[i] ? [asDtype(t!, primals[i]!)] : []));
  const outs = call(closed, [...primals, ...ts], `jvp(${name})`);
  const n = jaxpr.outvars.length;
  let k = n;
  return [outs.slice(0, n), tangentOut.map((has) => (has ? outs[k++]! : null))];
};

/** The VJP of a program split into its forward pass (outputs and residuals) and its backward pass. */
function splitVjp(flat: Transformations, jaxpr: Jaxpr, wanted: readonly boolean[]) {
  const full = vjpOfJaxpr(flat, jaxpr, wanted, true);
  const known = full.consts.length + jaxpr.invars.length;
  const split = partialEval(full.jaxpr, full.jaxpr.invars.map((_, i) => i >= known), jaxpr.outvars.length);
  return { forward: { jaxpr: split.known, consts: full.consts }, backward: { jaxpr: split.unknown, consts: full.consts } };
}

/** Reverse mode's forward pass of pjit (VJPTrace runs it instead of the call): the outputs, and the params the backward pass reads. */
export function pjitForward(primals: DeviceArray[], params: ParamsOf<"pjit">, tracked: readonly boolean[], flat: Transformations): [DeviceArray[], ParamsOf<"pjit">] {
  const { jaxpr, name } = params;
  const wanted = tracked.map((t, i) => t && isFloat(primals[i]!.dtype));
  const { forward, backward } = remembered(jaxpr, `vjp:${maskKey(wanted)}`, (v) => v.forward.consts, () => splitVjp(flat, jaxpr, wanted));
  const outs = call(forward, primals, name);
  const n = jaxpr.outvars.length;
  const tape: PjitTape = { backward, wanted, residuals: outs.slice(n) };
  return [outs.slice(0, n), { ...params, tape }];
}

const vjp: VjpRule<"pjit"> = (cts, primals, outs, { name, tape }) => {
  if (!tape) throw new Error("internal: pjit on the tape without its forward pass");
  const ctArgs = outs.flatMap((o, i) => (isFloat(o.dtype) ? [cts[i] ? asDtype(cts[i]!, o) : l.zerosLike(o)] : []));
  const inCts = call(tape.backward, [...primals, ...tape.residuals, ...ctArgs], `vjp(${name})`);
  let k = 0;
  return primals.map((_, i) => (tape.wanted[i] ? inCts[k++]! : null));
};

const batch: BatchRule<"pjit"> = (args, dims, { jaxpr, name }, _prim, size, flat) => {
  const closed = remembered(jaxpr, `vmap:${size}:${dims.join(",")}`, (v) => v.consts, () => batchOfJaxpr(flat, jaxpr, size, dims));
  const outs = call(closed, args, `vmap(${name})`);
  return [outs, outs.map(() => 0)];
};

export const pjitRules = { jvp, vjp, batch };
