import { Jaxpr, Var, type Atom, type Eqn } from "../ir/jaxpr.js";
import { dce } from "../jit/passes.js";
import { checkAfter } from "../ir/check.js";

/**
 * Partial evaluation (JAX's partial_eval_jaxpr): splits a jaxpr whose inputs are partly known
 * now and partly later into the program that runs now and the program that runs later. It is
 * how a VJP becomes a forward pass, which also computes what the backward pass reads (the
 * residuals), and a backward pass, which runs when the cotangents are known.
 */
export interface SplitJaxpr {
  /** (known inputs...) -> (the first `numKnownOuts` outputs..., residuals...) */
  readonly known: Jaxpr;
  /** (known inputs..., residuals..., unknown inputs...) -> (the remaining outputs...) */
  readonly unknown: Jaxpr;
  readonly numResiduals: number;
}

/**
 * An equation is unknown when it reads an unknown value. Equations that read only literals
 * (zeros, iotas) go to both sides, so they are recomputed rather than passed as residuals;
 * known values the unknown side reads become residuals (the known inputs are passed as they are).
 */
export function partialEval(j: Jaxpr, unknownIn: readonly boolean[], numKnownOuts: number): SplitJaxpr {
  const unknown = new Set<Var>(j.invars.filter((_, i) => unknownIn[i]));
  const free = new Set<Var>();
  const knownEqns: Eqn[] = [], unknownEqns: Eqn[] = [];
  const isVar = (a: Atom): a is Var => a instanceof Var;
  for (const e of j.eqns) {
    const vars = e.inputs.filter(isVar);
    if (vars.some((v) => unknown.has(v))) {
      unknownEqns.push(e);
      for (const v of e.outputs) unknown.add(v);
    } else if (vars.every((v) => free.has(v))) {
      knownEqns.push(e); unknownEqns.push(e);
      for (const v of e.outputs) free.add(v);
    } else knownEqns.push(e);
  }
  j.outvars.slice(0, numKnownOuts).forEach((a, i) => {
    if (isVar(a) && unknown.has(a)) throw new Error(`internal: partialEval: output ${i} depends on an unknown input`);
  });
  const knownIn = j.invars.filter((_, i) => !unknownIn[i]);
  const knownInSet = new Set(knownIn);
  // Residuals: values computed on the known side that the unknown side reads.
  const residuals = new Set<Var>();
  const needs = (a: Atom) => { if (isVar(a) && !unknown.has(a) && !free.has(a) && !knownInSet.has(a)) residuals.add(a); };
  const remainingOuts = j.outvars.slice(numKnownOuts);
  for (const e of dce(new Jaxpr(j.invars, unknownEqns, remainingOuts)).eqns) e.inputs.forEach(needs);
  remainingOuts.forEach(needs);
  const res = [...residuals];
  return {
    known: checkAfter("partial evaluation (known part)", dce(new Jaxpr(knownIn, knownEqns, [...j.outvars.slice(0, numKnownOuts), ...res]))),
    unknown: checkAfter("partial evaluation (unknown part)", dce(new Jaxpr([...knownIn, ...res, ...j.invars.filter((_, i) => unknownIn[i])], unknownEqns, remainingOuts))),
    numResiduals: res.length,
  };
}
