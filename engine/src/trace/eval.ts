import { borrowBuffer, DeviceArray, takeBuffer, wrapBuffer } from "../array.js";
import { backendOf } from "../backend/registry.js";
import { abstractEval } from "../ir/abstract-eval.js";
import type { ParamsOf, Primitive } from "../ir/primitives.js";
import { withUserLocation } from "../ir/source.js";
import { leakedTracerError, Trace, Tracer } from "./tracer.js";
import { controlImpls, type ControlImpl } from "./control.js";
import type { ShapedArray } from "../ir/aval.js";
import type { ControlStep } from "../backend/interface.js";
import { hook } from "../profiler/hook.js";

/** The bottom of every trace stack: applies primitives to concrete arrays on their backend. */
export class EvalTrace extends Trace {
  constructor() { super(null, "eager evaluation"); }

  /**
   * Control-flow steps of a compiled program run in the engine (control.ts's implementations, on
   * this trace): operands borrowed as arrays, outputs taken back as buffers the run owns. Every
   * compiled program is handed this (`../jit/program.ts` imports no tracing).
   */
  readonly controlStep: ControlStep = (step, backend, args, inAvals, outAvals) => {
    const impl = controlImpls[step.prim] as ControlImpl<typeof step.prim> | undefined;
    if (!impl) return undefined;
    const arrays = args.map((b, i) => borrowBuffer(backend, b, inAvals[i]!));
    const res = impl(arrays, step.params as never, outAvals, this);
    // A loop that ran zero times hands back its inputs, which the program does not own.
    const outs = res.map((r) => (arrays.includes(r) ? this.process("stop_gradient", [r], {})[0]! : r));
    return outs.map(takeBuffer);
  };

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
    if (control) return control(args, params, outAvals, this);
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

/** The trace every other runs inside: the current trace at load (`trace.ts`). */
export const evalTrace = new EvalTrace();
