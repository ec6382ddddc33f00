import { castScalar, isNarrowed, itemSize, typedArrayFor, type DType, type TypedArray } from "./dtype.js";
import { noteArraySite } from "./sites.js";
import { ShapedArray } from "./ir/aval.js";
import type { Backend, Buffer } from "./backend/interface.js";

/** Bytes held by live arrays in backend memory that needs an explicit free (see Backend.needsFinalizer), per backend. */
const liveBytesByBackend = new Map<string, number>();
export function liveBytes(backend?: string): number {
  if (backend) return liveBytesByBackend.get(backend) ?? 0;
  let n = 0;
  for (const v of liveBytesByBackend.values()) n += v;
  return n;
}
function account(backend: Backend, bytes: number) {
  liveBytesByBackend.set(backend.name, (liveBytesByBackend.get(backend.name) ?? 0) + bytes);
}

interface Held { backend: Backend; buf: Buffer; bytes: number; freed: boolean; donated?: boolean }
// Buffers are released when their array is garbage collected, unless dispose() came first.
const registry = new FinalizationRegistry<Held>((held) => release(held));
function release(held: Held) {
  if (held.freed) return;
  held.freed = true;
  account(held.backend, -held.bytes);
  held.backend.free(held.buf);
}

/**
 * An n-dimensional array on a device. Concrete arrays hold a backend buffer; tracers (inside
 * grad/jit/vmap) are subclasses that hold what their transformation needs. Array methods
 * (x.add(y), x.reshape(...)) are installed by the numpy module.
 */
export class DeviceArray {
  /** @internal */ _held: Held | undefined;
  /** @internal */ _aval: ShapedArray;
  /** @internal A shared constant (see trace/constants.ts scalar): dispose() does not release it. */
  _pinned = false;

  /** @internal Use np.array / np.zeros etc. to make arrays. */
  constructor(aval: ShapedArray, backend?: Backend, buf?: Buffer) {
    this._aval = aval;
    if (backend && buf) {
      // Only memory that needs an explicit free is counted and finalized; the JS heap's own
      // buffers are reclaimed by the collector (and show in process.memoryUsage().arrayBuffers).
      const finalize = backend.needsFinalizer?.(buf) ?? true;
      const bytes = finalize ? aval.size * itemSize(aval.dtype) : 0;
      this._held = { backend, buf, bytes, freed: false };
      if (finalize) {
        account(backend, bytes);
        registry.register(this, this._held, this._held);
      }
    }
  }

  get aval(): ShapedArray { return this._aval; }
  get shape(): number[] { return [...this._aval.shape]; }
  get dtype(): DType { return this._aval.dtype; }
  get ndim(): number { return this._aval.shape.length; }
  get size(): number { return this._aval.size; }
  /** Whether this array came from a JS number (weakly typed, as in JAX). */
  get weakType(): boolean { return this._aval.weak; }
  /** The backend holding the data. */
  get device(): string { return this._held?.backend.name ?? "tracer"; }

  /** @internal The buffer, checking it is still alive. */
  get _buffer(): Buffer {
    const h = this._held;
    if (!h) throw new Error("internal: a tracer has no buffer");
    if (h.freed) {
      if (h.donated) throw new Error(`this array (${this._aval}) was donated to a jitted function (donateArgnums) and deleted; it can no longer be used`);
      throw new Error(`this array (${this._aval}) was disposed and can no longer be used`);
    }
    return h.buf;
  }
  /** @internal */
  get _backend(): Backend {
    if (!this._held) throw new Error("internal: a tracer has no backend");
    return this._held.backend;
  }
  get isDisposed(): boolean { return !!this._held?.freed; }

  /** Copies the data to the host (the portable, asynchronous path). */
  async data(): Promise<TypedArray> {
    return this._backend.download(this._buffer, this._aval);
  }
  /** Synchronous copy to the host, where the backend allows it. */
  dataSync(): TypedArray {
    const b = this._backend;
    if (!b.downloadSync) throw new Error(`dataSync: the ${b.name} backend reads asynchronously; use await x.data()`);
    return b.downloadSync(this._buffer, this._aval);
  }

  /** Releases the buffer now; the array can no longer be used. */
  dispose(): void {
    if (this._held && !this._held.freed && !this._pinned) {
      if (this._held.bytes) registry.unregister(this._held);
      release(this._held);
    }
  }
  [Symbol.dispose](): void { this.dispose(); }
}

/** @internal Wraps a new backend buffer into an array. */
export function wrapBuffer(backend: Backend, buf: Buffer, aval: ShapedArray): DeviceArray {
  const a = new DeviceArray(aval, backend, buf);
  noteArraySite(a);
  return a;
}

/** @internal An array viewing a buffer it does not own (a program's intermediate). */
export function borrowBuffer(backend: Backend, buf: Buffer, aval: ShapedArray): DeviceArray {
  const a = new DeviceArray(aval);
  a._held = { backend, buf, bytes: 0, freed: false };
  return a;
}

/** @internal Takes the buffer out of an array: the caller now owns it and the array is spent. */
export function takeBuffer(a: DeviceArray): Buffer {
  const h = a._held;
  if (!h || h.freed) throw new Error("internal: takeBuffer on an array without a live buffer");
  registry.unregister(h);
  account(h.backend, -h.bytes);
  h.freed = true;
  return h.buf;
}

/**
 * @internal The array's buffer was donated to a jit program (api/donate.ts), which owns it now:
 * the array is deleted without freeing the buffer, and later use says it was donated.
 */
export function markDonated(a: DeviceArray): void {
  const h = a._held;
  if (!h || h.freed) return;
  if (h.bytes) registry.unregister(h);
  account(h.backend, -h.bytes);
  h.freed = true;
  h.donated = true;
}

/** @internal Host storage of the right type for a dtype (16-bit floats and 8/16-bit ints are held widened, see dtype.ts). */
export function hostArray(dtype: DType, values: ArrayLike<number>): TypedArray {
  const out = typedArrayFor(dtype, values.length);
  if (isNarrowed(dtype)) for (let i = 0; i < values.length; i++) out[i] = castScalar(values[i]!, dtype);
  else for (let i = 0; i < values.length; i++) out[i] = values[i]!;
  return out;
}
