import type { DeviceArray } from "../array.js";
import type { ParamsOf, Primitive } from "../ir/primitives.js";
import { evalTrace } from "./eval.js";
import type { Trace } from "./tracer.js";

export { Trace, Tracer, LeakedTracerError, ConcretizationError, leakedTracerError, isOwnTracer, concretize } from "./tracer.js";

/**
 * Stackless tracing, as in JAX: one trace is current (`withTrace`, or `swapTrace` on hot
 * paths); binding a primitive asks the current trace to process it. A transformation's trace
 * runs its rules with its parent current, so transformations nest in any order. The current
 * trace starts at the eval trace, here at load: any module that binds works without anything
 * being registered first.
 */
let current: Trace = evalTrace;

export function currentTrace(): Trace { return current; }

/** Makes `t` current and returns the trace that was (hot paths restore it in a finally). */
export function swapTrace(t: Trace): Trace {
  const saved = current;
  current = t;
  return saved;
}

/** Runs fn with `t` current. */
export function withTrace<T>(t: Trace, fn: () => T): T {
  const saved = current;
  current = t;
  try { return fn(); } finally { current = saved; }
}

/** Applies a primitive in the current trace. */
export function bind<P extends Primitive>(prim: P, args: readonly DeviceArray[], params: ParamsOf<P>): DeviceArray[] {
  return current.process(prim, args, params);
}
export function bind1<P extends Primitive>(prim: P, args: readonly DeviceArray[], params: ParamsOf<P>): DeviceArray {
  return current.process(prim, args, params)[0]!;
}

