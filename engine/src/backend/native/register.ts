import type { BackendEntry } from "../registry.js";
import { loadAddon } from "./addon.js";
import { NativeBackend } from "./backend.js";

export { NativeBackend, NativeBuffer } from "./backend.js";

let warned = false;

/**
 * "native", the preferred backend. When the addon cannot load, the engine says so once, with the
 * reason, and the registry falls through to the reference backend.
 */
export const nativeEntry: BackendEntry = { name: "native", priority: 0, make: () => {
  const load = loadAddon();
  if (!load.ok) {
    if (!warned) {
      warned = true;
      console.warn(`tensorlens: using the reference backend (TypeScript, much slower): the native addon is unavailable because ${load.reason}.`);
    }
    throw new Error(`the native backend is unavailable: ${load.reason}`);
  }
  return new NativeBackend(load.addon);
} };
