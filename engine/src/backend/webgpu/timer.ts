/// <reference types="@webgpu/types" />
import type { Program } from "../kernel.js";

// GPUBufferUsage / GPUMapMode values (the globals exist only once Dawn's are installed).
const QUERY_RESOLVE = 0x200, COPY_SRC = 0x04, COPY_DST = 0x08, MAP_READ = 0x01, MAP_MODE_READ = 0x01;

/** Timestamps one query set holds (WebGPU's maximum is 4096): two per timed pass. */
const MAX_QUERIES = 4096;

/** Where the times of one program run go once they resolve: the recorder's deviceSteps, bound to the jit call it ran in. */
export type StepsReport = (program: Program, stepOf: Int32Array, times: Float64Array, base: number, count: number, offsetMs: number) => void;

/** The timing of one program run: a query set with a begin/end pair per dispatch step. */
export interface TimedRun {
  readonly querySet: GPUQuerySet;
  /** Program step of each timed pass. */
  readonly stepOf: number[];
  readonly capacity: number;
}

/**
 * Kernel times of WebGPU programs from timestamp queries (the adapter's `timestamp-query`
 * feature): while a profile is recorded, each dispatch step of a program runs in its own compute
 * pass whose beginning and end write timestamps; after the submission the timestamps are
 * resolved, read back, and reported to the profiler as the steps' device times.
 *
 * GPU timestamps count nanoseconds on the device's own clock. They are placed on the
 * performance.now() axis with the tightest offset the runs so far allow: a pass cannot begin
 * before its submission, so offset >= submit time - first timestamp, and the largest such
 * bound is used. Durations are exact; the placement may be early by the submission latency.
 */
export class GpuTimer {
  private readonly pending = new Set<Promise<void>>();
  /** performance.now() ms minus gpuMs(): the largest lower bound seen (see the class comment). */
  private offsetMs = -Infinity;
  /** Steps left untimed because a program had more than a query set holds. */
  untimedSteps = 0;
  /** Runs whose times had not been read back when the profile was stopped. */
  unresolvedAtStop = 0;

  constructor(private readonly device: GPUDevice) {}

  /** Starts timing a run of `steps` dispatches (at most MAX_QUERIES / 2 of them are timed). */
  begin(steps: number): TimedRun {
    const capacity = Math.min(steps, MAX_QUERIES / 2);
    this.untimedSteps += steps - capacity;
    return { querySet: this.device.createQuerySet({ type: "timestamp", count: Math.max(2, 2 * capacity) }), stepOf: [], capacity };
  }

  /** The compute pass descriptor of the run's next dispatch (untimed once the query set is full). */
  pass(run: TimedRun, step: number): GPUComputePassDescriptor {
    const k = run.stepOf.length;
    if (k >= run.capacity) return {};
    run.stepOf.push(step);
    return { timestampWrites: { querySet: run.querySet, beginningOfPassWriteIndex: 2 * k, endOfPassWriteIndex: 2 * k + 1 } };
  }

  /**
   * Encodes the resolve of the run's timestamps; after the submission (at `submitMs`), call the
   * returned function to read them back and report them.
   */
  finish(enc: GPUCommandEncoder, run: TimedRun): (submitMs: number, program: Program, report: StepsReport) => void {
    const n = run.stepOf.length;
    if (n === 0) { run.querySet.destroy(); return () => {}; }
    const bytes = 16 * n;
    const resolved = this.device.createBuffer({ size: bytes, usage: QUERY_RESOLVE | COPY_SRC });
    const staging = this.device.createBuffer({ size: bytes, usage: MAP_READ | COPY_DST });
    enc.resolveQuerySet(run.querySet, 0, 2 * n, resolved, 0);
    enc.copyBufferToBuffer(resolved, 0, staging, 0, bytes);
    return (submitMs, program, report) => {
      const p = staging.mapAsync(MAP_MODE_READ).then(() => {
        const ns = new BigUint64Array(staging.getMappedRange().slice(0));
        staging.unmap();
        this.deliver(ns, submitMs, program, run.stepOf, report);
      }, () => { /* the device was lost: its failure is reported by the backend */ }).finally(() => {
        this.pending.delete(p);
        staging.destroy();
        resolved.destroy();
        run.querySet.destroy();
      });
      this.pending.add(p);
    };
  }

  private deliver(ns: BigUint64Array, submitMs: number, program: Program, stepOf: number[], report: StepsReport): void {
    // Relative to the first timestamp, in ms: float64 keeps sub-nanosecond precision there.
    const first = ns[0]!;
    const times = new Float64Array(ns.length);
    for (let i = 0; i < ns.length; i++) times[i] = Number(ns[i]! - first) / 1e6;
    const g = this.gpuMs(first);
    this.offsetMs = Math.max(this.offsetMs, submitMs - g);
    report(program, Int32Array.from(stepOf), times, 0, stepOf.length, g + this.offsetMs);
  }

  /** GPU clock ms since the first timestamp read (a bigint difference: ns counts pass 2^53). */
  private baseNs: bigint | null = null;
  private gpuMs(first: bigint): number {
    if (this.baseNs === null) this.baseNs = first;
    return Number(first - this.baseNs) / 1e6;
  }

  /** Resolves when every run submitted so far has reported its times. */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  /** Counts the runs still unresolved (when the profile stops). */
  noteStop(): void { this.unresolvedAtStop += this.pending.size; }
}
