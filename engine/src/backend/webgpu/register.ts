import type { BackendEntry } from "../registry.js";
import { WebGPUBackend } from "./backend.js";

export { WebGPUBackend, WebGPUBuffer } from "./backend.js";

/**
 * "webgpu", last in preference: it is used only when asked for by name
 * (TENSORLENS_BACKEND=webgpu, setDefaultBackend("webgpu"), devicePut(x, "webgpu")). Making the
 * backend starts acquiring the device; nothing touches the GPU before that.
 */
export const webgpuEntry: BackendEntry = { name: "webgpu", make: () => new WebGPUBackend(), priority: 1000 };
