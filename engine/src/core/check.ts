import { Jaxpr, Literal, Var, describeEqn } from "./jaxpr.js";
import { abstractEval } from "./rules/abstract-eval.js";

/**
 * Type-checks a jaxpr: every variable is defined once before use, and every equation's
 * outputs are what its primitive's shape rule gives for its inputs (JAX's check_jaxpr).
 * Sub-programs (jit, cond, scan, while bodies) are checked too. Throws on the first problem.
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
      if (x.dtype !== v.aval.dtype || x.shape.join() !== v.aval.shape.join()) throw new Error(`checkJaxpr: ${where}: output ${i} is ${v.aval} but the rule gives ${x}`);
      if (defined.has(v)) throw new Error(`checkJaxpr: ${where} redefines a variable`);
      defined.add(v);
    });
    for (const p of Object.values(e.params ?? {})) {
      if (p instanceof Jaxpr) checkJaxpr(p);
      else if (Array.isArray(p)) for (const q of p) if (q instanceof Jaxpr) checkJaxpr(q);
    }
  }
  j.outvars.forEach((a) => use(a, "outputs"));
}
