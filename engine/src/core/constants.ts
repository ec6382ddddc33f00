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

/** A 0-d array holding `value`; weak when it stands for a JS number. */
export function scalar(value: number | boolean, dtype: DType, weak = false): DeviceArray {
  const d = typedArrayFor(dtype, 1);
  d[0] = castScalar(Number(value), dtype);
  return fromHost(d, [], dtype, weak);
}
