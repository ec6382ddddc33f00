import type { Expr, FusedKernel } from "../kernel.js";
import { storageBytes } from "./codes.js";
import { contiguousStrides } from "../reference/strided.js";

/**
 * Which inputs of a compiled program an output may be written into when they are donated
 * (jit's donateArgnums): decided once per program from its native steps, so that a call only
 * matches donated buffers to outputs.
 *
 * Output slot `o` may live in input slot `i`'s memory when they have the same size and `i` is
 * not read after `o` is first written: every read of `i` comes before the step that defines
 * `o`, or that step is an elementwise fused kernel that reads `i` only at the index it writes
 * (same iteration shape, identity strides, same element size): the evaluator reads each block
 * of its inputs before it writes that block of its output, and threads own disjoint blocks.
 * A GEMM, a transposing or broadcasting load, or a reduction reading `i` while writing `o` is
 * not in place, so such an output gets its own memory. An input that is itself an output
 * (returned unchanged) can only become that output.
 */
export interface DonationStep { readonly ins: readonly number[]; readonly outs: readonly number[]; readonly kernel?: FusedKernel }

export const SLOT_INPUT_KIND = 0, SLOT_FRESH_KIND = 3;

/** Per output position: the input slots it may take over, in order of preference. */
export function donationCandidates(steps: readonly DonationStep[], numInputs: number, outputs: readonly number[], kind: readonly number[], bytes: readonly number[]): number[][] {
  const def = new Map<number, number>(), lastRead = new Array<number>(numInputs).fill(-1);
  steps.forEach((s, k) => {
    for (const o of s.outs) if (!def.has(o)) def.set(o, k);
    for (const i of s.ins) if (i < numInputs) lastRead[i] = k;
  });
  const returned = new Set(outputs.filter((o) => o < numInputs));
  return outputs.map((o, k) => {
    if (outputs.indexOf(o) !== k) return [];  // a repeated output is a copy of the first
    if (kind[o] === SLOT_INPUT_KIND) return [o];  // returned unchanged: it can keep its buffer
    if (kind[o] !== SLOT_FRESH_KIND) return [];
    const d = def.get(o)!;
    const cands: number[] = [];
    for (let i = 0; i < numInputs; i++) {
      if (returned.has(i) || bytes[i] !== bytes[o]) continue;
      if (d > lastRead[i]! || (d === lastRead[i] && readsInPlace(steps[d]!, i, o))) cands.push(i);
    }
    return cands;
  });
}

/**
 * Whether an op's epilogue (a kernel writing slot `o`) reads a program input of `o`'s size at
 * the index it writes: an SGD update `w - lr * (x^T @ d)` fused after the gradient's GEMM. If
 * that input is donated, `o` may live in its memory, but only if the op's result goes to a
 * temporary rather than into `o` (the GEMM would overwrite `w` before the epilogue reads it).
 */
export function epilogueFeedsDonation(kernel: FusedKernel, inputs: readonly number[], o: number, numInputs: number, bytesOfSlot: (s: number) => number): boolean {
  const step = { ins: inputs, outs: [o], kernel };
  return inputs.some((x) => x >= 0 && x < numInputs && bytesOfSlot(x) === bytesOfSlot(o) && readsInPlace(step, x, o));
}

/** Whether step `s` writes only slot `o`, elementwise, reading slot `i` only where it writes. */
function readsInPlace(s: DonationStep, i: number, o: number): boolean {
  const k = s.kernel;
  if (!k || k.reduce !== null || s.outs.length !== 1 || s.outs[0] !== o) return false;
  const item = storageBytes(k.output.dtype);
  const identity = contiguousStrides(k.shape);
  const positions = new Set<number>();
  s.ins.forEach((slot, p) => { if (slot === i) positions.add(p); });
  for (const p of positions) if (k.inputs[p]!.size !== k.output.size || storageBytes(k.inputs[p]!.dtype) !== item) return false;
  return everyLoad(k.expr, (l) => !positions.has(l.input) || (l.offset === 0 && sameStrides(l.strides, identity, k.shape)));
}


/** Strides equal where the axis has more than one index (a size-1 axis's stride is never used). */
function sameStrides(got: readonly number[], want: readonly number[], shape: readonly number[]): boolean {
  if (got.length !== want.length) return false;
  for (let a = 0; a < shape.length; a++) if (shape[a]! > 1 && got[a] !== want[a]) return false;
  return true;
}

type Load = Extract<Expr, { op: "load" }>;
function everyLoad(e: Expr, ok: (l: Load) => boolean): boolean {
  if (e.op === "load") return ok(e);
  if ("args" in e) return e.args.every((a) => everyLoad(a, ok));
  return true;
}
