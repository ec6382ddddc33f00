import { DeviceArray } from "../array.js";
import { ShapedArray } from "../ir/aval.js";
import { asEqn, Jaxpr, Literal, Var, type Atom, type Eqn } from "../ir/jaxpr.js";
import { hasParamsOf, type ParamsOf, type Primitive } from "../ir/primitives.js";
import { abstractEval } from "../ir/abstract-eval.js";
import { checkAfter } from "../ir/check.js";
import { userLocation, withUserLocation, type CallSite } from "../ir/source.js";
import { runJaxpr } from "./run-jaxpr.js";
import { bind, currentTrace, leakedTracerError, Trace, Tracer, withTrace } from "./trace.js";

export class JaxprTracer extends Tracer {
  constructor(trace: JaxprTrace, readonly v: Var) { super(trace, v.aval); }
  concrete(): undefined { return undefined; }
}

/** Traces a function into a jaxpr: every primitive becomes an equation with its source location. */
export class JaxprTrace extends Trace {
  readonly eqns: Eqn[] = [];
  /** Values from outside (concrete arrays or tracers of enclosing traces) become extra inputs. */
  readonly consts = new Map<DeviceArray, Var>();

  constructor(parent: Trace, transformation = "jit", origin?: CallSite) { super(parent, transformation, origin); }

  newArg(aval: ShapedArray): JaxprTracer { return new JaxprTracer(this, new Var(aval)); }

  atom(x: DeviceArray): Atom {
    if (x instanceof JaxprTracer && x._trace === this) return x.v;
    if (x instanceof Tracer && !x._trace.alive) throw leakedTracerError(x, this.transformation);
    if (!(x instanceof Tracer) && x._aval.ndim === 0 && x._backend.downloadSync && x._backend.canReadSync?.(x._buffer) !== false) {
      return new Literal(x._backend.downloadSync(x._buffer, x._aval)[0]!, x._aval);
    }
    let v = this.consts.get(x);
    if (!v) this.consts.set(x, (v = new Var(x._aval)));
    return v;
  }

  process<P extends Primitive>(prim: P, args: readonly DeviceArray[], params: ParamsOf<P>): DeviceArray[] {
    // A jit inside a traced program is inlined: lowering then fuses across its boundary.
    if (hasParamsOf("pjit", prim, params)) return withTrace(this, () => evalJaxpr(params.jaxpr, args));
    const inputs = args.map((a) => this.atom(a));
    let outAvals: ShapedArray[];
    try {
      outAvals = abstractEval(prim, inputs.map((i) => i.aval), params);
    } catch (e) {
      throw e instanceof Error ? withUserLocation(e) : e;
    }
    const outputs = outAvals.map((a) => new Var(a));
    this.eqns.push(asEqn({ prim, params, inputs, outputs, source: userLocation() }));
    return outputs.map((v) => new JaxprTracer(this, v));
  }
}

/** A traced program whose first inputs are the captured constants (closure-converted). */
export interface ClosedJaxpr { readonly jaxpr: Jaxpr; readonly consts: readonly DeviceArray[] }

/**
 * Traces fn on abstract inputs. The result's jaxpr takes [...consts, ...inputs]; consts are the
 * concrete arrays and outer-trace values the function closed over.
 */
export function traceToJaxpr(fn: (...args: DeviceArray[]) => readonly DeviceArray[], inAvals: readonly ShapedArray[], transformation = "jit", origin?: CallSite): ClosedJaxpr {
  using trace = new JaxprTrace(currentTrace(), transformation, origin);
  const args = inAvals.map((a) => trace.newArg(a));
  const outs = withTrace(trace, () => fn(...args));
  const outAtoms = outs.map((o) => trace.atom(o));
  const constVars = [...trace.consts.values()];
  return {
    jaxpr: checkAfter(`tracing ${transformation}`, new Jaxpr([...constVars, ...args.map((a) => a.v)], trace.eqns, outAtoms)),
    consts: [...trace.consts.keys()],
  };
}

/** Evaluates a jaxpr by binding each equation in the current trace (the interpreter every transformation can run). */
export function evalJaxpr(jaxpr: Jaxpr, args: readonly DeviceArray[]): DeviceArray[] {
  return runJaxpr(jaxpr, args, (e, ins) => bind(e.prim, ins, e.params));
}
