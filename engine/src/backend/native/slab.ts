/**
 * Small buffers carved from shared ArrayBuffers. Creating an ArrayBuffer costs ~0.3 µs in V8
 * (a backing store plus its garbage-collection bookkeeping), as much as a small op itself, and
 * eager code makes one per op. Outputs up to SMALL_MAX_BYTES instead take the next 64-byte
 * slice of the current slab (a bump pointer, as Node's Buffer pool does); a slab is reclaimed
 * by the collector once no array holds a slice of it, so a long-lived small array keeps at
 * most one SLAB_BYTES slab alive.
 */
export const SMALL_MAX_BYTES = 1024;
export const SLAB_BYTES = 16 << 10;
const ALIGN = 64;

export class SlabAllocator {
  /** The slab the last alloc() carved from, and the slice's offset in it. */
  slab!: ArrayBuffer;
  offset = 0;
  private base = 0;  // the slab's backing-store address
  private next = 0;
  private limit = 0;

  constructor(private readonly addressOf: (ab: ArrayBuffer) => number) {}

  /** Carves `bytes` (1..SMALL_MAX_BYTES) and returns the slice's address; `slab` and `offset` say where it is. */
  alloc(bytes: number): number {
    if (this.next + bytes > this.limit) this.fresh();
    const off = this.next;
    this.next = off + ((bytes + ALIGN - 1) & -ALIGN);
    this.offset = off;
    return this.base + off;
  }

  private fresh(): void {
    this.slab = new ArrayBuffer(SLAB_BYTES + ALIGN);
    this.limit = SLAB_BYTES + ALIGN;
    const addr = this.addressOf(this.slab);
    if (!addr) throw new Error("native backend: no address for a slab ArrayBuffer");
    // Slices start on 64-byte boundaries (the backing store itself is only 16-byte aligned).
    this.base = addr;
    this.next = (ALIGN - (addr % ALIGN)) % ALIGN;
  }
}
