import type { DeviceArray } from "../array.js";
import { Literal, type Atom, type Eqn, type Jaxpr, type Var } from "../ir/jaxpr.js";
import { scalar } from "./constants.js";

export const literalArray = (l: Literal) => scalar(l.value, l.aval.dtype, l.aval.weak);

/**
 * A program's equations applied in order by `apply`: `evalJaxpr` binds each in the current trace
 * (`jaxpr-trace.ts`), eager control flow runs each on the eval trace (`control.ts`, which binds
 * nothing so that the eval trace can import it).
 */
export function runJaxpr(jaxpr: Jaxpr, args: readonly DeviceArray[], apply: (e: Eqn, ins: DeviceArray[]) => DeviceArray[]): DeviceArray[] {
  const env = new Map<Var, DeviceArray>();
  const read = (a: Atom): DeviceArray => {
    if (a instanceof Literal) return literalArray(a);
    const v = env.get(a);
    if (!v) throw new Error("internal: jaxpr variable used before it is defined");
    return v;
  };
  jaxpr.invars.forEach((v, i) => env.set(v, args[i]!));
  for (const e of jaxpr.eqns) {
    const outs = apply(e, e.inputs.map(read));
    e.outputs.forEach((v, i) => env.set(v, outs[i]!));
  }
  return jaxpr.outvars.map(read);
}
