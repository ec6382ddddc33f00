import type { DeviceArray } from "../array.js";
import * as l from "../lax/primitives.js";
import { Tracer } from "../trace/trace.js";
import { eagerSite } from "../ir/source.js";
import { jvpFlat, vjpFlat, vmapFlat } from "../trace/transforms.js";
import { isFloat } from "../dtype.js";
import { flatten, unflatten, type TreeDef } from "../tree.js";
import { checkDifferentiable, flattenArrays, normalizeArgnums, type Argnums } from "./args.js";
import { LocatedTypeError, LocatedError } from "../ir/source.js";

import type { Fn, GradFn, GradsOf, JacobianFn, Pullback, ValueAndGradFn } from "./transform-types.js";

export interface GradOptions<A extends Argnums = Argnums, H extends boolean = boolean> { argnums?: A; hasAux?: H }

/**
 * Runs f with the argnums arguments replaced by flat tracked leaves; the result's leaves (and
 * aux leaves) come back flat, with their structures.
 */
function differentiableCall(what: string, f: Fn, args: unknown[], argnums: number[], hasAux: boolean) {
  const parts = argnums.map((i) => {
    const [leaves, def] = flattenArrays(args[i], what);
    checkDifferentiable(what, leaves, i);
    return { i, leaves, def };
  });
  const flatIn = parts.flatMap((p) => p.leaves);
  let outDef: TreeDef | undefined, auxDef: TreeDef | undefined, nOut = 0;
  const flatFn = (...xs: DeviceArray[]) => {
    const callArgs = [...args];
    let k = 0;
    for (const p of parts) { callArgs[p.i] = unflatten(p.def, xs.slice(k, k + p.leaves.length)); k += p.leaves.length; }
    let out = f(...callArgs);
    let aux: unknown = null;
    if (hasAux) {
      if (!Array.isArray(out) || out.length !== 2) throw new LocatedTypeError(`${what} with hasAux: the function must return [output, aux]`);
      [out, aux] = out;
    }
    const [outs, od] = flattenArrays(out, what);
    const [auxLeaves, ad] = flatten(aux);
    outDef = od; auxDef = ad; nOut = outs.length;
    return [...outs, ...(auxLeaves as DeviceArray[])];
  };
  return { parts, flatIn, flatFn, get outDef() { return outDef!; }, get auxDef() { return auxDef!; }, get nOut() { return nOut; } };
}

function regroup(parts: { leaves: DeviceArray[]; def: TreeDef }[], flat: (DeviceArray | null)[], argnums: Argnums) {
  let k = 0;
  const trees = parts.map((p) => unflatten(p.def, p.leaves.map((x) => { const g = flat[k++]; return g ?? l.zerosLike(x); })));
  return typeof argnums === "number" ? trees[0] : trees;
}

/** valueAndGrad(f)(...args) -> [value, grad] (or [[value, aux], grad] with hasAux). */
export function valueAndGrad<F extends Fn, const A extends Argnums = 0, H extends boolean = false>(f: F, opts: GradOptions<A, H> = {}): ValueAndGradFn<F, A> {
  const argnumsOpt = opts.argnums ?? 0;
  const hasAux = opts.hasAux ?? false;
  return ((...args: any[]): [any, any] => {
    const argnums = normalizeArgnums("grad", argnumsOpt, args.length);
    const call = differentiableCall("grad", f, args, argnums, hasAux);
    const [outs, pullback] = vjpFlat(call.flatFn, call.flatIn, eagerSite());
    const value = outs[0]!;
    if (call.nOut !== 1 || value.ndim !== 0) {
      throw new LocatedTypeError(`grad: the function must return a scalar, got ${call.nOut === 1 ? value.aval : `a tree of ${call.nOut} arrays`}; use vjp or jacrev for non-scalar outputs`);
    }
    if (!isFloat(value.dtype)) throw new LocatedTypeError(`grad: the function must return a floating-point scalar, got ${value.aval}`);
    const grads = pullback([l.fullLike(value, 1), ...outs.slice(1).map(() => null)]);
    const g = regroup(call.parts, grads, argnumsOpt);
    const aux = hasAux ? unflatten(call.auxDef, outs.slice(1)) : undefined;
    return [hasAux ? [value, aux] : value, g];
  }) as ValueAndGradFn<F, A>;
}

/** grad(f, { argnums, hasAux })(...args): the gradient of a scalar function. */
export function grad<F extends Fn, const A extends Argnums = 0, H extends boolean = false>(f: F, opts: GradOptions<A, H> = {}): GradFn<F, A, H> {
  const vg = valueAndGrad(f as Fn, opts as GradOptions);
  return ((...args: any[]) => {
    const [v, g] = vg(...args);
    return opts.hasAux ? [g, v[1]] : g;
  }) as GradFn<F, A, H>;
}

/** vjp(f, ...primals) -> [out, vjpFn] with vjpFn(cotangent) -> cotangents of each primal. */
export function vjp<F extends Fn>(f: F, ...primals: Parameters<F>): [ReturnType<F>, Pullback<F>] {
  const argnums = primals.map((_, i) => i);
  const call = differentiableCall("vjp", f, primals, argnums, false);
  const [outs, pullback] = vjpFlat(call.flatFn, call.flatIn, eagerSite());
  const outTree = unflatten(call.outDef, outs);
  let used = false;
  const vjpFn = (ct: any) => {
    if (used) throw new LocatedError("vjp: the returned function can be called once (call vjp again for another cotangent)");
    used = true;
    const [cts, def] = flattenArrays(ct, "vjp");
    if (!def.equals(call.outDef)) throw new LocatedTypeError(`vjp: cotangent structure ${def} does not match the output structure ${call.outDef}`);
    return regroup(call.parts, pullback(cts), argnums) as GradsOf<Parameters<F>>;
  };
  return [outTree as ReturnType<F>, vjpFn];
}

/** jvp(f, primals, tangents) -> [out, tangentOut]. */
export function jvp<F extends Fn>(f: F, primals: Readonly<Parameters<F>>, tangents: Readonly<Parameters<F>>): [ReturnType<F>, ReturnType<F>] {
  if (primals.length !== tangents.length) throw new LocatedTypeError(`jvp: ${primals.length} primals but ${tangents.length} tangents`);
  const flatP: DeviceArray[] = [], flatT: DeviceArray[] = [];
  const defs: TreeDef[] = [];
  primals.forEach((p, i) => {
    const [pl, pd] = flattenArrays(p, "jvp");
    const [tl, td] = flattenArrays(tangents[i], "jvp");
    if (!pd.equals(td)) throw new LocatedTypeError(`jvp: primal ${i} has structure ${pd} but its tangent has ${td}`);
    pl.forEach((x, j) => {
      const t = tl[j]!;
      if (x.shape.join() !== t.shape.join()) throw new LocatedTypeError(`jvp: primal ${i} leaf ${j} is ${x.aval} but its tangent is ${t.aval}`);
    });
    flatP.push(...pl); flatT.push(...tl.map((t, j) => (t.dtype === pl[j]!.dtype ? t : l.convert(t, pl[j]!.dtype))));
    defs.push(pd);
  });
  let outDef: TreeDef | undefined;
  const [outs, touts] = jvpFlat((...xs) => {
    let k = 0;
    const args = defs.map((d) => unflatten(d, xs.slice(k, (k += d.numLeaves))));
    const [o, od] = flattenArrays(f(...args), "jvp");
    outDef = od;
    return o;
  }, flatP, flatT, eagerSite());
  return [unflatten(outDef!, outs), unflatten(outDef!, touts.map((t, i) => t ?? l.zerosLike(outs[i]!)))];
}

/** linearize(f, ...primals) -> [out, fJvp]: fJvp(...tangents) is the JVP at the primals. */
export function linearize<F extends Fn>(f: F, ...primals: Parameters<F>): [ReturnType<F>, (...tangents: Parameters<F>) => ReturnType<F>] {
  const out = f(...primals);
  return [out, (...tangents: Parameters<F>) => jvp(f, primals, tangents)[1]];
}

/** Jacobian by forward mode: one JVP per input element, batched with vmap. */
export function jacfwd<F extends Fn>(f: F, opts: { argnums?: number } = {}): JacobianFn<F> {
  return (...args: any[]) => {
    const argnum = normalizeArgnums("jacfwd", opts.argnums ?? 0, args.length)[0]!;
    const x = args[argnum] as DeviceArray;
    checkDifferentiable("jacfwd", [x], argnum);
    const n = x.size;
    const basis = l.reshape(eyeLike(x, n), [n, ...x.shape]);
    const pushforward = (t: DeviceArray) => {
      const [, tout] = jvpFlat((xx) => [asSingle("jacfwd", f(...args.map((a, i) => (i === argnum ? xx : a))))], [x], [t]);
      return [tout[0] ?? l.zerosLike(asSingle("jacfwd", f(...args)))];
    };
    const cols = vmapFlat(pushforward, [basis], [0], 0)[0]!; // [n, ...out]
    const outNd = cols.ndim - 1;
    const perm = [...Array(outNd).keys()].map((i) => i + 1);
    return l.reshape(l.transpose(cols, [...perm, 0]), [...cols.shape.slice(1), ...x.shape]);
  };
}

/** Jacobian by reverse mode: one VJP per output element, batched with vmap. */
export function jacrev<F extends Fn>(f: F, opts: { argnums?: number } = {}): JacobianFn<F> {
  return (...args: any[]) => {
    const argnum = normalizeArgnums("jacrev", opts.argnums ?? 0, args.length)[0]!;
    const x = args[argnum] as DeviceArray;
    checkDifferentiable("jacrev", [x], argnum);
    const y = asSingle("jacrev", f(...args));
    const m = y.size;
    // One VJP traced under vmap serves every row of the Jacobian.
    const rows = vmapFlat((ct) => {
      const [, pb] = vjpFlat((xx) => [asSingle("jacrev", f(...args.map((a, i) => (i === argnum ? xx : a))))], [x]);
      return [pb([ct])[0] ?? l.zerosLike(x)];
    }, [l.reshape(eyeLike(y, m), [m, ...y.shape])], [0], 0)[0]!;
    return l.reshape(rows, [...y.shape, ...x.shape]);
  };
}

/** hessian(f) = jacfwd(jacrev(f)). */
export function hessian<F extends Fn>(f: F, opts: { argnums?: number } = {}): JacobianFn<F> {
  return jacfwd(jacrev(f, opts), opts) as JacobianFn<F>;
}

function eyeLike(x: DeviceArray, n: number) {
  const r = l.iota("int32", [n, n], 0), c = l.iota("int32", [n, n], 1);
  return l.convert(l.eq(r, c), x.dtype);
}
function asSingle(what: string, out: unknown): DeviceArray {
  const [leaves] = flattenArrays(out, what);
  if (leaves.length !== 1) throw new LocatedTypeError(`${what}: the function must return a single array here, got ${leaves.length} leaves`);
  return leaves[0]!;
}
export { Tracer };
