/// <reference types="@webgpu/types" />
import type { TypedArray } from "../../dtype.js";
import type { ShapedArray } from "../../ir/aval.js";

/**
 * A buffer of this backend. Its device memory is allocated when first used (the device may not
 * be ready yet when the array is made, or the program that fills it may still be waiting on a
 * predicate); `host` holds its values when they are known on the host (uploaded, or read back
 * once), which is what synchronous reads may return. `error` is set when the program that was
 * to fill it failed: using it raises that error instead of reading memory nothing wrote.
 */
export class WebGPUBuffer {
  gpu: GPUBuffer | null = null;
  released = false;
  error: Error | null = null;
  constructor(readonly bytes: number, readonly aval: ShapedArray, public host: TypedArray | null) {}
}

/** Device bytes of an array: every dtype is 32 bits wide on the device (bool as u32, float16 as f32). */
export const deviceBytes = (aval: ShapedArray) => Math.max(4, aval.size * 4);

/** A new buffer for an array of this aval, filled later by the work that writes it. */
export const emptyBuffer = (aval: ShapedArray) => new WebGPUBuffer(deviceBytes(aval), aval, null);

/**
 * Moves `from`'s memory and host values into `to` (a program's output buffer made before the
 * work that fills it ran: a control-flow step's result arrives in buffers its body made).
 */
export function adopt(to: WebGPUBuffer, from: WebGPUBuffer): void {
  to.gpu = from.gpu;
  to.host = from.host;
  from.gpu = null;
  from.released = true;
}
