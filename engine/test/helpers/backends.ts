import { availableBackends, setDefaultBackend } from "./engine.js";

/**
 * The backends op suites run on: every registered backend that starts here ("reference"
 * always; "native" once its addon builds). A backend that fails to start is skipped and named.
 */
export function backends(): string[] {
  const out: string[] = [];
  for (const name of availableBackends()) {
    // webgpu reads back asynchronously: its op suites run in webgpu.test.ts, which awaits.
    if (name === "webgpu") continue;
    try { setDefaultBackend(name); out.push(name); } catch (e) { console.warn(`# backend ${name} unavailable here, skipped: ${(e as Error).message}`); }
  }
  setDefaultBackend("reference");
  return out;
}
