/// <reference types="@webgpu/types" />
import { SHORT_NAME, typedArrayFor, type TypedArray } from "../../dtype.js";
import type { ShapedArray } from "../../ir/aval.js";
import type { ParamsOf, Primitive } from "../../ir/primitives.js";
import type { Backend, Buffer, Executable } from "../interface.js";
import type { FusedKernel, OpStep, Program } from "../kernel.js";
import { acquireGpu, type Gpu, type GpuLimits } from "./device.js";
import { fusedShader, type ShaderSpec } from "./kernels.js";
import { opShader } from "./ops.js";
import { NotOnWebGPU, wgslType } from "./wgsl.js";
import { GpuTimer } from "./timer.js";
import { hook } from "../../profiler/hook.js";
import { deviceBytes, emptyBuffer, WebGPUBuffer } from "./buffer.js";
import { isMultiPass, resolveRef, type MultiPassSpec, type OpSpec } from "./passes.js";
import { planProgram, type LowerBody, type ProgramPlan } from "./plan.js";
import { Recorder, type Encoding } from "./recorder.js";
import { instantiate, runPlan } from "./run.js";

export { WebGPUBuffer };

// GPUBufferUsage / GPUMapMode values (the globals exist only once Dawn's are installed).
const STORAGE = 0x80, UNIFORM = 0x40, COPY_SRC = 0x04, COPY_DST = 0x08, MAP_READ = 0x01, MAP_MODE_READ = 0x01;

/** WebGPU's default limits: shaders made before the device is ready use these, valid on every adapter. */
const DEFAULT_LIMITS: GpuLimits = {
  maxBufferSize: 268435456, maxStorageBufferBindingSize: 134217728, maxStorageBuffersPerShaderStage: 8,
  maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupSizeX: 256, maxComputeWorkgroupSizeY: 256,
  maxComputeWorkgroupStorageSize: 16384, maxComputeWorkgroupsPerDimension: 65535,
};

const wb = (b: Buffer) => b as WebGPUBuffer;
const asError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));
type Work = (g: Gpu) => void | Promise<void>;

/**
 * The WebGPU backend. The device is acquired asynchronously when the backend is first asked for;
 * until it is ready, work is recorded in order and runs when it is (so code written for the
 * synchronous backends runs unchanged: the first `await x.data()` waits for the device). Each
 * eager op and each jitted call is one queue submission, except programs whose control flow
 * waits for predicates (run.ts): they hold the queue until they end, and work issued meanwhile
 * (eager ops, frees, readbacks) runs after them, in order.
 */
export class WebGPUBackend implements Backend, Encoding {
  readonly name = "webgpu";
  readonly runsControlFlow = true;
  private gpu: Gpu | null = null;
  private failure: Error | null = null;
  /** An error the device reported asynchronously (out of memory, validation); raised at the next call. */
  private pendingError: Error | null = null;
  /** Work issued while the device is not ready or a program waits for a predicate, in order. */
  private readonly waiting: Work[] = [];
  /** Whether a program run that waits for predicates holds the queue. */
  private busy = false;
  /** Each program's plan (shaders, constants, bodies), made once. */
  private readonly plans = new WeakMap<Program, ProgramPlan>();
  private readonly init: Promise<Gpu>;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly layouts = new Map<string, { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout }>();
  private readonly pool = new Map<number, GPUBuffer[]>();
  private poolBytes = 0;
  private readonly prepared = new WeakMap<object, OpSpec>();
  /** Each shader's parameters (sizes, strides) in a uniform buffer, written once: a spec's values never change. */
  private readonly uniforms = new WeakMap<ShaderSpec, GPUBuffer>();
  /** Counters for tests and the bench: submissions, dispatches, pipelines compiled, pipeline cache hits. */
  readonly stats = { submissions: 0, dispatches: 0, pipelines: 0, pipelineHits: 0 };
  /** Whether a profile is being recorded; the timer exists once the device is, where it has timestamp queries. */
  private profiling = false;
  private timer: GpuTimer | null = null;

  constructor(acquire: () => Promise<Gpu> = acquireGpu) {
    this.init = acquire().then((g) => { this.attach(g); return g; }, (e: unknown) => {
      this.failure = e instanceof Error ? e : new Error(String(e));
      this.waiting.length = 0;
      throw this.failure;
    });
    this.init.catch(() => { /* reported at the next use */ });
  }

  /** Waits for the device; rejects with the reason when there is no adapter. */
  async ready(): Promise<{ adapter: string; isFallback: boolean; features: string[]; limits: GpuLimits }> {
    const g = await this.init;
    return { adapter: g.adapterName, isFallback: g.isFallback, features: [...g.features], limits: g.limits };
  }

  /** The device, once acquired (tests use it to simulate a device loss). */
  get device(): GPUDevice | null { return this.gpu?.device ?? null; }

  /** The adapter's name, once known. */
  get adapterName(): string { return this.gpu?.adapterName ?? "(device not acquired yet)"; }

  private attach(g: Gpu) {
    this.gpu = g;
    g.device.lost.then((info) => {
      this.failure = new Error(`webgpu: the device on adapter "${g.adapterName}" was lost (${info.reason}${info.message ? `: ${info.message}` : ""}); arrays on it are gone. Restart the process to get a new device, or use another backend.`);
    });
    g.device.onuncapturederror = (ev) => {
      const e = ev.error;
      const oom = typeof GPUOutOfMemoryError !== "undefined" && e instanceof GPUOutOfMemoryError;
      this.pendingError ??= new Error(oom
        ? `webgpu: out of memory on adapter "${g.adapterName}": ${e.message}`
        : `webgpu: the adapter "${g.adapterName}" reported an error: ${e.message}`);
    };
    // Work recorded before the device was ready; an error in it is raised at the next call.
    this.drain();
  }

  /** Throws the device's failure or an error it reported since the last call. */
  private check(): void {
    if (this.failure) throw new Error(this.failure.message, { cause: this.failure });
    const e = this.pendingError;
    if (e) { this.pendingError = null; throw e; }
  }

  /** Runs device work now, or in order once the device is ready and no program waits. */
  private whenReady(f: Work): void {
    this.check();
    this.enqueue(f);
  }

  private enqueue(f: Work): void {
    if (this.gpu && !this.busy && this.waiting.length === 0) this.start(this.gpu, f);
    else this.waiting.push(f);
  }

  /** Runs work; asynchronous work (a program waiting for predicates) holds the queue until it ends. */
  private start(g: Gpu, f: Work): void {
    const r = f(g);
    if (!r) return;
    this.busy = true;
    r.catch((e: unknown) => { this.pendingError ??= asError(e); }).finally(() => { this.busy = false; this.drain(); });
  }

  /** Runs queued work in order, until some of it waits; an error in it is raised at the next call. */
  private drain(): void {
    const g = this.gpu;
    while (g && !this.busy && this.waiting.length) {
      const f = this.waiting.shift()!;
      try { this.start(g, f); } catch (e) { this.pendingError ??= asError(e); }
    }
  }

  private limits(): GpuLimits { return this.gpu?.limits ?? DEFAULT_LIMITS; }
  /** Whether reductions use subgroup operations (shaders made before the device is ready do not). */
  private subgroups(): boolean { return this.gpu?.features.has("subgroups") ?? false; }

  /**
   * The pipeline cache: pipelines are keyed by their WGSL, which holds a kernel's structure and
   * not its sizes (those are parameters), so shapes of one structure share a pipeline.
   */
  pipelineCacheStats(): { pipelines: number; compiled: number; hits: number } {
    return { pipelines: this.pipelines.size, compiled: this.stats.pipelines, hits: this.stats.pipelineHits };
  }

  // ---- memory -------------------------------------------------------------------------------
  private alloc(g: Gpu, bytes: number): GPUBuffer {
    const size = Math.ceil(bytes / 256) * 256;
    const pooled = this.pool.get(size)?.pop();
    if (pooled) { this.poolBytes -= size; return pooled; }
    if (size > g.limits.maxStorageBufferBindingSize || size > g.limits.maxBufferSize) {
      throw new Error(`webgpu: out of memory: an array of ${bytes} bytes is larger than the adapter "${g.adapterName}" allows in one buffer (${Math.min(g.limits.maxStorageBufferBindingSize, g.limits.maxBufferSize)} bytes)`);
    }
    const device = g.device;
    device.pushErrorScope("out-of-memory");
    const buf = device.createBuffer({ size, usage: STORAGE | COPY_SRC | COPY_DST });
    void device.popErrorScope().then((err) => {
      if (err) this.pendingError ??= new Error(`webgpu: out of memory on adapter "${g.adapterName}" allocating ${bytes} bytes: ${err.message}`);
    });
    return buf;
  }

  /** Gives a buffer its device memory (and its host values, when it has them). */
  ensure(g: Gpu, b: WebGPUBuffer): GPUBuffer {
    if (b.error) throw new Error(b.error.message, { cause: b.error });
    if (b.released) throw new Error("internal: webgpu buffer used after free");
    if (b.gpu) return b.gpu;
    const gb = (b.gpu = this.alloc(g, b.bytes));
    if (b.host && b.host.length > 0) {
      const h = b.host;
      const data = b.aval.dtype === "bool" ? Uint32Array.from(h) : h;
      g.device.queue.writeBuffer(gb, 0, data.buffer, data.byteOffset, data.byteLength);
    }
    return gb;
  }

  /** Returns a buffer's memory to the pool (work recorded after may reuse it; WebGPU orders it after the work before). */
  release(b: WebGPUBuffer): void {
    if (b.released) return;
    b.released = true;
    const gb = b.gpu;
    b.gpu = null;
    if (!gb) return;
    const size = gb.size;
    if (this.poolBytes + size > 256 * 1024 * 1024) { gb.destroy(); return; }
    let list = this.pool.get(size);
    if (!list) this.pool.set(size, (list = []));
    list.push(gb);
    this.poolBytes += size;
  }

  upload(data: TypedArray, aval: ShapedArray): Buffer {
    this.check();
    wgslType(aval.dtype); // float64 throws, saying why
    return new WebGPUBuffer(deviceBytes(aval), aval, data.slice());
  }

  free(buf: Buffer): void {
    const b = wb(buf);
    if (this.failure) { b.released = true; return; }
    // In order: a program still running may read it.
    this.enqueue(() => this.release(b));
  }

  /** Whether a synchronous read can answer now: only for values already on the host. */
  canReadSync(buf: Buffer): boolean { return wb(buf).host !== null || wb(buf).aval.size === 0; }

  downloadSync(buf: Buffer, aval: ShapedArray): TypedArray {
    const h = wb(buf).host;
    if (h) return h.slice();
    if (aval.size === 0) return typedArrayFor(aval.dtype, 0);
    throw new Error(`the values of this ${SHORT_NAME[aval.dtype]}[${aval.shape.join(",")}] array are on the webgpu device, which reads asynchronously: \`await x.data()\` reads them (after which dataSync(), tolist(), item() and printing work on that array)`);
  }

  async download(buf: Buffer, aval: ShapedArray): Promise<TypedArray> {
    const b = wb(buf);
    if (b.host) return b.host.slice();
    const g = await this.init;
    this.check();
    if (aval.size === 0) { b.host = typedArrayFor(aval.dtype, 0); return typedArrayFor(aval.dtype, 0); }
    // In queue order: after the work that fills it, even a program still waiting for a predicate.
    const staging = await new Promise<GPUBuffer>((resolve, reject) => this.enqueue(() => {
      try { resolve(this.copyOut(g, b)); } catch (e) { reject(asError(e)); }
    }));
    this.check();
    try {
      await staging.mapAsync(MAP_MODE_READ);
    } catch (e) {
      this.check();
      throw new Error(`webgpu: reading back from adapter "${g.adapterName}" failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    const raw = staging.getMappedRange().slice(0, aval.size * 4);
    staging.unmap();
    staging.destroy();
    this.check();
    const host = typedArrayFor(aval.dtype, aval.size);
    if (aval.dtype === "bool") host.set(new Uint32Array(raw));
    else host.set(new (host.constructor as Float32ArrayConstructor)(raw));
    b.host = host; // values never change once computed: later synchronous reads may use them
    // While profiling, an awaited result also brings the kernel times of the work before it.
    await this.timer?.settled();
    return host.slice();
  }

  /** A staging copy of a buffer, submitted. */
  private copyOut(g: Gpu, b: WebGPUBuffer): GPUBuffer {
    const src = this.ensure(g, b);
    const staging = g.device.createBuffer({ size: b.bytes, usage: MAP_READ | COPY_DST });
    const enc = g.device.createCommandEncoder();
    enc.copyBufferToBuffer(src, 0, staging, 0, b.bytes);
    g.device.queue.submit([enc.finish()]);
    this.stats.submissions++;
    return staging;
  }

  // ---- kernels --------------------------------------------------------------------------------
  private pipeline(g: Gpu, spec: ShaderSpec): { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout } {
    const uniform = spec.params.length > 0;
    const lkey = `${spec.numInputs}/${spec.outputs.length}${uniform ? "/u" : ""}`;
    let layout = this.layouts.get(lkey);
    if (!layout) {
      const entries: GPUBindGroupLayoutEntry[] = [];
      const storage = spec.numInputs + spec.outputs.length;
      for (let i = 0; i < storage; i++) {
        entries.push({ binding: i, visibility: 4 /* COMPUTE */, buffer: { type: i < spec.numInputs ? "read-only-storage" : "storage" } });
      }
      if (uniform) entries.push({ binding: storage, visibility: 4 /* COMPUTE */, buffer: { type: "uniform" } });
      const group = g.device.createBindGroupLayout({ entries });
      layout = { group, pipeline: g.device.createPipelineLayout({ bindGroupLayouts: [group] }) };
      this.layouts.set(lkey, layout);
    }
    let p = this.pipelines.get(spec.code);
    if (!p) {
      const module = g.device.createShaderModule({ code: spec.code, label: spec.label });
      p = g.device.createComputePipeline({ layout: layout.pipeline, compute: { module, entryPoint: "main" }, label: spec.label });
      this.pipelines.set(spec.code, p);
      this.stats.pipelines++;
    } else this.stats.pipelineHits++;
    return { pipeline: p, layout: layout.group };
  }

  dispatch(g: Gpu, pass: GPUComputePassEncoder, spec: OpSpec, ins: readonly WebGPUBuffer[], outs: readonly WebGPUBuffer[]) {
    for (const o of outs) this.ensure(g, o);
    if (spec.outputs.every((a) => a.size === 0)) return;
    if (isMultiPass(spec)) return this.dispatchPasses(g, pass, spec, ins, outs);
    this.dispatchOne(g, pass, spec, ins, outs);
  }

  /** A multi-pass op (passes.ts): its scratch from the pool, its passes in order, the scratch returned. */
  private dispatchPasses(g: Gpu, pass: GPUComputePassEncoder, spec: MultiPassSpec, ins: readonly WebGPUBuffer[], outs: readonly WebGPUBuffer[]) {
    const scratch = spec.scratch.map(emptyBuffer);
    try {
      for (const p of spec.passes) {
        const bind = (refs: typeof p.ins) => refs.map((r) => resolveRef(r, ins, outs, scratch));
        this.dispatchOne(g, pass, p.shader, bind(p.ins), bind(p.outs));
      }
    } finally {
      for (const b of scratch) this.release(b);
    }
  }

  private dispatchOne(g: Gpu, pass: GPUComputePassEncoder, spec: ShaderSpec, ins: readonly WebGPUBuffer[], outs: readonly WebGPUBuffer[]) {
    const storageLimit = g.limits.maxStorageBuffersPerShaderStage;
    if (ins.length + outs.length > storageLimit) {
      throw new NotOnWebGPU(`a ${spec.label} kernel with ${ins.length + outs.length} buffers (more than the ${storageLimit} storage buffers adapter "${g.adapterName}" binds per shader) is not yet on webgpu`);
    }
    const { pipeline, layout } = this.pipeline(g, spec);
    const entries = [...ins, ...outs].map((b, i) => ({ binding: i, resource: { buffer: this.ensure(g, b) } }));
    if (spec.params.length) entries.push({ binding: entries.length, resource: { buffer: this.uniformOf(g, spec) } });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, g.device.createBindGroup({ layout, entries }));
    pass.dispatchWorkgroups(spec.grid[0], spec.grid[1], spec.grid[2]);
    this.stats.dispatches++;
  }

  private uniformOf(g: Gpu, spec: ShaderSpec): GPUBuffer {
    let u = this.uniforms.get(spec);
    if (!u) {
      u = g.device.createBuffer({ size: spec.params.byteLength, usage: UNIFORM | COPY_DST });
      g.device.queue.writeBuffer(u, 0, spec.params.buffer, spec.params.byteOffset, spec.params.byteLength);
      this.uniforms.set(spec, u);
    }
    return u;
  }

  /** One dispatch as one submission (eager ops, steps of programs the engine runs). */
  private runOne(spec: OpSpec, ins: readonly WebGPUBuffer[]): WebGPUBuffer[] {
    const outs = spec.outputs.map((a) => new WebGPUBuffer(deviceBytes(a), a, null));
    this.whenReady((g) => {
      for (const b of ins) this.ensure(g, b);
      const enc = g.device.createCommandEncoder();
      const pass = enc.beginComputePass();
      this.dispatch(g, pass, spec, ins, outs);
      pass.end();
      g.device.queue.submit([enc.finish()]);
      this.stats.submissions++;
    });
    return outs;
  }

  execute<P extends Primitive>(prim: P, params: ParamsOf<P>, inputs: readonly Buffer[], inAvals: readonly ShapedArray[], outAvals: readonly ShapedArray[], question?: object): Buffer[] {
    this.check();
    let spec = question ? this.prepared.get(question) : undefined;
    if (!spec) {
      spec = opShader(prim, params, inAvals, outAvals, this.limits(), this.subgroups());
      if (question) this.prepared.set(question, spec);
    }
    return this.runOne(spec, inputs as WebGPUBuffer[]);
  }

  runKernel(kernel: FusedKernel, inputs: readonly Buffer[]): Buffer {
    this.check();
    return this.runOne(this.fusedSpec(kernel), inputs as WebGPUBuffer[])[0]!;
  }

  private fusedSpec(kernel: FusedKernel, label?: string): OpSpec {
    let spec = this.prepared.get(kernel);
    if (!spec) {
      for (const a of [...kernel.inputs, kernel.output]) wgslType(a.dtype);
      spec = fusedShader(kernel, this.limits(), label, this.subgroups());
      this.prepared.set(kernel, spec);
    }
    return spec;
  }

  /**
   * A whole program, planned once (plan.ts). A call records it (run.ts): one submission, or
   * one per predicate its control flow waits for; the outputs are handed back at once.
   */
  compile(program: Program, lowerBody?: LowerBody): Executable {
    const plan = this.planOf(program, lowerBody);
    return { run: (inputs) => this.runProgram(plan, inputs as WebGPUBuffer[]) };
  }

  private planOf(program: Program, lowerBody: LowerBody | undefined): ProgramPlan {
    let plan = this.plans.get(program);
    if (!plan) {
      plan = planProgram(program, {
        fusedSpec: (k, label) => this.fusedSpec(k, label),
        opSpec: (s: OpStep, p) => opShader(s.prim, s.params, s.inputs.map((i) => p.slots[i]!), s.outputs.map((i) => p.slots[i]!), this.limits(), this.subgroups()),
        upload: (data, aval) => this.upload(data, aval) as WebGPUBuffer,
        bodyPlan: (body) => this.planOf(body, lowerBody),
      }, lowerBody);
      this.plans.set(program, plan);
    }
    return plan;
  }

  private runProgram(plan: ProgramPlan, inputs: readonly WebGPUBuffer[]): WebGPUBuffer[] {
    this.check();
    const inst = instantiate(plan, inputs, true);
    // Bound now, inside the jit call, though the times arrive after it returned.
    const report = this.profiling && !plan.hasControl ? hook.recorder?.deviceStepsLater?.() : undefined;
    this.whenReady((g) => {
      // Memory for what is read first, before recording (host values are written at once).
      for (const b of inputs) this.ensure(g, b);
      for (const b of plan.allConsts) this.ensure(g, b);
      const rec = new Recorder(this, g);
      const timer = report ? this.gpuTimer(g) : null;
      const timing = timer ? { timer, run: timer.begin(plan.dispatches) } : undefined;
      const end = () => {
        const collect = timing ? timing.timer.finish(rec.encoder(), timing.run) : null;
        rec.submit();
        collect?.(performance.now(), plan.program, report!);
      };
      const r = runPlan(rec, plan, inst, timing);
      if (!r) return end();
      return r.then(end, (e: unknown) => {
        // Its outputs will never be filled: using them raises why.
        for (const o of inst.outs) o.error = asError(e);
        throw e;
      });
    });
    return [...inst.outs];
  }

  // ---- profiling: kernel times from timestamp queries (timer.ts) --------------------------------
  startProfiling(): void {
    this.profiling = true;
    if (this.timer) this.timer.unresolvedAtStop = this.timer.untimedSteps = 0;
  }

  stopProfiling(): void {
    this.timer?.noteStop();
    this.profiling = false;
  }

  /** The timer, on a device with timestamp queries (made at the first timed run). */
  private gpuTimer(g: Gpu): GpuTimer | null {
    if (!g.features.has("timestamp-query")) return null;
    return (this.timer ??= new GpuTimer(g.device));
  }

  /** Says once what the profile's webgpu times are, and what they are not. */
  profilingNotes(): string[] {
    const notes: string[] = [];
    const issue = "webgpu eager ops and jit executions are timed from JavaScript: the time to issue the work, which the GPU runs asynchronously";
    if (this.gpu && !this.gpu.features.has("timestamp-query")) {
      notes.push(`${issue}; the adapter "${this.gpu.adapterName}" has no timestamp-query, so GPU kernel times are not measured.`);
    } else {
      notes.push(`${issue}; the steps of jitted programs carry the GPU's kernel times (timestamp queries).`);
    }
    const t = this.timer;
    if (t && t.unresolvedAtStop > 0) notes.push(`webgpu: the kernel times of ${t.unresolvedAtStop} program run(s) had not been read back when the profile stopped: await a result (x.data()) inside the profiled code to include them.`);
    if (t && t.untimedSteps > 0) notes.push(`webgpu: ${t.untimedSteps} step(s) of programs longer than 2048 dispatches were not timed.`);
    return notes;
  }
}
