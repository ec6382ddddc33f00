import { getHeapStatistics } from "node:v8";
import type { ShapedArray } from "../ir/aval.js";
import type { ParamsOf, Primitive } from "../ir/primitives.js";
import { setRecorder, type CompileRecord, type Recorder } from "./hook.js";
import { CallSite } from "../ir/source.js";
import type { Backend, Buffer } from "../backend/interface.js";
import type { Program } from "../backend/kernel.js";
import { liveBackends } from "../backend/registry.js";
import { liveBytes } from "../array.js";

/**
 * The raw events of a profile. Times are performance.now() milliseconds; costs, names and
 * source lines are derived from these when a profile is read (profile.ts), not while recording.
 */
export type ProfileEvent =
  /** An eager primitive; `site` is where it was called (resolved to the user's line on demand). */
  | { readonly type: "eager"; readonly ts: number; readonly dur: number; readonly prim: Primitive; readonly params: unknown; readonly avals: readonly ShapedArray[]; readonly outAvals: readonly ShapedArray[]; readonly site: CallSite; readonly jit: string | undefined }
  /**
   * One step of a jit program (a fused kernel or an op). `timer` says who timed it: "device"
   * (the backend: inside the native addon) or "js" (the engine's executor).
   */
  | { readonly type: "step"; readonly ts: number; readonly dur: number; readonly program: Program; readonly step: number; readonly jit: string | undefined; readonly timer: "device" | "js" }
  /** A call of a jitted function; `miss` when it traced and compiled. */
  | { readonly type: "jit"; readonly ts: number; readonly dur: number; readonly fn: string; readonly miss: boolean }
  /** The execution of a compiled jit program within a call. */
  | { readonly type: "execute"; readonly ts: number; readonly dur: number; readonly fn: string }
  /** A compilation: trace, optimize and lower+compile times in `record`. */
  | { readonly type: "compile"; readonly ts: number; readonly record: CompileRecord }
  /** A busy interval of a backend worker thread (0: the thread that called into the backend). */
  | { readonly type: "thread"; readonly ts: number; readonly dur: number; readonly thread: number }
  /** Bytes held at this moment: by the backend outside the JS heap (`native`) and by JS ArrayBuffers and external memory (`heap`). */
  | { readonly type: "memory"; readonly ts: number; readonly native: number; readonly heap: number };

/** Memory is sampled at most this often (ms) between jit calls (each sample costs about a microsecond). */
const MEMORY_INTERVAL_MS = 0.05;

/**
 * The recorder the engine reports to while at least one profile session is open. Sessions
 * share one event log; each keeps the events from its start to its stop.
 */
export class EventLog implements Recorder {
  events: ProfileEvent[] = [];
  private jitStack: string[] = [];
  private lastMemory = -Infinity;
  private backends: Backend[] = [];

  start(): void {
    this.backends = liveBackends();
    for (const b of this.backends) b.startProfiling?.();
  }
  stop(): void {
    for (const b of this.backends) b.flushProfiling?.();
    for (const b of this.backends) b.stopProfiling?.();
    this.backends = [];
  }

  eager<P extends Primitive>(backend: Backend, prim: P, params: ParamsOf<P>, ins: readonly Buffer[], avals: readonly ShapedArray[], outAvals: readonly ShapedArray[]): Buffer[] {
    // The call site is captured cheaply (the frames, formatted only when the profile is read).
    const site = new CallSite(24);
    const t0 = performance.now();
    const out = backend.execute(prim, params, ins, avals, outAvals, outAvals);
    const t1 = performance.now();
    backend.flushProfiling?.();
    this.events.push({ type: "eager", ts: t0, dur: t1 - t0, prim, params, avals, outAvals, site, jit: this.currentJit() });
    if (t1 - this.lastMemory >= MEMORY_INTERVAL_MS) this.sampleMemory(t1);
    return out;
  }

  jitBegin(name: string): number {
    this.jitStack.push(name);
    return performance.now();
  }
  jitEnd(name: string, t0: number, miss: boolean): void {
    const t1 = performance.now();
    this.jitStack.pop();
    this.events.push({ type: "jit", ts: t0, dur: t1 - t0, fn: name, miss });
    this.sampleMemory(t1);
  }
  compile(record: CompileRecord): void {
    this.events.push({ type: "compile", ts: record.traceStart, record });
  }
  execute(name: string, t0: number, t1: number): void {
    this.events.push({ type: "execute", ts: t0, dur: t1 - t0, fn: name });
  }
  step(program: Program, step: number, t0: number, t1: number): void {
    this.events.push({ type: "step", ts: t0, dur: t1 - t0, program, step, jit: this.currentJit(), timer: "js" });
  }
  deviceSteps(program: Program, stepOf: Int32Array, times: Float64Array, base: number, count: number, offsetMs: number): void {
    this.pushDeviceSteps(this.currentJit(), program, stepOf, times, base, count, offsetMs);
  }
  deviceStepsLater(): Recorder["deviceSteps"] {
    const jit = this.currentJit();
    return (program, stepOf, times, base, count, offsetMs) => this.pushDeviceSteps(jit, program, stepOf, times, base, count, offsetMs);
  }
  private pushDeviceSteps(jit: string | undefined, program: Program, stepOf: Int32Array, times: Float64Array, base: number, count: number, offsetMs: number): void {
    // Native steps of one program step (a matmul's transposes, an epilogue) become one event.
    for (let k = 0; k < count;) {
      const from = stepOf[k]!;
      let j = k;
      while (j + 1 < count && stepOf[j + 1] === from) j++;
      const t0 = times[base + 2 * k]! + offsetMs, t1 = times[base + 2 * j + 1]! + offsetMs;
      this.events.push({ type: "step", ts: t0, dur: t1 - t0, program, step: from, jit, timer: "device" });
      k = j + 1;
    }
  }
  threadSpans(spans: Float64Array, base: number, count: number, offsetMs: number): void {
    for (let i = 0; i < count; i++) {
      const o = base + 3 * i, t0 = spans[o + 1]! + offsetMs;
      this.events.push({ type: "thread", ts: t0, dur: spans[o + 2]! + offsetMs - t0, thread: spans[o]! });
    }
  }

  sampleMemory(ts = performance.now()): void {
    this.lastMemory = ts;
    let native = 0;
    for (const b of this.backends) {
      const n = (b as { liveBytes?(): number }).liveBytes?.();
      if (n !== undefined) native += n;
    }
    // Backends without their own count: the engine's accounting of arrays it must free.
    if (!this.backends.some((b) => typeof (b as { liveBytes?(): number }).liveBytes === "function")) native = liveBytes();
    this.events.push({ type: "memory", ts, native, heap: getHeapStatistics().external_memory });
  }

  private currentJit(): string | undefined {
    const s = this.jitStack;
    return s.length ? s[s.length - 1] : undefined;
  }
}

let log: EventLog | null = null;
let open = 0;

/** Opens a session: installs the recorder (and the backends' timers) for the first one; returns where its events start. */
export function openSession(): { log: EventLog; start: number } {
  if (log === null) {
    log = new EventLog();
    log.start();
    setRecorder(log);
  }
  open++;
  log.sampleMemory();
  return { log, start: log.events.length };
}

/** Closes a session: its events; the recorder is removed with the last open session. */
export function closeSession(l: EventLog, start: number): ProfileEvent[] {
  for (const b of liveBackends()) b.flushProfiling?.();
  l.sampleMemory();
  const events = l.events.slice(start);
  if (l === log && --open === 0) {
    l.stop();
    setRecorder(null);
    log = null;
  }
  return events;
}
