import { Jaxpr, Literal, Var, type Atom, type Eqn, type EqnOf } from "../ir/jaxpr.js";
import { ELEMENTWISE } from "../ir/primitives.js";

/**
 * Simplifications jit applies before lowering. Each takes and returns a jaxpr; all primitives
 * are pure, so an equation whose outputs are unused can go.
 */

/** Dead-code elimination. */
export function dce(j: Jaxpr): Jaxpr {
  const live = new Set<Var>();
  for (const o of j.outvars) if (o instanceof Var) live.add(o);
  const kept: Eqn[] = [];
  for (let i = j.eqns.length - 1; i >= 0; i--) {
    const e = j.eqns[i]!;
    if (!e.outputs.some((v) => live.has(v))) continue;
    kept.push(e);
    for (const a of e.inputs) if (a instanceof Var) live.add(a);
  }
  return new Jaxpr(j.invars, kept.reverse(), j.outvars);
}

function paramKey(v: unknown, ids: Map<object, number>): string {
  if (typeof v === "function") {
    // Functions (custom derivative rules) compare by identity.
    let id = ids.get(v);
    if (id === undefined) ids.set(v, (id = ids.size));
    return `fn#${id}`;
  }
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "undefined";
  if (v instanceof Jaxpr) {
    let id = ids.get(v);
    if (id === undefined) ids.set(v, (id = ids.size));
    return `jaxpr#${id}`;
  }
  if (Array.isArray(v)) return `[${v.map((x) => paramKey(x, ids)).join(",")}]`;
  return `{${Object.entries(v).map(([k, x]) => `${k}:${paramKey(x, ids)}`).join(",")}}`;
}

/** Common-subexpression elimination: the same primitive on the same inputs with the same params is computed once. */
export function cse(j: Jaxpr): Jaxpr {
  const rename = new Map<Var, Atom>();
  const seen = new Map<string, readonly Var[]>();
  const ids = new Map<object, number>();
  const sub = (a: Atom): Atom => (a instanceof Var ? rename.get(a) ?? a : a);
  const atomKey = (a: Atom) => (a instanceof Var ? `v${a.id}` : `l${a.value}:${a.aval.key}`);
  const eqns: Eqn[] = [];
  for (const e of j.eqns) {
    const inputs = e.inputs.map(sub);
    const key = `${e.prim}(${inputs.map(atomKey).join(",")})${paramKey(e.params, ids)}`;
    const prev = seen.get(key);
    if (prev && e.prim !== "iota") {
      e.outputs.forEach((v, i) => rename.set(v, prev[i]!));
      continue;
    }
    seen.set(key, e.outputs);
    eqns.push({ ...e, inputs });
  }
  return new Jaxpr(j.invars, eqns, j.outvars.map(sub));
}

/**
 * Constant folding and algebraic identities: elementwise ops on literals only are evaluated
 * now; x*1, x+0, x-0, x/1 become x when that does not change the shape or dtype.
 */
export function fold(j: Jaxpr, evalScalar: (prim: string, params: unknown, args: readonly Literal[], out: Var) => number | undefined): Jaxpr {
  const rename = new Map<Var, Atom>();
  const sub = (a: Atom): Atom => (a instanceof Var ? rename.get(a) ?? a : a);
  const eqns: Eqn[] = [];
  const isLit = (a: Atom, v: number) => a instanceof Literal && a.value === v;
  for (const e of j.eqns) {
    const inputs = e.inputs.map(sub);
    const out = e.outputs[0]!;
    if (ELEMENTWISE.has(e.prim) && e.outputs.length === 1 && inputs.every((a) => a instanceof Literal) && out.aval.ndim === 0) {
      const value = evalScalar(e.prim, e.params, inputs as Literal[], out);
      if (value !== undefined) { rename.set(out, new Literal(value, out.aval)); continue; }
    }
    const same = (a: Atom) => a.aval.dtype === out.aval.dtype && a.aval.ndim === out.aval.ndim && a.aval.shape.every((d, i) => d === out.aval.shape[i]);
    const [a, b] = inputs;
    let alias: Atom | undefined;
    if (e.prim === "mul" && isLit(b!, 1) && same(a!)) alias = a;
    else if (e.prim === "mul" && isLit(a!, 1) && same(b!)) alias = b;
    else if ((e.prim === "add" || e.prim === "sub") && isLit(b!, 0) && same(a!)) alias = a;
    else if (e.prim === "add" && isLit(a!, 0) && same(b!)) alias = b;
    else if (e.prim === "div" && isLit(b!, 1) && same(a!)) alias = a;
    if (alias) { rename.set(out, alias); continue; }
    eqns.push({ ...e, inputs });
  }
  return new Jaxpr(j.invars, eqns, j.outvars.map(sub));
}

/**
 * Replaces custom_jvp_call / custom_vjp_call equations by their call's equations (with fresh
 * variables, so one body inlined twice stays well-formed): their rules matter only to
 * transformations, and lowering sees the plain computation, as JAX lowers them.
 */
export function inlineCustomCalls(j: Jaxpr): Jaxpr {
  if (!j.eqns.some((e) => e.prim === "custom_jvp_call" || e.prim === "custom_vjp_call")) return j;
  const eqns: Eqn[] = [];
  const rename = new Map<Var, Atom>();
  const sub = (a: Atom): Atom => (a instanceof Var ? rename.get(a) ?? a : a);
  const inline = (e: EqnOf<"custom_jvp_call"> | EqnOf<"custom_vjp_call">, inputs: readonly Atom[]) => {
    const call = inlineCustomCalls(e.params.call);
    const local = new Map<Var, Atom>();
    const read = (a: Atom): Atom => (a instanceof Var ? local.get(a) ?? a : a);
    call.invars.forEach((v, i) => local.set(v, inputs[i]!));
    for (const ce of call.eqns) {
      const outputs = ce.outputs.map((v) => { const nv = new Var(v.aval); local.set(v, nv); return nv; });
      eqns.push({ ...ce, inputs: ce.inputs.map(read), outputs, source: ce.source ?? e.source });
    }
    e.outputs.forEach((v, i) => rename.set(v, read(call.outvars[i]!)));
  };
  for (const e of j.eqns) {
    const inputs = e.inputs.map(sub);
    if (e.prim === "custom_jvp_call" || e.prim === "custom_vjp_call") inline(e, inputs);
    else eqns.push({ ...e, inputs });
  }
  return new Jaxpr(j.invars, eqns, j.outvars.map(sub));
}
