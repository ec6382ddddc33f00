import { ShapedArray } from "./aval.js";
import type { ParamsOf, Primitive } from "./primitives.js";
import { formatLocation, type SourceLocation } from "./source.js";

/**
 * The IR: a typed, first-order program of primitive applications (JAX's jaxpr). Equations
 * carry the user's source location, captured when they were traced.
 */
export class Var {
  private static next = 0;
  readonly id = Var.next++;
  constructor(readonly aval: ShapedArray) {}
}

/** A scalar constant inlined in the program. */
export class Literal {
  constructor(readonly value: number, readonly aval: ShapedArray) {}
}

export type Atom = Var | Literal;

/** One primitive application; `Eqn` is the union over primitives, so `e.prim === "scan"` types `e.params`. */
export type Eqn = { [P in Primitive]: EqnOf<P> }[Primitive];
/** An equation as the union's member (TypeScript cannot see that an `EqnOf<P>` of a generic P is one). */
export const asEqn = <P extends Primitive>(e: EqnOf<P>): Eqn => e as Eqn;
export interface EqnOf<P extends Primitive> {
  readonly prim: P;
  readonly params: ParamsOf<P>;
  readonly inputs: readonly Atom[];
  readonly outputs: readonly Var[];
  readonly source?: SourceLocation;
}

export class Jaxpr {
  constructor(
    readonly invars: readonly Var[],
    readonly eqns: readonly Eqn[],
    readonly outvars: readonly Atom[],
  ) {}
  get inAvals() { return this.invars.map((v) => v.aval); }
  get outAvals() { return this.outvars.map((v) => v.aval); }
  toString() { return printJaxpr(this); }
}

// ---- printing, like jax.make_jaxpr ----

function varNamer() {
  const names = new Map<Var, string>();
  const letters = "abcdefghijklmnopqrstuvwxyz";
  return (v: Atom): string => {
    if (v instanceof Literal) return formatLiteral(v);
    let n = names.get(v);
    if (!n) {
      let k = names.size, s = "";
      do { s = letters[k % 26] + s; k = Math.floor(k / 26) - 1; } while (k >= 0);
      names.set(v, (n = s));
    }
    return n;
  };
}

function formatLiteral(l: Literal) {
  const v = l.aval.dtype === "bool" ? (l.value ? "True" : "False") : Number.isInteger(l.value) && l.aval.dtype.startsWith("float") ? l.value.toFixed(1) : String(l.value);
  return `${v}:${l.aval}`;
}

function formatParam(v: unknown): string {
  if (v instanceof Jaxpr) return `{ lambda ; ${v.invars.map((x) => x.aval).join(" ")} . ... }`;
  if (Array.isArray(v)) return `(${v.map(formatParam).join(", ")}${v.length === 1 ? "," : ""})`;
  if (v && typeof v === "object") return `{${Object.entries(v).map(([k, x]) => `${k}=${formatParam(x)}`).join(", ")}}`;
  return String(v);
}

export function printJaxpr(jaxpr: Jaxpr, indent = 0, name = varNamer()): string {
  const pad = " ".repeat(indent);
  const decl = (v: Var) => `${name(v)}:${v.aval}`;
  const lines = [`${pad}{ lambda ; ${jaxpr.invars.map(decl).join(" ")}. let`];
  for (const e of jaxpr.eqns) {
    // Sub-programs print below the equation; functions (custom derivative rules) are not printed.
    const params = Object.entries(e.params ?? {}).filter(([, v]) => !(v instanceof Jaxpr) && !(Array.isArray(v) && v[0] instanceof Jaxpr) && typeof v !== "function");
    const p = params.length ? `[${params.map(([k, v]) => `${k}=${formatParam(v)}`).join(" ")}]` : "";
    lines.push(`${pad}    ${e.outputs.map(decl).join(" ")} = ${e.prim}${p} ${e.inputs.map(name).join(" ")}`);
    for (const [k, v] of Object.entries(e.params ?? {})) {
      const subs = v instanceof Jaxpr ? [v] : Array.isArray(v) && v[0] instanceof Jaxpr ? (v as Jaxpr[]) : [];
      for (const sub of subs) lines.push(`${pad}      ${k}=`, printJaxpr(sub, indent + 8, name));
    }
  }
  const outs = jaxpr.outvars.map(name);
  lines.push(`${pad}  in (${outs.join(", ")}${outs.length === 1 ? "," : ""}) }`);
  return lines.join("\n");
}

/** Describes an equation for error messages: "add f32[3] f32[4] at examples/x.ts:3:7". */
export function describeEqn(e: Eqn) {
  return `${e.prim} ${e.inputs.map((i) => i.aval).join(" ")}${e.source ? ` at ${formatLocation(e.source)}` : ""}`;
}
