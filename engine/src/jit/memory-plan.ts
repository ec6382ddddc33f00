/**
 * The memory planner every backend shares: when each buffer slot of a program is live, from the
 * step that first writes it to the step that last reads it. `lower.ts` turns that into the
 * program's free steps (which the executor, executor.ts, and WebGPU's recorder follow), and a
 * backend that places slots in one arena itself (native/program.ts, over its own finer steps)
 * packs the same intervals with `packArena`. Pure over slot numbers: no buffers, no tracing.
 */

/** What a step reads and writes, as slot numbers. */
export interface SlotAccess { readonly ins: readonly number[]; readonly outs: readonly number[] }

/** Per slot: the first step that writes it and the last step that reads it (-1: none). */
export interface Liveness { readonly def: Int32Array; readonly last: Int32Array }

export function liveness(steps: readonly SlotAccess[], numSlots: number): Liveness {
  const def = new Int32Array(numSlots).fill(-1), last = new Int32Array(numSlots).fill(-1);
  for (let k = 0; k < steps.length; k++) {
    const s = steps[k]!;
    for (const o of s.outs) if (def[o] === -1) def[o] = k;
    for (const i of s.ins) last[i] = k;
  }
  return { def, last };
}

/**
 * Where to release each written slot not in `keep` (outputs, inputs, constants): after its last
 * read, or right after it is made when nothing reads it. Slots are listed in the order they are
 * first written, so printed programs are stable.
 */
export function freePoints(steps: readonly SlotAccess[], numSlots: number, keep: (slot: number) => boolean): Map<number, number[]> {
  const { def, last } = liveness(steps, numSlots);
  const at = new Map<number, number[]>();
  const seen = new Set<number>();
  for (const s of steps) {
    for (const slot of s.outs) {
      if (seen.has(slot)) continue;
      seen.add(slot);
      if (keep(slot)) continue;
      const k = last[slot]! >= 0 ? last[slot]! : def[slot]!;
      const list = at.get(k);
      if (list) list.push(slot); else at.set(k, [slot]);
    }
  }
  return at;
}

/**
 * Places `slots` in one arena so that slots whose live intervals overlap never share bytes:
 * greedy first fit, largest first, at `align`-byte offsets. Answers each slot's offset (-1 for
 * slots not placed) and the arena's size.
 */
export function packArena(slots: readonly number[], bytes: readonly number[], live: Liveness, align = 64): { offsets: number[]; size: number } {
  const offsets = new Array<number>(bytes.length).fill(-1);
  const placed: { off: number; end: number; from: number; to: number }[] = [];
  let size = 0;
  const order = [...slots].sort((a, b) => bytes[b]! - bytes[a]!);
  for (const s of order) {
    const from = live.def[s]!, to = Math.max(live.last[s]!, from);
    const need = Math.ceil(Math.max(bytes[s]!, 1) / align) * align;
    const clashes = placed.filter((p) => p.from <= to && from <= p.to).sort((a, b) => a.off - b.off);
    let off = 0;
    for (const p of clashes) { if (off + need <= p.off) break; off = Math.max(off, p.end); }
    placed.push({ off, end: off + need, from, to });
    offsets[s] = off;
    size = Math.max(size, off + need);
  }
  return { offsets, size };
}
