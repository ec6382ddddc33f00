/**
 * A caching allocator for large heap buffers (as PyTorch's for CUDA memory). A fresh large
 * ArrayBuffer is fresh pages from the system: every 4 KiB faults in on first touch, which for a
 * 16 MiB output costs ~3x the memory-bound op that fills it (a 16 MiB copy into a reused
 * buffer 0.64 ms, into a fresh one 2.0 ms). Outputs of POOL_MIN_BYTES and more are instead
 * carved from blocks of a few size classes; a block whose array is disposed, donated or
 * garbage-collected comes back here and the next allocation of its class takes it, still in
 * cache and already faulted in. Nothing is zero-filled: every native op writes all of its output.
 *
 * Bounded: at most `capBytes` are held, the least recently returned blocks released first
 * (detached, so their memory goes back at once); blocks idle for a second are released when the
 * event loop runs (`releaseIdle`), so a process that waits holds none.
 *
 * Never aliased: a block is handed out again only once the NativeBuffer that owned it is dead:
 * freed by the backend (dispose, donation: the buffer is marked freed and every array sharing it
 * throws on use) or unreachable (the FinalizationRegistry target is the NativeBuffer itself, so
 * an array borrowing it keeps the block out of the pool). The backend's zero-copy views of a
 * buffer (`NativeBackend.view`) live only during a reference-kernel call; reads return copies.
 */
export const POOL_MIN_BYTES = 1 << 20;
const ALIGN = 64;

/** The size class of a request: rounded up to an eighth of its power of two (<= 12.5% slack). */
export function sizeClass(bytes: number): number {
  const step = Math.max(ALIGN, 2 ** Math.floor(Math.log2(bytes)) / 8);
  return Math.ceil(bytes / step) * step;
}

/** A pooled block: the ArrayBuffer, its backing store's address and the first 64-byte boundary in it. */
export interface Block { readonly ab: ArrayBuffer; readonly base: number; readonly offset: number; readonly cls: number }

export interface PoolStats {
  /** Allocations served from the pool / by a fresh block. */
  hits: number;
  misses: number;
  /** Blocks and bytes held for reuse now, and the cap on them. */
  heldBlocks: number;
  heldBytes: number;
  capBytes: number;
  /** Blocks that came back through dispose/donation, and through the collector. */
  returnedByFree: number;
  returnedByGC: number;
  /** Bytes released to the system to hold the cap or because they sat idle. */
  releasedBytes: number;
  /** Bytes of live blocks whose return on collection is tracked (bounded by capBytes). */
  trackedBytes: number;
}

export class BlockPool {
  private readonly free = new Map<number, Block[]>();  // per class, most recently returned last
  /** Every held block in the order it came back (oldest first), with when. */
  private readonly lru = new Map<Block, number>();
  private readonly registry: FinalizationRegistry<Block>;
  private s: PoolStats;

  constructor(
    capBytes: number,
    private readonly addressOf: (ab: ArrayBuffer) => number,
    private readonly newBuffer: (bytes: number) => ArrayBuffer,
    private readonly release: (ab: ArrayBuffer) => void,
    /** Called when a block comes back (the backend arms its idle release). */
    private readonly onReturn: () => void = () => {},
  ) {
    this.s = { hits: 0, misses: 0, heldBlocks: 0, heldBytes: 0, capBytes, returnedByFree: 0, returnedByGC: 0, releasedBytes: 0, trackedBytes: 0 };
    // Arrays left to the collector return their block when their buffer object dies. The
    // registry holds the block until then (finalizers run only after the current job), so only
    // up to capBytes of live blocks are tracked; beyond that a block is left to the collector.
    this.registry = new FinalizationRegistry((b) => {
      this.s.trackedBytes -= b.cls;
      this.s.returnedByGC++;
      this.put(b);
    });
  }

  stats(): PoolStats { return { ...this.s }; }

  /** A block of `cls` bytes (a size class), from the pool or fresh; `track` it to its owner next. */
  take(cls: number): Block {
    const list = this.free.get(cls);
    let b = list?.pop();
    if (b) {
      this.lru.delete(b);
      this.s.heldBlocks--;
      this.s.heldBytes -= cls;
      this.s.hits++;
    } else {
      const ab = this.newBuffer(cls + ALIGN);
      const base = this.addressOf(ab);
      b = { ab, base, offset: (ALIGN - (base % ALIGN)) % ALIGN, cls };
      this.s.misses++;
    }
    return b;
  }

  /** `owner` (the buffer object) holds `b`: when it is collected, `b` comes back. */
  track(b: Block, owner: object): void {
    if (this.s.trackedBytes + b.cls > this.s.capBytes) return;
    this.registry.register(owner, b, owner);
    this.s.trackedBytes += b.cls;
  }

  /** The owner of `b` was freed explicitly: its block is reusable now. */
  giveBack(b: Block, owner: object): void {
    if (this.registry.unregister(owner)) this.s.trackedBytes -= b.cls;
    this.s.returnedByFree++;
    this.put(b);
  }

  /** The owner of `b` hands the block to another owner (donation): no return, tracking moves. */
  transfer(b: Block, from: object, to: object): void {
    if (this.registry.unregister(from)) this.registry.register(to, b, to);
  }

  private put(b: Block): void {
    if (b.cls > this.s.capBytes) { this.drop(b); return; }
    let list = this.free.get(b.cls);
    if (!list) this.free.set(b.cls, (list = []));
    list.push(b);
    this.lru.set(b, performance.now());
    this.s.heldBlocks++;
    this.s.heldBytes += b.cls;
    while (this.s.heldBytes > this.s.capBytes) this.evictOldest();
    this.onReturn();
  }

  private evictOldest(): void {
    const first = this.lru.keys().next();
    if (first.done) return;
    const b = first.value;
    const list = this.free.get(b.cls)!;
    list.splice(list.indexOf(b), 1);
    this.lru.delete(b);
    this.s.heldBlocks--;
    this.s.heldBytes -= b.cls;
    this.drop(b);
  }

  private drop(b: Block): void {
    this.s.releasedBytes += b.cls;
    this.release(b.ab);
  }

  /** Releases blocks held longer than `idleMs`; returns whether any are still held. */
  releaseIdle(idleMs: number): boolean {
    const now = performance.now();
    for (const [, t] of this.lru) {
      if (now - t < idleMs) break;
      this.evictOldest();
    }
    return this.s.heldBlocks > 0;
  }

  /** Releases every held block. */
  clear(): void {
    while (this.s.heldBlocks > 0) this.evictOldest();
  }
}
