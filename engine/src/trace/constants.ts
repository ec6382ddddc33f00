import { castScalar, DTYPES, typedArrayFor, type DType, type TypedArray } from "../dtype.js";
import { DeviceArray, wrapBuffer } from "../array.js";
import { getBackend } from "../backend/registry.js";
import { ShapedArray } from "../ir/aval.js";

/** A concrete array on the default backend from host data of the dtype's storage type. */
export function fromHost(data: TypedArray, shape: readonly number[], dtype: DType, weak = false, backend?: string): DeviceArray {
  const b = getBackend(backend);
  const aval = new ShapedArray(shape, dtype, weak);
  return wrapBuffer(b, b.upload(data, aval), aval);
}

/**
 * A 0-d array holding `value`; weak when it stands for a JS number. Arrays are immutable, so
 * the scalars that rules and JS numbers produce over and over are made once per backend and
 * shared (pinned: dispose() leaves them alone).
 */
export function scalar(value: number | boolean, dtype: DType, weak = false): DeviceArray {
  const v = castScalar(Number(value), dtype);
  const backend = getBackend();
  let byValue = scalarCache.get(backend)?.get(weak ? WEAK[dtype] : dtype);
  if (!byValue) {
    let byType = scalarCache.get(backend);
    if (!byType) scalarCache.set(backend, (byType = new Map()));
    byType.set(weak ? WEAK[dtype] : dtype, (byValue = new Map()));
  }
  const negZero = Object.is(v, -0); // Map keys equate 0 and -0
  let a = negZero ? undefined : byValue.get(v);
  if (a && !a.isDisposed) return a;
  const d = typedArrayFor(dtype, 1);
  d[0] = v;
  a = fromHost(d, [], dtype, weak);
  if (negZero) return a;
  a._pinned = true;
  if (byValue.size >= SCALAR_CACHE_SIZE) byValue.delete(byValue.keys().next().value!);
  byValue.set(v, a);
  return a;
}
const SCALAR_CACHE_SIZE = 256;
const WEAK = Object.fromEntries(DTYPES.map((d) => [d, `w${d}`])) as Record<DType, string>;
const scalarCache = new Map<object, Map<string, Map<number, DeviceArray>>>();
