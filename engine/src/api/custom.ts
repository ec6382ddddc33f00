import { DeviceArray } from "../array.js";
import { ShapedArray } from "../ir/aval.js";
import { scalar } from "../trace/constants.js";
import { evalTrace } from "../trace/eval.js";
import { traceToJaxpr } from "../trace/jaxpr-trace.js";
import type { CustomBwd, CustomFwd, CustomJvpRule } from "../ir/primitives.js";
import { LocatedTypeError } from "../ir/source.js";
import { bind, currentTrace, Tracer } from "../trace/trace.js";
import { evalJaxpr } from "../trace/jaxpr-trace.js";
import { jvpFlat } from "../trace/transforms.js";
import * as l from "../lax/primitives.js";
import { flatten, unflatten, type TreeDef } from "../tree.js";
import { flattenArrays, normalizeArgnums, type Argnums } from "./args.js";

/**
 * jax.custom_jvp and jax.custom_vjp. The function is traced on each call (with its
 * non-differentiable arguments fixed) and bound as one primitive carrying the user's rules
 * (trace/ad/custom-rules.ts), so the rules apply under grad, jvp, vmap and jit in any nesting.
 * Called with no transformation active, the function simply runs.
 */
export interface CustomOptions { nondiffArgnums?: Argnums }

type AnyFn = (...args: any[]) => any;

export interface CustomJvpFunction<F extends AnyFn> {
  (...args: Parameters<F>): ReturnType<F>;
  /** The undecorated function. */
  readonly fun: F;
  /**
   * Sets the JVP rule: `jvp(primals, tangents)` returns `[primalOut, tangentOut]` (with
   * nondiffArgnums, `jvp(...nondiffArgs, primals, tangents)`); `primals` and `tangents` list
   * the other arguments in order. Returns the function itself.
   */
  defjvp(jvp: (...a: any[]) => [unknown, unknown]): CustomJvpFunction<F>;
  /** One rule per argument, `(g, ans, ...args) => tangent contribution` (null: that argument does not contribute). */
  defjvps(...jvps: (((g: any, ans: any, ...args: any[]) => unknown) | null)[]): CustomJvpFunction<F>;
}

export interface CustomVjpFunction<F extends AnyFn> {
  (...args: Parameters<F>): ReturnType<F>;
  readonly fun: F;
  /**
   * Sets the VJP: `fwd(...args)` returns `[out, residuals]`; `bwd(residuals, ct)` (with
   * nondiffArgnums, `bwd(...nondiffArgs, residuals, ct)`) returns one cotangent per other
   * argument (a list; null for none). Returns the function itself.
   */
  defvjp(fwd: (...a: any[]) => [unknown, unknown], bwd: (...a: any[]) => unknown): CustomVjpFunction<F>;
}

const avalOf = (x: DeviceArray) => new ShapedArray(x.shape, x.dtype, x.weakType);

/** Arguments split into the non-differentiable (static) ones and the pytree of the others. */
function splitArgs(what: string, args: unknown[], nondiff: Argnums | undefined) {
  const statics = nondiff === undefined ? [] : normalizeArgnums(what, nondiff, args.length);
  const staticVals = statics.map((i) => args[i]);
  const dynamic = args.filter((_, i) => !statics.includes(i));
  const [leaves, def] = flattenArrays(dynamic, what);
  const rebuild = (xs: readonly DeviceArray[], replaceDynamic?: unknown[]) => {
    const dyn = replaceDynamic ?? (unflatten(def, xs) as unknown[]);
    const out: unknown[] = [];
    let d = 0;
    for (let i = 0; i < args.length; i++) out.push(statics.includes(i) ? args[i] : dyn[d++]);
    return out;
  };
  return { staticVals, leaves, def, rebuild, numDynamic: dynamic.length };
}

/** Flattens a rule's output against the function's output structure, checking shapes; numbers become full arrays. */
function matchOutputs(what: string, tree: unknown, def: TreeDef, like: readonly ShapedArray[]): DeviceArray[] {
  const [leaves, d] = flatten(tree);
  if (d.toString() !== def.toString()) throw new LocatedTypeError(`${what}: the structure ${d} does not match the function's output ${def}`);
  return leaves.map((x, i) => {
    const a = like[i]!;
    if (x === null || x === undefined || typeof x === "number") return l.broadcastInDim(scalarOf(typeof x === "number" ? x : 0, a), a.shape, []);
    if (!(x instanceof DeviceArray)) throw new LocatedTypeError(`${what}: output leaf ${i} is a ${typeof x}, not an array`);
    if (x.shape.join() !== a.shape.join()) throw new LocatedTypeError(`${what}: output leaf ${i} has shape [${x.shape}], the function's output has [${a.shape}]`);
    return x.dtype === a.dtype ? x : l.convert(x, a.dtype, a.weak);
  });
}
const scalarOf = (v: number, a: ShapedArray) => scalar(v, a.dtype, a.weak);

type Traced = { closed: ReturnType<typeof traceToJaxpr>; outDef: TreeDef; outAvals: readonly ShapedArray[] };

/** Non-differentiable arguments as a cache key; undefined where they have no stable value (functions, arrays). */
function staticsKey(vals: readonly unknown[]): string | undefined {
  if (vals.some((v) => typeof v === "function" || v instanceof DeviceArray)) return undefined;
  try { return JSON.stringify(vals); } catch { return undefined; }
}

/**
 * The function traced for these argument types, once per signature as jit does (tracing per
 * call made an eager grad through nn.relu several times slower). Not kept when the trace
 * closed over values of an enclosing transformation: those differ on every call.
 */
function traceCall(what: string, fn: AnyFn, s: ReturnType<typeof splitArgs>, cache: Map<string, Traced>): Traced {
  const sk = staticsKey(s.staticVals);
  const key = sk === undefined ? undefined : `${s.def}|${s.leaves.map((x) => x.aval.key).join(";")}|${sk}`;
  const hit = key === undefined ? undefined : cache.get(key);
  if (hit) return hit;
  let outDef: TreeDef | undefined;
  const closed = traceToJaxpr((...xs) => {
    const [outs, od] = flattenArrays(fn(...s.rebuild(xs)), what);
    outDef = od;
    return outs;
  }, s.leaves.map(avalOf), what);
  const traced = { closed, outDef: outDef!, outAvals: closed.jaxpr.outAvals };
  if (key !== undefined && !closed.consts.some((c) => c instanceof Tracer)) cache.set(key, traced);
  return traced;
}

export function customJvp<F extends AnyFn>(fun: F, opts: CustomOptions = {}): CustomJvpFunction<F> {
  const name = fun.name || "anonymous";
  const what = `customJvp(${name})`;
  const traces = new Map<string, Traced>();
  let rule: ((...a: any[]) => [unknown, unknown]) | undefined;
  const f = ((...args: unknown[]) => {
    if (!rule) throw new LocatedTypeError(`${what}: no JVP rule; call defjvp (or defjvps) before calling the function`);
    // No transformation watching: the function is just the function.
    if (currentTrace() === evalTrace) return fun(...args);
    const s = splitArgs(what, args, opts.nondiffArgnums);
    const { closed, outDef, outAvals } = traceCall(what, fun, s, traces);
    const jvp: CustomJvpRule = (primals, tangents) => {
      const dynP = unflatten(s.def, primals) as unknown[], dynT = unflatten(s.def, tangents) as unknown[];
      const [po, to] = rule!(...s.staticVals, dynP, dynT);
      return [matchOutputs(`${what} jvp rule (primal output)`, po, outDef, outAvals), matchOutputs(`${what} jvp rule (tangent output)`, to, outDef, outAvals)];
    };
    const outs = bind("custom_jvp_call", [...closed.consts, ...s.leaves], { call: closed.jaxpr, numConsts: closed.consts.length, jvp, name });
    return unflatten(outDef, outs);
  }) as unknown as CustomJvpFunction<F>;
  Object.defineProperty(f, "name", { value: name });
  (f as { fun: F }).fun = fun;
  f.defjvp = (jvp) => { rule = jvp; return f; };
  f.defjvps = (...jvps) => {
    rule = (...a: unknown[]) => {
      const [primals, tangents] = a.slice(-2) as [unknown[], unknown[]];
      const statics = a.slice(0, -2);
      const nd = opts.nondiffArgnums === undefined ? [] : normalizeArgnums(what, opts.nondiffArgnums, statics.length + primals.length);
      const all: unknown[] = [];
      let si = 0, di = 0;
      for (let i = 0; i < statics.length + primals.length; i++) all.push(nd.includes(i) ? statics[si++] : primals[di++]);
      const ans = fun(...all);
      let t: unknown = null;
      jvps.forEach((j, i) => {
        if (!j || i >= tangents.length) return;
        const c = j(tangents[i], ans, ...primals);
        t = t === null ? c : treeAdd(t, c);
      });
      return [ans, t ?? 0];
    };
    return f;
  };
  return f;
}

function treeAdd(a: unknown, b: unknown): unknown {
  const [la, da] = flatten(a), [lb] = flatten(b);
  return unflatten(da, la.map((x, i) => l.add(x as DeviceArray, lb[i] as DeviceArray)));
}

export function customVjp<F extends AnyFn>(fun: F, opts: CustomOptions = {}): CustomVjpFunction<F> {
  const name = fun.name || "anonymous";
  const what = `customVjp(${name})`;
  const traces = new Map<string, Traced>();
  let rules: { fwd: (...a: any[]) => [unknown, unknown]; bwd: (...a: any[]) => unknown } | undefined;
  const f = ((...args: unknown[]) => {
    if (!rules) throw new LocatedTypeError(`${what}: no VJP rule; call defvjp(fwd, bwd) before calling the function`);
    if (currentTrace() === evalTrace) return fun(...args);
    const s = splitArgs(what, args, opts.nondiffArgnums);
    const { closed, outDef, outAvals } = traceCall(what, fun, s, traces);
    const argAvals = s.leaves.map(avalOf);
    let resDef: TreeDef | undefined;
    const fwd: CustomFwd = (xs) => {
      const r = rules!.fwd(...s.rebuild(xs));
      if (!Array.isArray(r) || r.length !== 2) throw new LocatedTypeError(`${what}: fwd must return [output, residuals]`);
      const outs = matchOutputs(`${what} fwd (output)`, r[0], outDef, outAvals);
      const [res, rd] = flattenArrays(r[1], `${what} fwd (residuals)`);
      resDef = rd;
      return [outs, res];
    };
    const bwd: CustomBwd = (res, cts) => {
      let r = rules!.bwd(...s.staticVals, unflatten(resDef!, res), unflatten(outDef, cts));
      if (r instanceof DeviceArray && s.numDynamic === 1) r = [r];
      if (!Array.isArray(r) || r.length !== s.numDynamic) {
        throw new LocatedTypeError(`${what}: bwd must return a list with one cotangent per differentiable argument (${s.numDynamic}), got ${Array.isArray(r) ? `${r.length} entries` : typeof r}`);
      }
      // Each entry matches its argument's structure; null stands for zeros.
      const out: (DeviceArray | null)[] = [];
      const dyn = unflatten(s.def, s.leaves.map((_, i) => i as never)) as unknown[];
      dyn.forEach((argTree, i) => {
        const [idx] = flatten(argTree);
        if (r[i] === null || r[i] === undefined) { idx.forEach(() => out.push(null)); return; }
        const [cl] = flatten(r[i]);
        if (cl.length !== idx.length) throw new LocatedTypeError(`${what}: bwd's cotangent ${i} has ${cl.length} leaves, the argument has ${idx.length}`);
        cl.forEach((c, j) => {
          const a = argAvals[idx[j] as number]!;
          if (c === null || c === undefined) { out.push(null); return; }
          const x = c instanceof DeviceArray ? c : scalarOf(Number(c), a);
          const shaped = x.shape.join() === a.shape.join() ? x : x.ndim === 0 ? l.broadcastInDim(x, a.shape, []) : null;
          if (!shaped) throw new LocatedTypeError(`${what}: bwd's cotangent for argument ${i} has shape [${x.shape}], the argument has [${a.shape}]`);
          out.push(shaped);
        });
      });
      return out;
    };
    const outs = bind("custom_vjp_call", [...closed.consts, ...s.leaves], { call: closed.jaxpr, numConsts: closed.consts.length, fwd, bwd, name });
    return unflatten(outDef, outs);
  }) as unknown as CustomVjpFunction<F>;
  Object.defineProperty(f, "name", { value: name });
  (f as { fun: F }).fun = fun;
  f.defvjp = (fwd, bwd) => { rules = { fwd, bwd }; return f; };
  return f;
}

/**
 * jax.checkpoint (remat): f computed as usual, but reverse mode keeps only its inputs and
 * recomputes its intermediates on the backward pass. It is a custom_jvp_call whose rule is f's
 * own JVP over every input, closed-over values included (numConsts 0): the tape records the one
 * call, and the VJP (the transposed JVP) re-runs f from the saved inputs. Forward mode, vmap and
 * jit see f unchanged. preventCse is accepted for JAX's signature (this engine's CSE never merges
 * across the call); policies (saving chosen intermediates) are not supported.
 */
export function checkpoint<F extends AnyFn>(fun: F, opts: { staticArgnums?: Argnums; preventCse?: boolean; policy?: null } = {}): F {
  const name = fun.name || "anonymous";
  const what = `checkpoint(${name})`;
  const traces = new Map<string, Traced>();
  if (opts.policy !== undefined && opts.policy !== null) throw new LocatedTypeError(`${what}: checkpoint policies are not supported (every intermediate is recomputed)`);
  const f = ((...args: unknown[]) => {
    if (currentTrace() === evalTrace) return fun(...args);
    const s = splitArgs(what, args, opts.staticArgnums);
    const { closed, outDef } = traceCall(what, fun, s, traces);
    const call = closed.jaxpr;
    const jvp: CustomJvpRule = (ps, ts) => {
      const [o, t] = jvpFlat((...xs) => evalJaxpr(call, xs), ps, ts);
      return [o, t.map((x, i) => x ?? l.zerosLike(o[i]!))];
    };
    const outs = bind("custom_jvp_call", [...closed.consts, ...s.leaves], { call, numConsts: 0, jvp, name: what });
    return unflatten(outDef, outs);
  }) as unknown as F;
  Object.defineProperty(f, "name", { value: name });
  return f;
}
