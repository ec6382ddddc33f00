import type { Block } from "./pool.js";

// A native buffer and the accounting of native memory, apart from the backend so that the
// program compiler (program.ts) makes buffers without importing the backend that imports it.

/**
 * Memory the addon addresses by pointer: either a 64-byte-aligned native block (freed by
 * free(), or by the engine's finalizer), or, for buffers up to HEAP_MAX_BYTES, a JavaScript
 * ArrayBuffer whose backing-store address the addon read once (`ab` keeps it alive; V8 does
 * not move backing stores): the whole of it, or a slice at `offset` of a shared slab
 * (`inSlab`, slab.ts), or a block of the pool (`block`, pool.ts) from POOL_MIN_BYTES. Heap
 * buffers need no finalizer: the collector reclaims them with their array (pool blocks come
 * back to the pool through its own registry).
 */
export class NativeBuffer {
  constructor(public ptr: number, readonly bytes: number, public ab?: ArrayBuffer, readonly offset = 0, readonly inSlab = false, public block?: Block) {
    if (!ab) trackExternal(bytes);
  }
}


/**
 * Native blocks are reported to V8 as external memory, so that garbage collection (and with it
 * the finalizers that free them) keeps up with native allocation in loops that never call
 * dispose(). Growth is reported as it happens, in steps of at least 1 MiB; shrinkage only once
 * the process is idle (settleExternal, from the backend's idle timer). Reporting every free at
 * once made a loop that allocates and disposes a 128 MiB block per step look like 128 MiB of
 * fresh pressure each step: V8 ran a full collection per step, its marking threads competing
 * with the kernels for the cores (a 32M-element jit chain 19 ms instead of 13).
 */
let liveExternal = 0, reportedExternal = 0;
let reportExternal: ((delta: number) => void) | undefined;
/** The addon's V8 external-memory adjustment (set when the backend is made). */
export function setExternalReporter(report: (delta: number) => void) { reportExternal = report; }
export function trackExternal(delta: number) {
  liveExternal += delta;
  if (reportExternal && liveExternal - reportedExternal >= 1 << 20) {
    reportExternal(liveExternal - reportedExternal);
    reportedExternal = liveExternal;
  }
}
export function settleExternal() {
  if (reportExternal && liveExternal !== reportedExternal) {
    reportExternal(liveExternal - reportedExternal);
    reportedExternal = liveExternal;
  }
}

/**
 * Buffers up to this many bytes live on the JavaScript heap (env TENSORLENS_HEAP_MAX
 * overrides): eager outputs, uploads and jit program outputs. V8 frees ArrayBuffers during
 * garbage collection, also inside a synchronous loop, and counts them as external memory, so
 * a loop that never calls dispose() stays bounded; finalizers, by contrast, run only after
 * the current job. 64 MiB covers the arrays of ordinary models; larger buffers are native
 * blocks freed by dispose() or the finalizer. Heap buffers need no finalizer and are not
 * counted in liveBytes.
 */
export const HEAP_MAX_BYTES = (() => {
  const e = typeof process !== "undefined" ? process.env.TENSORLENS_HEAP_MAX : undefined;
  const v = e === undefined || e === "" ? NaN : Number(e);
  return Number.isFinite(v) && v >= 0 ? v : 64 << 20;
})();
/** Whether a buffer of this many bytes lives on the JavaScript heap. */
export const onHeap = (bytes: number) => bytes > 0 && bytes <= HEAP_MAX_BYTES;
