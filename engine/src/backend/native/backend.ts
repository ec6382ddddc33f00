import type { DType, TypedArray } from "../../dtype.js";
import type { ShapedArray } from "../../ir/aval.js";
import { sameParams, sameShapeAndDType } from "../../ir/structural.js";
import { BINARY_PRIMITIVES, UNARY_PRIMITIVES, type ParamsOf, type Primitive } from "../../ir/primitives.js";
import type { Backend, Buffer, Executable, ProgramRunner } from "../interface.js";
import type { FusedKernel, Program } from "../kernel.js";
import { referenceImpls, type DataPrimitive, type Impl } from "../reference/ops.js";
import type { Addon } from "./addon.js";
import { storageBytes } from "./codes.js";
import { encodeKernel } from "./encode.js";
import { lowerPrimitive, opCodesRef, type Lowered, type Ref } from "./lower.js";
import { compileProgram } from "./program.js";
import { SlabAllocator, SMALL_MAX_BYTES } from "./slab.js";
import { BlockPool, POOL_MIN_BYTES, sizeClass, type Block, type PoolStats } from "./pool.js";
import { hook } from "../../profiler/hook.js";
import { NativeBuffer, onHeap, setExternalReporter, settleExternal, trackExternal } from "./buffer.js";

export { NativeBuffer, HEAP_MAX_BYTES, onHeap } from "./buffer.js";

/** Program steps timed per run, and pool-thread spans logged between two reports, while profiling. */
const STEP_CAPACITY = 16384, SPAN_CAPACITY = 65536;

/** Bytes of reusable blocks the pool may hold (pool.ts; env TENSORLENS_POOL_MAX, 0 turns it off). */
export const POOL_MAX_BYTES = (() => {
  const e = typeof process !== "undefined" ? process.env.TENSORLENS_POOL_MAX : undefined;
  const v = e === undefined || e === "" ? NaN : Number(e);
  return Number.isFinite(v) && v >= 0 ? v : 256 << 20;
})();

/**
 * A fresh ArrayBuffer for an op's output, not zero-filled. Every native op writes all of its
 * output (native blocks and program arenas are never zeroed either), and zeroing a large
 * buffer costs about as much as a memory-bound op itself and evicts the inputs from cache.
 * Node's Buffer.allocUnsafe hands out such memory; below its pool threshold, or when a pool
 * slice comes back, a zeroed ArrayBuffer it is.
 */
const allocUnsafe = (globalThis as { Buffer?: { allocUnsafe?(n: number): Uint8Array } }).Buffer?.allocUnsafe;
const UNZEROED_MIN_BYTES = 64 << 10;
export function outputArrayBuffer(bytes: number): ArrayBuffer {
  if (allocUnsafe && bytes >= UNZEROED_MIN_BYTES) {
    const u = allocUnsafe(bytes);
    if (u.byteOffset === 0 && u.buffer.byteLength === bytes && u.buffer instanceof ArrayBuffer) return u.buffer;
  }
  return new ArrayBuffer(bytes);
}

const ptrOf = (b: Buffer) => {
  const p = (b as NativeBuffer).ptr;
  if (!p) throw new Error("native backend: use of a freed buffer");
  return p;
};

type ArrayCtor = new (buf: ArrayBuffer, offset?: number, length?: number) => TypedArray;
const CTORS: Record<DType, ArrayCtor> = {
  float32: Float32Array, float16: Float32Array, float64: Float64Array, int32: Int32Array, uint32: Uint32Array, bool: Uint8Array,
  bfloat16: Float32Array, int8: Int32Array, uint8: Int32Array, int16: Int32Array, // widened, as dtype.ts stores them
};

/** A lowered primitive with its addon ops created. */
interface Prepared { lowered: Lowered; ids: number[]; numIn: number[]; fast: boolean; outBytes: number[] }
const FALLBACK = Symbol("reference");
interface Hit { ins: readonly ShapedArray[]; out: ShapedArray; params: unknown; prepared: Prepared | typeof FALLBACK }
/** Primitives whose params never change their kernel. */
const PARAMLESS = new Set<string>([...UNARY_PRIMITIVES, ...BINARY_PRIMITIVES, "select", "clamp", "stop_gradient", "threefry2x32"]);

/**
 * The native CPU backend: buffers in native memory, kernels in the C++ addon. A primitive
 * without a native kernel runs the reference implementation directly on zero-copy views of the
 * native buffers, so every primitive works; jit programs run in one addon call (program.ts).
 */
export class NativeBackend implements Backend {
  readonly name = "native";
  /** Matmul/conv steps may carry an elementwise epilogue; compiled programs run it in the same native call (program.ts). */
  readonly fusesEpilogues = true;
  readonly io: Float64Array;
  readonly info: ReturnType<Addon["info"]>;
  private readonly eager = new Map<string, Prepared | typeof FALLBACK>();
  /** Prepared ops by the question object eager mode passes (see Backend.execute). */
  private readonly byQuestion = new WeakMap<object, Prepared | typeof FALLBACK>();
  private readonly recent = new Map<string, Hit[]>();
  private readonly kernels = new WeakMap<FusedKernel, number>();
  private readonly opReaper: FinalizationRegistry<number>;
  /** Whether zero-copy views of native memory are allowed here (not under Electron's memory cage). */
  private viewsAllowed = true;
  private readonly slabs: SlabAllocator;
  private readonly pool: BlockPool;

  constructor(readonly addon: Addon) {
    setExternalReporter((delta) => addon.adjustExternal(delta));
    this.io = addon.io();
    this.info = addon.info();
    opCodesRef.current = {
      unary: new Map(this.info.unary.map((n, i) => [n, i])),
      binary: new Map(this.info.binary.map((n, i) => [n, i])),
    };
    this.opReaper = new FinalizationRegistry((id) => addon.destroyOp(id));
    this.slabs = new SlabAllocator((ab) => addon.addressOf(ab));
    this.pool = new BlockPool(POOL_MAX_BYTES, (ab) => addon.addressOf(ab), outputArrayBuffer, (ab) => addon.detach(ab), () => this.releaseWhenIdle());
  }

  /** The reuse pool's counters (pool.ts): hits, misses, bytes held, returns. */
  poolStats(): PoolStats { return this.pool.stats(); }

  /**
   * A new heap buffer for an output (caller checked onHeap): a slab slice when small, else its
   * own ArrayBuffer, used from its first 64-byte boundary. The allocator's blocks start 16
   * bytes past one, and vector stores that straddle cache lines cost a memory-bound kernel
   * 3-15% here.
   */
  heapBuffer(bytes: number): NativeBuffer {
    if (bytes <= SMALL_MAX_BYTES) {
      const s = this.slabs, ptr = s.alloc(bytes);
      return new NativeBuffer(ptr, bytes, s.slab, s.offset, true);
    }
    if (bytes >= POOL_MIN_BYTES && POOL_MAX_BYTES > 0) return this.pooledBuffer(bytes);
    const ab = outputArrayBuffer(bytes + 64);
    const base = this.addon.addressOf(ab), offset = (64 - (base % 64)) % 64;
    return new NativeBuffer(base + offset, bytes, ab, offset);
  }

  /**
   * A new buffer object for the memory of `from`, which is dead afterwards (ptr 0: any array
   * still holding it throws on use): a donated input's memory becoming a program's output.
   * Native memory is not reported to V8 again; a pool block's return moves to the new owner.
   */
  takeOver(from: NativeBuffer): NativeBuffer {
    if (!from.ptr) throw new Error("native backend: use of a freed buffer");
    const b: NativeBuffer = Object.create(NativeBuffer.prototype);
    Object.assign(b, { ptr: from.ptr, bytes: from.bytes, ab: from.ab, offset: from.offset, inSlab: from.inSlab, block: from.block });
    if (from.block) this.pool.transfer(from.block, from, b);
    from.ptr = 0;
    from.ab = undefined;
    from.block = undefined;
    return b;
  }

  /** A buffer on a block of the pool (reused when one of its size class came back). */
  private pooledBuffer(bytes: number): NativeBuffer {
    const blk = this.pool.take(sizeClass(bytes));
    const b = new NativeBuffer(blk.base + blk.offset, bytes, blk.ab, blk.offset, false, blk);
    this.pool.track(blk, b);
    return b;
  }

  upload(data: TypedArray, aval: ShapedArray): Buffer {
    const bytes = aval.size * storageBytes(aval.dtype);
    if (data.byteLength !== bytes) throw new Error(`native backend: upload of ${data.byteLength} bytes for ${aval.toString()} (${bytes} bytes)`);
    if (onHeap(bytes)) {
      const b = this.heapBuffer(bytes);
      new Uint8Array(b.ab!, b.offset, bytes).set(new Uint8Array(data.buffer, data.byteOffset, bytes));
      return b;
    }
    return new NativeBuffer(this.addon.upload(data), bytes);
  }

  /** An owned typed array becomes a buffer without a copy when it is small and spans its ArrayBuffer. */
  private adopt(data: TypedArray, bytes: number): Buffer {
    const ab = data.buffer;
    if (onHeap(bytes) && data.byteOffset === 0 && ab.byteLength === bytes && ab instanceof ArrayBuffer) {
      const ptr = this.addon.addressOf(ab);
      if (ptr) return new NativeBuffer(ptr, bytes, ab);
    }
    return new NativeBuffer(this.addon.upload(data), bytes);
  }

  /** Heap buffers are reclaimed by the collector with their array: no finalizer, not in liveBytes. */
  needsFinalizer(buf: Buffer): boolean {
    return (buf as NativeBuffer).ab === undefined;
  }

  downloadSync(buf: Buffer, aval: ShapedArray): TypedArray {
    const b = buf as NativeBuffer;
    const ptr = ptrOf(b);
    if (b.ab) return new CTORS[aval.dtype](b.ab.slice(b.offset, b.offset + b.bytes));
    return new CTORS[aval.dtype](this.addon.read(ptr, b.bytes));
  }

  async download(buf: Buffer, aval: ShapedArray): Promise<TypedArray> {
    return this.downloadSync(buf, aval);
  }

  free(buf: Buffer): void {
    const b = buf as NativeBuffer;
    if (!b.ptr) return;
    // A heap buffer is detached: its memory is released now, not at the next collection (every
    // heap buffer is one this backend allocated or adopted, so no user view shares it). A slab
    // slice only lets go of its slab, which the collector frees with its last slice. A pool
    // block goes back to the pool: this buffer object is dead (ptr 0), and no other holds it.
    if (b.block) { this.pool.giveBack(b.block, b); b.block = undefined; b.ab = undefined; }
    else if (b.ab) { if (!b.inSlab) this.addon.detach(b.ab); b.ab = undefined; }
    else { this.addon.free(b.ptr); trackExternal(-b.bytes); this.releaseWhenIdle(); }
    b.ptr = 0;
  }

  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * The addon keeps freed large blocks for the next allocation of their size (a loop's next
   * step). A second after a free, once the event loop runs, they go back to the system, so
   * that a long-lived process (the editor's runner) does not hold them while it waits. The
   * pool's blocks go back once they have sat unused for a second (the timer re-arms while the
   * pool holds younger ones).
   */
  private releaseWhenIdle(): void {
    if (this.idleTimer !== undefined || typeof setTimeout === "undefined") return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      this.addon.releaseReusable();
      settleExternal();
      if (this.pool.releaseIdle(1000)) this.releaseWhenIdle();
    }, 1000);
    (this.idleTimer as { unref?: () => void }).unref?.();
  }

  /** Typed views of native buffers, for the reference kernels (a copy where views are refused). */
  view(buf: Buffer, aval: ShapedArray): TypedArray {
    const b = buf as NativeBuffer;
    ptrOf(b);
    if (b.ab) return new CTORS[aval.dtype](b.ab, b.offset, aval.size);
    let ab = this.viewsAllowed ? this.addon.view(ptrOf(b), b.bytes) : undefined;
    if (!ab) { this.viewsAllowed = false; ab = this.addon.read(ptrOf(b), b.bytes); }
    return new CTORS[aval.dtype](ab);
  }

  execute<P extends Primitive>(prim: P, params: ParamsOf<P>, inputs: readonly Buffer[], inAvals: readonly ShapedArray[], outAvals: readonly ShapedArray[], question?: object): Buffer[] {
    // Eager dispatch is the hot path: the question's identity first (eager mode's remembered
    // shape-rule answer), then a few recent (shapes, dtypes) per primitive matched structurally
    // before any string key is built.
    let p: Prepared | typeof FALLBACK | undefined = question ? this.byQuestion.get(question) : undefined;
    if (p === undefined) p = this.prepared(prim, params, inAvals, outAvals, question);
    return this.dispatch(p, prim, params, inputs, inAvals, outAvals);
  }

  private prepared<P extends Primitive>(prim: P, params: ParamsOf<P>, inAvals: readonly ShapedArray[], outAvals: readonly ShapedArray[], question?: object): Prepared | typeof FALLBACK {
    let hits = this.recent.get(prim);
    let p: Prepared | typeof FALLBACK | undefined;
    if (hits) {
      const paramless = PARAMLESS.has(prim), out0 = outAvals[0]!;
      for (let h = 0; h < hits.length; h++) {
        const e = hits[h]!;
        if (e.ins.length === inAvals.length && sameShapeAndDType(e.out, out0) && (paramless || sameParams(e.params, params))) {
          let ok = true;
          for (let i = 0; i < inAvals.length; i++) if (!sameShapeAndDType(e.ins[i]!, inAvals[i]!)) { ok = false; break; }
          if (ok) {
            p = e.prepared;
            if (h > 0) { hits[h] = hits[h - 1]!; hits[h - 1] = e; }  // frequent shapes drift to the front
            break;
          }
        }
      }
    }
    if (p === undefined) {
      p = this.lookup(prim, params, inAvals, outAvals);
      if (!hits) this.recent.set(prim, (hits = []));
      if (hits.length >= 16) hits.pop();
      hits.unshift({ ins: inAvals, out: outAvals[0]!, params, prepared: p });
    }
    if (question) this.byQuestion.set(question, p);
    return p;
  }

  private dispatch<P extends Primitive>(p: Prepared | typeof FALLBACK, prim: P, params: ParamsOf<P>, inputs: readonly Buffer[], inAvals: readonly ShapedArray[], outAvals: readonly ShapedArray[]): Buffer[] {
    if (p === FALLBACK) return this.runReference(prim, params, inputs, inAvals, outAvals);
    const io = this.io;
    if (p.fast) {
      const n = inputs.length;
      for (let i = 0; i < n; i++) io[i] = ptrOf(inputs[i]!);
      const bytes = p.outBytes;
      if (bytes.length === 1) {
        const b0 = bytes[0]!;
        if (onHeap(b0)) {
          const out = this.heapBuffer(b0);
          io[n] = out.ptr;
          this.addon.execInto(p.ids[0]!);
          return [out];
        }
        this.addon.exec(p.ids[0]!);
        return [new NativeBuffer(io[n]!, b0)];
      }
    }
    return this.runLowered(p, inputs);
  }

  private lookup<P extends Primitive>(prim: P, params: ParamsOf<P>, inAvals: readonly ShapedArray[], outAvals: readonly ShapedArray[]): Prepared | typeof FALLBACK {
    let key = prim as string;
    for (let i = 0; i < inAvals.length; i++) key += "|" + inAvals[i]!.key;
    key += ">" + outAvals[0]!.key;
    if (params) for (const _ in params) { key += JSON.stringify(params); break; }
    let p = this.eager.get(key);
    if (p === undefined) {
      const lowered = lowerPrimitive(prim, params, inAvals, outAvals);
      p = lowered ? this.prepare(lowered, inAvals.length) : FALLBACK;
      // Crash reports name the primitive and its operands' shapes.
      if (p !== FALLBACK) for (const id of p.ids) this.addon.labelOp(id, `${prim} ${inAvals.join(" ")}`);
      if (this.eager.size > 4096) this.eager.clear();  // ops are reclaimed by opReaper
      this.eager.set(key, p);
    }
    return p;
  }

  private prepare(lowered: Lowered, numInputs: number): Prepared {
    const ids = lowered.steps.map((s) => this.addon.createOp(s.enc, new Float64Array(s.outBytes)));
    const prepared: Prepared = {
      lowered, ids, numIn: lowered.steps.map((s) => s.ins.length), outBytes: lowered.steps[lowered.steps.length - 1]!.outBytes,
      fast: lowered.steps.length === 1 && lowered.steps[0]!.ins.every((r, i) => r.kind === "in" && r.index === i) && numInputs === lowered.steps[0]!.ins.length,
    };
    for (const id of ids) this.opReaper.register(prepared, id);
    return prepared;
  }

  /** Ops of several steps or outputs: outputs are made here (heap or native), temporaries are native blocks. */
  private runLowered(p: Prepared, inputs: readonly Buffer[]): Buffer[] {
    const { steps, temps } = p.lowered;
    const tmp = new Array<number>(temps.length).fill(0);
    const outs: NativeBuffer[] = [];
    const io = this.io, addon = this.addon;
    const resolve = (r: Ref) => (r.kind === "in" ? ptrOf(inputs[r.index]!) : r.kind === "tmp" ? tmp[r.index]! : outs[r.index]!.ptr);
    try {
      steps.forEach((s, k) => {
        const ni = s.ins.length;
        s.ins.forEach((r, i) => { io[i] = resolve(r); });
        s.outs.forEach((r, j) => {
          const b = s.outBytes[j]!;
          if (r.kind === "tmp") { io[ni + j] = tmp[r.index] = addon.alloc(b); return; }
          if (!outs[r.index]) {
            if (onHeap(b)) outs[r.index] = this.heapBuffer(b);
            else outs[r.index] = new NativeBuffer(addon.alloc(b), b);
          }
          io[ni + j] = outs[r.index]!.ptr;
        });
        addon.execInto(p.ids[k]!);
      });
    } catch (e) {
      for (const o of outs) if (o) this.free(o);
      throw e;
    } finally {
      for (const t of tmp) if (t) { addon.free(t); this.releaseWhenIdle(); }
    }
    return outs;
  }

  private runReference<P extends Primitive>(prim: P, params: ParamsOf<P>, inputs: readonly Buffer[], inAvals: readonly ShapedArray[], outAvals: readonly ShapedArray[]): Buffer[] {
    const impl = referenceImpls[prim as DataPrimitive] as Impl<DataPrimitive> | undefined;
    if (!impl) throw new Error(`native backend: no kernel for ${prim} (control flow is run by the engine)`);
    const views = inputs.map((b, i) => this.view(b, inAvals[i]!));
    const results = impl(views, params, inAvals, outAvals);
    return results.map((r, i) => {
      const a = outAvals[i]!, bytes = a.size * storageBytes(a.dtype);
      if (r.byteLength !== bytes) return this.upload(r, a);  // (throws with the sizes)
      // Results no input aliases are owned: small ones are adopted without a copy.
      return results.length > 1 || views.some((v) => v.buffer === r.buffer) ? this.upload(r, a) : this.adopt(r, bytes);
    });
  }

  runKernel(kernel: FusedKernel, inputs: readonly Buffer[]): Buffer {
    let id = this.kernels.get(kernel);
    if (id === undefined) {
      id = this.addon.createOp(encodeKernel(kernel, opCodesRef.current!), new Float64Array([kernel.output.size * storageBytes(kernel.output.dtype)]));
      this.kernels.set(kernel, id);
      this.opReaper.register(kernel, id);
    }
    const io = this.io;
    const n = inputs.length;
    for (let i = 0; i < n; i++) io[i] = ptrOf(inputs[i]!);
    const bytes = kernel.output.size * storageBytes(kernel.output.dtype);
    if (onHeap(bytes)) {
      const out = this.heapBuffer(bytes);
      io[n] = out.ptr;
      this.addon.execInto(id);
      return out;
    }
    this.addon.exec(id);
    return new NativeBuffer(io[n]!, bytes);
  }

  compile(program: Program, _lowerBody?: unknown, engine?: ProgramRunner): Executable | undefined {
    return compileProgram(this, program, engine);
  }

  // ---- profiling: the addon times program steps and pool threads (setStepTiming) ----
  private stepTimes: Float64Array | null = null;
  private spanLog: Float64Array | null = null;
  /** performance.now() minus the addon's clock (steady_clock ms). */
  private clockOffset = 0;

  startProfiling(): void {
    this.stepTimes = new Float64Array(1 + 2 * STEP_CAPACITY);
    this.spanLog = new Float64Array(1 + 3 * SPAN_CAPACITY);
    this.addon.setStepTiming(this.stepTimes, this.spanLog);
    // Both clocks are monotonic; the offset is taken from the tightest of a few bracketed reads.
    let best = Infinity;
    for (let i = 0; i < 5; i++) {
      const a = performance.now(), c = this.addon.steadyMs(), b = performance.now();
      if (b - a < best) { best = b - a; this.clockOffset = (a + b) / 2 - c; }
    }
  }

  stopProfiling(): void {
    this.flushProfiling();
    this.addon.setStepTiming(null, null);
    this.stepTimes = this.spanLog = null;
  }

  flushProfiling(): void {
    const log = this.spanLog;
    if (log === null || hook.recorder === null) return;
    const n = log[0]!;
    if (n > 0) {
      hook.recorder.threadSpans(log, 1, Math.min(n, SPAN_CAPACITY), this.clockOffset);
      log[0] = 0;
    }
  }

  /** After a program run while profiling: its steps' times (program step stepOf[k] for native step k). */
  reportProgram(program: Program, stepOf: Int32Array): void {
    const t = this.stepTimes;
    if (t !== null && hook.recorder !== null) hook.recorder.deviceSteps(program, stepOf, t, 1, t[0]!, this.clockOffset);
    this.flushProfiling();
  }

  /** Bytes of native memory held by live buffers, constants and program arenas. */
  liveBytes(): number { return this.addon.liveBytes(); }
}
