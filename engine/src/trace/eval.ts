import { DeviceArray, wrapBuffer } from "../array.js";
import type { Backend } from "../backend/interface.js";
import { getBackend } from "../backend/registry.js";
import { abstractEval } from "../ir/abstract-eval.js";
import type { ParamsOf, Primitive } from "../ir/primitives.js";
import { withUserLocation } from "../ir/source.js";
import { leakedTracerError, setRootTrace, Trace, Tracer } from "./trace.js";
import type { ShapedArray } from "../ir/aval.js";
import { hook } from "../profiler/hook.js";

/** Control flow is run by the engine (it calls back into traced programs); set by control.ts. */
export type ControlImpl<P extends Primitive> = (args: readonly DeviceArray[], params: ParamsOf<P>, outAvals: readonly ShapedArray[]) => DeviceArray[];
export const controlImpls: { [P in Primitive]?: ControlImpl<P> } = {};

/** The bottom of every trace stack: applies primitives to concrete arrays on their backend. */
export class EvalTrace extends Trace {
  constructor() { super(null, "eager evaluation"); }
  process<P extends Primitive>(prim: P, args: readonly DeviceArray[], params: ParamsOf<P>): DeviceArray[] {
    const n = args.length;
    const avals = new Array<ShapedArray>(n);
    for (let i = 0; i < n; i++) {
      const a = args[i]!;
      if (a instanceof Tracer) throw leakedTracerError(a, prim);
      avals[i] = a._aval;
    }
    let outAvals: ShapedArray[];
    try {
      outAvals = abstractEval(prim, avals, params);
    } catch (e) {
      throw e instanceof Error ? withUserLocation(e) : e;
    }
    const control: ControlImpl<P> | undefined = controlImpls[prim];
    if (control) return control(args, params, outAvals);
    const backend = backendOf(args);
    const ins = new Array(n);
    let copies: unknown[] | undefined;
    for (let i = 0; i < n; i++) {
      const a = args[i]!;
      if (a._backend === backend) { ins[i] = a._buffer; continue; }
      // An operand on another backend is copied over for this op (as jax.device_put would).
      ins[i] = backend.upload(a.dataSync(), a._aval);
      (copies ??= []).push(ins[i]);
    }
    // outAvals is the shape rule's remembered answer: the same array for the same question.
    // Profiling off costs this one check (profiler/hook.ts).
    const bufs = hook.recorder === null ? backend.execute(prim, params, ins, avals, outAvals, outAvals) : hook.recorder.eager(backend, prim, params, ins, avals, outAvals);
    if (copies) for (const c of copies) backend.free(c as object);
    const outs = new Array<DeviceArray>(bufs.length);
    for (let i = 0; i < bufs.length; i++) outs[i] = wrapBuffer(backend, bufs[i]!, outAvals[i]!);
    return outs;
  }
}

/** The backend of the operands; operands on another backend are copied to the first one's. */
export function backendOf(args: readonly DeviceArray[]): Backend {
  if (args.length === 0) return getBackend();
  const b = args[0]!._backend;
  for (let i = 1; i < args.length; i++) {
    if (args[i]!._backend !== b) return mixedBackend(args);
  }
  return b;
}
/** Mixed operands: an array placed on a backend other than the default wins (as a committed array does in JAX). */
function mixedBackend(args: readonly DeviceArray[]): Backend {
  const d = getBackend();
  for (const a of args) if (a._backend !== d) return a._backend;
  return d;
}

export const evalTrace = new EvalTrace();
setRootTrace(evalTrace);
