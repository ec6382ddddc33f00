import { castScalar, typedArrayFor, type DType, type TypedArray } from "../dtype.js";
import { DeviceArray, wrapBuffer } from "../array.js";
import { getBackend } from "../backend/registry.js";
import { ShapedArray } from "./aval.js";

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
  const key = `${backend.name}|${dtype}|${weak ? "w" : ""}|${Object.is(v, -0) ? "-0" : v}`;
  let a = scalarCache.get(key);
  if (a && !a.isDisposed) return a;
  const d = typedArrayFor(dtype, 1);
  d[0] = v;
  a = fromHost(d, [], dtype, weak);
  a._pinned = true;
  if (scalarCache.size >= SCALAR_CACHE_SIZE) scalarCache.delete(scalarCache.keys().next().value!);
  scalarCache.set(key, a);
  return a;
}
const SCALAR_CACHE_SIZE = 512;
const scalarCache = new Map<string, DeviceArray>();
