import type { Backend, Buffer } from "../backend/interface.js";
import type { Program } from "../backend/kernel.js";
import type { ShapedArray } from "../ir/aval.js";
import type { ParamsOf, Primitive } from "../ir/primitives.js";
import type { CallSite } from "../ir/source.js";

/**
 * The one place the engine's hot paths look to know whether a profile is being recorded:
 * `hook.recorder` is null when profiling is off, and every hook site is a single
 * `hook.recorder !== null` check (no allocation, no closure). The profiler
 * (../profiler) implements Recorder and installs itself here; the engine only reports facts
 * (times, the step or primitive, the jit call); costs, sources and summaries are computed by
 * the profiler, lazily, when a profile is read.
 */
export interface Recorder {
  /** Runs one eager primitive on its backend in place of `backend.execute`, timing it. */
  eager<P extends Primitive>(backend: Backend, prim: P, params: ParamsOf<P>, ins: readonly Buffer[], avals: readonly ShapedArray[], outAvals: readonly ShapedArray[]): Buffer[];
  /** A call of a jitted function begins (`jitEnd` follows, also when it throws). */
  jitBegin(name: string): number;
  jitEnd(name: string, t0: number, miss: boolean): void;
  /** A compilation: the record is filled in as tracing, optimizing and compiling finish. */
  compile(rec: CompileRecord): void;
  /** A jit program's execution (Compiled.run), timed from JavaScript. */
  execute(name: string, t0: number, t1: number): void;
  /**
   * One step of a program run by the engine's generic executor (reference backend, programs
   * with control flow), timed from JavaScript.
   */
  step(program: Program, stepIndex: number, t0: number, t1: number): void;
  /**
   * Steps of a compiled program timed by the backend itself: native step k of the run was
   * program step `stepOf[k]`, and ran from times[base + 2k] to times[base + 2k + 1]
   * (backend clock; + offsetMs gives performance.now() milliseconds). The native backend calls
   * it after each run with the addon's per-step timer; a WebGPU backend would call it when its
   * timestamp queries resolve.
   */
  deviceSteps(program: Program, stepOf: Int32Array, times: Float64Array, base: number, count: number, offsetMs: number): void;
  /**
   * deviceSteps bound to the current context (the jit call in progress), for times that arrive
   * after the call returned: a WebGPU backend takes it when it submits a program and calls it
   * when its timestamp queries resolve.
   */
  deviceStepsLater?(): Recorder["deviceSteps"];
  /**
   * Busy intervals of the backend's worker threads: `count` triples (thread, start, end) from
   * spans[base] on (backend clock; + offsetMs gives performance.now() milliseconds).
   */
  threadSpans(spans: Float64Array, base: number, count: number, offsetMs: number): void;
}

/** Timings of one compilation of a jitted function, filled in as its phases finish (ms, performance.now()). */
export interface CompileRecord {
  readonly fn: string;
  readonly signature: string;
  readonly reason: string;
  readonly site: CallSite | undefined;
  traceStart: number;
  traceEnd: number;
  /** Optimize ends here (it starts at traceEnd). */
  optimizeEnd: number;
  /** Lowering and backend compilation (Compiled's constructor), when it ran: -1 before. */
  compileStart: number;
  compileEnd: number;
}

/**
 * The active recorder, or null. A property of a constant object rather than an exported `let`:
 * reading an imported `let` binding checks it for the temporal dead zone on every access, and
 * on eager dispatch (about 250 ns an op) that measured 5-10%; this load measured nothing.
 */
export const hook: { recorder: Recorder | null } = { recorder: null };

/** Installs (or, with null, removes) the active recorder. Only the profiler calls this. */
export function setRecorder(r: Recorder | null): void {
  hook.recorder = r;
}
