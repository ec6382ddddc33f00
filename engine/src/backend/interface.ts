import type { TypedArray } from "../dtype.js";
import type { ShapedArray } from "../ir/aval.js";
import type { ParamsOf, Primitive } from "../ir/primitives.js";
import type { FusedKernel, OpStep, Program } from "./kernel.js";

/** An opaque handle to memory owned by a backend. */
export type Buffer = object;

/** A compiled program: one call runs it. */
export interface Executable {
  run(inputs: readonly Buffer[]): Buffer[];
  /**
   * Runs with the inputs marked in `donate` given to the program (jit's donateArgnums): it
   * owns those buffers from now on, may write outputs into them, and frees the rest. Absent
   * where the backend cannot reuse inputs: donation is then a no-op (api/donate.ts).
   */
  runDonated?(inputs: readonly Buffer[], donate: readonly boolean[]): Buffer[];
}

/**
 * The engine's runner of a program step that is control flow (pjit, cond, scan, while: they call
 * back into traced programs): its outputs, or undefined for a step the backend runs itself.
 * jit/executor.ts takes it as an argument, so that the executor imports no tracing.
 */
export type ControlStep = (step: OpStep, backend: Backend, args: readonly Buffer[], inAvals: readonly ShapedArray[], outAvals: readonly ShapedArray[]) => Buffer[] | undefined;

/** The engine's executor (jit/executor.ts) bound to one program, its backend and its constants. */
export type ProgramRunner = (inputs: readonly Buffer[]) => Buffer[];

/**
 * What a backend provides. The reference backend (TypeScript) is the oracle; native and
 * WebGPU render the same primitives and fused kernels.
 */
export interface Backend {
  readonly name: string;
  /** A new buffer holding a copy of `data` (already of the dtype's host storage type). */
  upload(data: TypedArray, aval: ShapedArray): Buffer;
  /** Reads a buffer back. Always available; the asynchronous path is the portable one. */
  download(buf: Buffer, aval: ShapedArray): Promise<TypedArray>;
  /** Synchronous read, where the backend can do it (not WebGPU). */
  downloadSync?(buf: Buffer, aval: ShapedArray): TypedArray;
  /** Whether downloadSync can answer for this buffer now (WebGPU: only values already on the host). Absent: when downloadSync exists. */
  canReadSync?(buf: Buffer): boolean;
  free(buf: Buffer): void;
  /**
   * Whether the buffer holds memory only free() releases, so its array must free it when
   * garbage-collected (a FinalizationRegistry entry, which costs about a microsecond per array).
   * Buffers whose memory the JS heap reclaims by itself (host ArrayBuffers) answer false.
   * Absent: every buffer needs it.
   */
  needsFinalizer?(buf: Buffer): boolean;
  /**
   * Runs one primitive on buffers (eager mode, and program steps that do not fuse). `question`,
   * when given, is an object that stands for (prim, inAvals, params) by value: the same object
   * means the same question, so a backend may key what it prepared on it instead of comparing
   * shapes and params (eager mode passes the shape rule's remembered answer, ir/abstract-eval.ts).
   */
  execute<P extends Primitive>(prim: P, params: ParamsOf<P>, inputs: readonly Buffer[], inAvals: readonly ShapedArray[], outAvals: readonly ShapedArray[], question?: object): Buffer[];
  /** Runs one fused kernel, returning a new buffer of kernel.output. */
  runKernel(kernel: FusedKernel, inputs: readonly Buffer[]): Buffer;
  /** Whether programs for this backend should carry matmul/conv epilogues (see kernel.ts Epilogue). */
  readonly fusesEpilogues?: boolean;
  /**
   * Takes a whole program once (optional: the engine's executor runs it otherwise, and where
   * this answers undefined). `lowerBody` lowers the programs of its control-flow steps (cond
   * branches, while and scan bodies), for a backend that runs control flow itself. `engine` runs
   * this program in the engine's executor: a backend whose own path cannot take some programs
   * (native: control flow, a primitive its addon lacks) wraps it instead of a loop of its own.
   */
  compile?(program: Program, lowerBody?: (body: ParamsOf<"scan">["body"]) => Program, engine?: ProgramRunner): Executable | undefined;
  /**
   * Whether compile() runs programs with control-flow steps itself (webgpu: its predicates are
   * read asynchronously, so the engine's synchronous executor cannot). Eager control flow on
   * such a backend then runs as a one-step program (trace/control.ts).
   */
  readonly runsControlFlow?: boolean;
  /**
   * Profiling (optional). While a profile is recorded the backend times its own work and
   * reports it to the recorder (profiler/hook.ts: deviceSteps, threadSpans), in its own
   * clock plus an offset to performance.now(). The native backend times each program step and
   * its pool threads' busy intervals inside the addon; a WebGPU backend would write timestamp
   * queries around its dispatches and report the kernel times when they resolve.
   */
  startProfiling?(): void;
  stopProfiling?(): void;
  /** Reports timings the backend holds (the thread spans of an eager op just run). */
  flushProfiling?(): void;
  /**
   * What a profile of this backend should say about its times, once (read when a profile
   * stops): e.g. that the adapter has no timestamp queries, so kernel times are not measured.
   */
  profilingNotes?(): string[];
}
