import type { DeviceArray } from "../../array.js";
import { isFloat, type DType } from "../../dtype.js";
import * as l from "../../lax/primitives.js";
import { scalar } from "../constants.js";
import type { CustomBwd, CustomFwd, CustomJvpRule } from "../../ir/primitives.js";
import { bind } from "../trace.js";
import type { Transformations } from "../transforms.js";
import type { BatchRule } from "../batching.js";
import { batchBody, front } from "./control-rules.js";
import type { JvpRule } from "./jvp.js";
import type { Cotangent, VjpRule } from "./vjp.js";

/**
 * Rules of the custom-derivative primitives (jax.custom_jvp / jax.custom_vjp). Both carry the
 * traced function (`call`, whose first numConsts inputs are the values it closed over) and the
 * user's rules as functions over the remaining inputs:
 * - evaluation runs `call` (and lowering inlines it: a jit program never sees these primitives);
 * - custom_jvp_call: forward mode runs the jvp rule; reverse mode transposes it (the VJP of the
 *   tangent output with respect to the tangents, at zero tangents: the rule is linear in them);
 * - custom_vjp_call: reverse mode runs fwd on the forward pass (VJPTrace keeps the residuals) and
 *   bwd on the backward pass; forward mode is refused, as in JAX (the JVP table's marker, ad/jvp.ts);
 * - vmap batches `call` and the rules alike (every input moved to batch axis 0).
 * The transformations come from the trace that runs the rule (`flat`).
 * Derivatives never flow to the closed-over constants: JAX forbids differentiating them, and so
 * does this (pass such values as arguments).
 */
const closedOver = (what: string) => new Error(
  `${what}: the function closes over a value that is being differentiated; pass it as an argument instead (its derivative is defined only by the custom rule)`);

const zerosOfAval = (a: { shape: readonly number[]; dtype: DType }) => l.broadcastInDim(scalar(0, a.dtype), a.shape, []);

const jvp: { custom_jvp_call: JvpRule<"custom_jvp_call"> } = {
  custom_jvp_call: (primals, tangents, p) => {
    const nc = p.numConsts;
    if (tangents.slice(0, nc).some((t) => t !== null)) throw closedOver(`customJvp (${p.name})`);
    const args = primals.slice(nc);
    const ts = args.map((a, i) => tangents[nc + i] ?? l.zerosLike(a));
    return p.jvp(args, ts);
  },
};

const vjp: { custom_jvp_call: VjpRule<"custom_jvp_call">; custom_vjp_call: VjpRule<"custom_vjp_call"> } = {
  custom_jvp_call: (cts, primals, _outs, p, _prim, wanted, flat) => {
    const nc = p.numConsts;
    if (wanted.slice(0, nc).some((w, i) => w && isFloat(primals[i]!.dtype))) throw closedOver(`customJvp (${p.name})`);
    const args = primals.slice(nc);
    const diff = args.map((a, i) => wanted[nc + i]! && isFloat(a.dtype));
    const tracked = args.filter((_, i) => diff[i]).map((a) => l.zerosLike(a));
    if (tracked.length === 0) return primals.map(() => null);
    // The tangent output is linear in the tangents: its VJP at zero tangents is the transpose.
    const [, pullback] = flat.vjpFlat((...ts) => {
      let k = 0;
      return p.jvp(args, args.map((a, i) => (diff[i] ? ts[k++]! : l.zerosLike(a))))[1];
    }, tracked);
    const inCts = pullback(cts);
    let k = 0;
    return [...primals.slice(0, nc).map(() => null), ...args.map((_, i) => (diff[i] ? inCts[k++] ?? null : null))];
  },
  custom_vjp_call: (cts, primals, outs, p, _prim, wanted) => {
    const nc = p.numConsts;
    if (wanted.slice(0, nc).some((w, i) => w && isFloat(primals[i]!.dtype))) throw closedOver(`customVjp (${p.name})`);
    if (!p.residuals) throw new Error(`internal: customVjp (${p.name}) reached its VJP without the residuals of its forward pass`);
    const args = primals.slice(nc);
    const r = p.bwd(p.residuals, cts.map((c, i) => c ?? l.zerosLike(outs[i]!)));
    return [...primals.slice(0, nc).map((): Cotangent => null), ...args.map((a, i) => (isFloat(a.dtype) ? r[i] ?? null : null))];
  },
};

const at0 = (xs: readonly unknown[]) => xs.map(() => 0);

const batch: { custom_jvp_call: BatchRule<"custom_jvp_call">; custom_vjp_call: BatchRule<"custom_vjp_call"> } = {
  custom_jvp_call: (args, dims, p, _prim, size, flat) => {
    const all = front(args, dims, size);
    const nOut = p.call.outvars.length;
    const rule: CustomJvpRule = (ps, ts) => {
      const n = ps.length;
      const r = flat.vmapFlat((...xs) => { const [o, t] = p.jvp(xs.slice(0, n), xs.slice(n)); return [...o, ...t]; }, [...ps, ...ts], at0([...ps, ...ts]), 0);
      return [r.slice(0, nOut), r.slice(nOut)];
    };
    const outs = bind("custom_jvp_call", all, { ...p, call: batchBody(flat, p.call, size), jvp: rule });
    return [outs, at0(outs)];
  },
  custom_vjp_call: (args, dims, p, _prim, size, flat) => {
    const all = front(args, dims, size);
    const nOut = p.call.outvars.length;
    const argAvals = p.call.inAvals.slice(p.numConsts);
    const fwd: CustomFwd = (xs) => {
      const r = flat.vmapFlat((...ys) => { const [o, res] = p.fwd(ys); return [...o, ...res]; }, xs, at0(xs), 0);
      return [r.slice(0, nOut), r.slice(nOut)];
    };
    const bwd: CustomBwd = (res, cts) => flat.vmapFlat((...ys) => {
      const r = p.bwd(ys.slice(0, res.length), ys.slice(res.length));
      return argAvals.map((a, i) => r[i] ?? zerosOfAval(a));
    }, [...res, ...cts], at0([...res, ...cts]), 0);
    const outs = bind("custom_vjp_call", all, { ...p, call: batchBody(flat, p.call, size), fwd, bwd });
    return [outs, at0(outs)];
  },
};

export const customRules = { jvp, vjp, batch };

export type { DeviceArray };
