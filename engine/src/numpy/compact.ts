import type { DeviceArray } from "../array.js";
import * as l from "../lax/primitives.js";
import { scalar } from "../trace/constants.js";
import { LocatedTypeError } from "./checks.js";

// Internal (not a public np function): the static-size compaction behind size= on nonzero,
// argwhere, flatnonzero and unique.
/**
 * The positions where `keep` is true, in order, compacted into `size` slots: each kept element
 * goes to slot (number of kept elements before it), the rest to an out-of-range slot that
 * scatter drops. Returns, per value array given, that array's entries at the kept positions.
 */
export function compact(keep: DeviceArray, values: readonly DeviceArray[], size: number, fill: number): DeviceArray[] {
  if (!Number.isInteger(size) || size < 0) throw new LocatedTypeError(`size must be a non-negative integer, got ${size}`);
  const k = l.convert(keep, "int32");
  const before = l.sub(l.cumsum(k, 0), k);
  const slot = l.select(keep, before, l.fullLike(before, size));
  return values.map((v) => l.scatter(l.broadcastInDim(scalar(fill, v.dtype), [size], []), slot, v, 0, "set"));
}

