import type { DeviceArray } from "../array.js";
import * as l from "../lax/primitives.js";

/**
 * The batch axis of a value and moving it: what vmap's trace (`batching.ts`), `vmapFlat`
 * (`transforms.ts`) and the rules of the primitives that call programs (`ad/control-rules.ts`)
 * all need; a module of its own so the rules do not import the trace that runs them.
 */

/** The batch axis of a value, or null when the value is the same for every example. */
export type BatchDim = number | null;

/** Moves the batch axis of x to `to` (materializing it by broadcasting when x is unbatched). */
export function moveBatchAxis(x: DeviceArray, from: BatchDim, to: number, size: number): DeviceArray {
  if (from === null) {
    const shape = [...x.shape];
    shape.splice(to, 0, size);
    return l.broadcastInDim(x, shape, x.shape.map((_, i) => (i < to ? i : i + 1)));
  }
  if (from === to) return x;
  const perm = x.shape.map((_, i) => i).filter((i) => i !== from);
  perm.splice(to, 0, from);
  return l.transpose(x, perm);
}
