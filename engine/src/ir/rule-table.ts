import type { ParamsOf, Primitive } from "./primitives.js";

/**
 * The marker for a rule an interpretation legitimately lacks for a primitive, with why. Every
 * rule table (shape, JVP, VJP, batching, a backend's lowering) is keyed by every primitive and
 * holds either a rule or this marker, so a primitive added without a decision for each table does
 * not compile. engine/test/rule-tables.test.ts prints every marker: that list is the documentation.
 */
export class NoRule<P extends Primitive = Primitive> {
  constructor(
    readonly reason: string,
    /** The error a transformation raises where the rule would run, when it says more than the reason (e.g. names the user's function). */
    readonly refusal?: (prim: P, params: ParamsOf<P>) => string,
  ) {}
}

export function noRule<P extends Primitive = Primitive>(reason: string, refusal?: (prim: P, params: ParamsOf<P>) => string): NoRule<P> {
  return new NoRule(reason, refusal);
}

/** The rule, or the error that says the transformation `what` (e.g. "differentiation") is not supported for the primitive. */
export function ruleOrRefuse<P extends Primitive, R>(rule: R | NoRule<P>, prim: P, params: ParamsOf<P>, what: string): R {
  if (!(rule instanceof NoRule)) return rule;
  throw new Error(rule.refusal ? rule.refusal(prim, params) : `${prim}: ${what} is not supported (${rule.reason})`);
}

/**
 * A table section with one rule per name of a group (the unary or binary primitives), made by
 * one function of the name. The one place a record is assembled from a list: its type holds by
 * construction, so the tables that spread it need no cast.
 */
export function rulesFor<const K extends string, R>(names: readonly K[], make: (name: K) => R): { [N in K]: R } {
  const out = {} as { [N in K]: R };
  for (const name of names) out[name] = make(name);
  return out;
}
