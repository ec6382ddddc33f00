/// <reference types="@webgpu/types" />
import type { Gpu } from "./device.js";
import type { OpSpec } from "./passes.js";
import type { WebGPUBuffer } from "./buffer.js";
import { storageType } from "./wgsl.js";

// GPUBufferUsage / GPUMapMode values (the globals exist only once Dawn's are installed).
const COPY_DST = 0x08, MAP_READ = 0x01, MAP_MODE_READ = 0x01;

/** What recording needs of the backend: device memory for buffers, and dispatching a shader. */
export interface Encoding {
  ensure(g: Gpu, b: WebGPUBuffer): GPUBuffer;
  release(b: WebGPUBuffer): void;
  dispatch(g: Gpu, pass: GPUComputePassEncoder, spec: OpSpec, ins: readonly WebGPUBuffer[], outs: readonly WebGPUBuffer[]): void;
  readonly stats: { submissions: number };
}

/**
 * The commands of one program run, encoded in order. Dispatches share one compute pass until a
 * copy needs the encoder; everything recorded so far is submitted only when a value must be
 * read on the host (a predicate) or the run ends, so a program without data-dependent control
 * flow is one submission.
 */
export class Recorder {
  private enc: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  constructor(readonly be: Encoding, readonly g: Gpu) {}

  encoder(): GPUCommandEncoder { return (this.enc ??= this.g.device.createCommandEncoder()); }

  endPass(): void { this.pass?.end(); this.pass = null; }

  dispatch(spec: OpSpec, ins: readonly WebGPUBuffer[], outs: readonly WebGPUBuffer[]): void {
    this.pass ??= this.encoder().beginComputePass();
    this.be.dispatch(this.g, this.pass, spec, ins, outs);
  }

  /** A dispatch in its own pass (a timed one: timestamps are written per pass). */
  dispatchIn(desc: GPUComputePassDescriptor, spec: OpSpec, ins: readonly WebGPUBuffer[], outs: readonly WebGPUBuffer[]): void {
    this.endPass();
    const p = this.encoder().beginComputePass(desc);
    this.be.dispatch(this.g, p, spec, ins, outs);
    p.end();
  }

  copy(from: WebGPUBuffer, fromOffset: number, to: WebGPUBuffer, toOffset: number, bytes: number): void {
    if (bytes === 0) return;
    this.endPass();
    this.encoder().copyBufferToBuffer(this.be.ensure(this.g, from), fromOffset, this.be.ensure(this.g, to), toOffset, bytes);
  }

  submit(): void {
    this.endPass();
    if (!this.enc) return;
    this.g.device.queue.submit([this.enc.finish()]);
    this.enc = null;
    this.be.stats.submissions++;
  }

  /**
   * The first element of a buffer on the host: at once when its values are there, otherwise
   * after submitting what was recorded and mapping a copy (the only wait in a program run).
   */
  readScalar(b: WebGPUBuffer): number | Promise<number> {
    if (b.host) return Number(b.host[0]);
    const staging = this.g.device.createBuffer({ size: 4, usage: MAP_READ | COPY_DST });
    this.endPass();
    this.encoder().copyBufferToBuffer(this.be.ensure(this.g, b), 0, staging, 0, 4);
    this.submit();
    const t = storageType(b.aval.dtype);
    return staging.mapAsync(MAP_MODE_READ).then(() => {
      const raw = staging.getMappedRange(0, 4).slice(0);
      staging.unmap();
      staging.destroy();
      return (t === "f32" ? new Float32Array(raw) : t === "i32" ? new Int32Array(raw) : new Uint32Array(raw))[0]!;
    });
  }
}
