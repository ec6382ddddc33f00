import { config } from "../config.js";
import { ShapedArray } from "./aval.js";
import { Jaxpr, Literal, Var, describeEqn, type Eqn } from "./jaxpr.js";
import { abstractEval } from "./abstract-eval.js";
import type { ParamsOf, Primitive } from "./primitives.js";

/**
 * Type-checks a jaxpr: every variable is defined once before use, every equation's outputs are
 * what its primitive's shape rule gives for its inputs, and a called program's inputs are what
 * its operands are (JAX's check_jaxpr). Sub-programs (jit, cond, scan, while bodies) are
 * checked too. Throws on the first problem.
 */
export function checkJaxpr(j: Jaxpr): void {
  const defined = new Set<Var>(j.invars);
  const use = (a: Var | Literal, where: string) => {
    if (a instanceof Var && !defined.has(a)) throw new Error(`checkJaxpr: variable used before definition in ${where}`);
  };
  for (const e of j.eqns) {
    const where = describeEqn(e);
    e.inputs.forEach((a) => use(a, where));
    const expected = abstractEval(e.prim, e.inputs.map((a) => a.aval), e.params);
    if (expected.length !== e.outputs.length) throw new Error(`checkJaxpr: ${where} has ${e.outputs.length} outputs, its rule gives ${expected.length}`);
    e.outputs.forEach((v, i) => {
      const x = expected[i]!;
      if (!sameType(x, v.aval)) throw new Error(`checkJaxpr: ${where}: output ${i} is ${v.aval} but the rule gives ${x}`);
      if (defined.has(v)) throw new Error(`checkJaxpr: ${where} redefines a variable`);
      defined.add(v);
    });
    checkCallOperands(e, e.inputs.map((a) => a.aval), where);
    for (const p of Object.values(e.params ?? {})) {
      if (p instanceof Jaxpr) checkJaxpr(p);
      else if (Array.isArray(p)) for (const q of p) if (q instanceof Jaxpr) checkJaxpr(q);
    }
  }
  j.outvars.forEach((a) => use(a, "outputs"));
}

const sameType = (a: ShapedArray, b: ShapedArray) => a.dtype === b.dtype && a.shape.join() === b.shape.join();
const unstacked = (a: ShapedArray) => new ShapedArray(a.shape.slice(1), a.dtype, a.weak);

/** The inputs each called program receives, for the primitives that call programs (their shape rules look at outputs only). */
function calls(e: CallOf, ins: readonly ShapedArray[]): [Jaxpr, readonly ShapedArray[]][] {
  switch (e.prim) {
    case "pjit": return [[e.params.jaxpr, ins]];
    case "cond": return e.params.branches.map((b): [Jaxpr, readonly ShapedArray[]] => [b, ins.slice(1)]);
    case "scan": {
      const n = e.params.numConsts + e.params.numCarry;
      return [[e.params.body, [...ins.slice(0, n), ...ins.slice(n).map(unstacked)]]];
    }
    case "while": {
      const nc = e.params.condNumConsts, nb = e.params.bodyNumConsts;
      return [[e.params.cond, [...ins.slice(0, nc), ...ins.slice(nc + nb)]], [e.params.body, ins.slice(nc)]];
    }
    case "custom_jvp_call": case "custom_vjp_call": return [[e.params.call, ins]];
    default: return [];
  }
}
/** A primitive with its params (an equation's or a program step's). */
type CallOf = { [P in Primitive]: { readonly prim: P; readonly params: ParamsOf<P> } }[Primitive];

/** Throws when a called program's declared inputs are not the operands it is given. */
export function checkCallOperands(e: CallOf, ins: readonly ShapedArray[], where: string): void {
  for (const [body, given] of calls(e, ins)) {
    const want = body.inAvals;
    if (want.length !== given.length) throw new Error(`checkJaxpr: ${where}: the called program takes ${want.length} inputs, it is given ${given.length}`);
    want.forEach((a, i) => {
      if (!sameType(a, given[i]!)) throw new Error(`checkJaxpr: ${where}: the called program's input ${i} is ${a}, it is given ${given[i]}`);
    });
  }
}

/** Is enableChecks on (config.update("enableChecks", true) or TENSORLENS_CHECKS=1)? */
export const checksEnabled = (): boolean => config.read("enableChecks");

/** Thrown by enableChecks: names the stage (tracing, a pass, lowering) after which the program is ill-formed. */
export class IRCheckError extends Error {
  override name = "IRCheckError";
  constructor(readonly stage: string, detail: string) {
    super(`enableChecks: the program after ${stage} is ill-formed: ${detail}`);
  }
}

/** With enableChecks on, type-checks `j` and names `stage` when it fails; returns `j`. */
export function checkAfter(stage: string, j: Jaxpr): Jaxpr {
  if (!checksEnabled()) return j;
  try {
    checkJaxpr(j);
  } catch (e) {
    throw new IRCheckError(stage, e instanceof Error ? e.message : String(e));
  }
  return j;
}
