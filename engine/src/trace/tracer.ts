import { DeviceArray } from "../array.js";
import type { ShapedArray } from "../ir/aval.js";
import type { ParamsOf, Primitive } from "../ir/primitives.js";
import { formatLocation, type CallSite } from "../ir/source.js";

/**
 * Traces and tracers (the current trace and `bind` are in `trace.ts`, which starts at the eval
 * trace: this module is what the eval trace and `trace.ts` both build on). A transformation's trace
 * runs its rules with its parent current, so transformations nest in any order. A trace lives
 * for a scope entered with `using` (a Trace is Disposable: `using trace = new JVPTrace(...)`),
 * and dies when that scope ends, by return or throw; a tracer of a dead trace that is used
 * again is a leaked tracer and fails with where its transformation was entered.
 */
export abstract class Trace implements Disposable {
  /** False once the scope the trace was made in has ended. */
  alive = true;
  constructor(readonly parent: Trace | null, readonly transformation: string, readonly site?: CallSite) {}
  get origin() { return this.site?.location; }
  abstract process<P extends Primitive>(prim: P, args: readonly DeviceArray[], params: ParamsOf<P>): DeviceArray[];
  /** Ends the trace: its tracers are leaked from now on. */
  [Symbol.dispose](): void { this.alive = false; }
  /** Is `t` this trace or one it runs inside? Tracers of such traces are constants here. */
  encloses(t: Trace): boolean {
    for (let s: Trace | null = this; s; s = s.parent) if (s === t) return true;
    return false;
  }
}

/** A value being traced by some transformation. */
export abstract class Tracer extends DeviceArray {
  constructor(readonly _trace: Trace, aval: ShapedArray) {
    super(aval);
  }
  override get device(): string { return `tracer(${this._trace.transformation})`; }
  /** The concrete value behind this tracer, when the transformation has one (grad/jvp in eager mode). */
  abstract concrete(): DeviceArray | undefined;
  override toString() { return `Traced<${this._aval}> with ${this._trace.transformation}`; }
}

export class LeakedTracerError extends Error {
  override name = "LeakedTracerError";
}

export class ConcretizationError extends Error {
  override name = "ConcretizationError";
}

export function leakedTracerError(t: Tracer, usedIn: string): LeakedTracerError {
  const where = t._trace.origin ? ` (entered at ${formatLocation(t._trace.origin)})`
    : t._trace.transformation === "jit" ? "" : " (run with TENSORLENS_TRACE_SITES=1 to see where it was entered)";
  return new LeakedTracerError(
    `${usedIn}: a traced array ${t._aval} from ${t._trace.transformation}${where} was used after that transformation ended. ` +
    `Values computed inside grad/jit/vmap must be returned from the function, not stored outside it (leaked tracer).`);
}

/**
 * The question each transformation's `process` asks of every operand: is it a tracer of this
 * trace (whose parts the rule sees), or a value from outside, a constant here? A tracer of a
 * trace that has ended is neither: it leaked, and using it fails with where it was made. A
 * trace makes tracers of one class only, so `T` is that class.
 */
export function isOwnTracer<T extends Tracer>(trace: Trace, a: DeviceArray, prim: Primitive): a is T {
  if (!(a instanceof Tracer)) return false;
  if (a._trace === trace) return true;
  if (!a._trace.alive) throw leakedTracerError(a, prim);
  return false;
}

/** The concrete value of an array, or a ConcretizationError that says what to do instead. */
export function concretize(x: DeviceArray, what: string): DeviceArray {
  if (!(x instanceof Tracer)) return x;
  if (!x._trace.alive) throw leakedTracerError(x, what);
  const c = x.concrete();
  if (c) return c;
  throw new ConcretizationError(
    `${what}: cannot convert a traced array ${x._aval} to a concrete value inside ${x._trace.transformation}` +
    (x._trace.origin ? ` (entered at ${formatLocation(x._trace.origin)})` : "") +
    `. Its value is not known while tracing: use lax.cond / lax.switch / np.where for data-dependent choices, ` +
    `lax.whileLoop / lax.forILoop for loops, or pass the argument as static (jit's staticArgnums).`);
}
