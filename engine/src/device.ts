import { DeviceArray, wrapBuffer } from "./array.js";
import { getBackend } from "./backend/registry.js";
import { concretize } from "./trace/trace.js";

/** Copies an array to another backend (jax.device_put). */
export function devicePut(x: DeviceArray, backend?: string): DeviceArray {
  const c = concretize(x, "devicePut");
  const target = getBackend(backend);
  if (c._backend === target) return c;
  const data = c.dataSync();
  return wrapBuffer(target, target.upload(data, c.aval), c.aval);
}
