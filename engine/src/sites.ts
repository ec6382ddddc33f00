/**
 * Where each array was made, for the editor: after a Run, each returned array's summary is
 * shown at the user's line that produced it. Off by default; the runner turns it on for the
 * functions it calls. On, every new concrete array records a call site (a V8 stack capture,
 * formatted only if asked: about a microsecond per array); off, array creation pays one check.
 */
import type { DeviceArray } from "./array.js";
import { CallSite, type SourceLocation } from "./ir/source.js";

// A field of a constant object, not a module `let`: reading an exported or hoisted `let` on
// the eager path costs a dead-zone check (profiler/hook.ts measured 5-10% of an eager add).
const state: { sites: WeakMap<DeviceArray, CallSite> | null } = { sites: null };

/** Starts (or stops) recording where arrays are made. */
export function recordArraySites(on: boolean): void {
  state.sites = on ? new WeakMap() : null;
}

/** @internal Called for every new concrete array. */
export function noteArraySite(a: DeviceArray): void {
  if (state.sites !== null) state.sites.set(a, new CallSite(24));
}

/** The user's line that made `a`, if sites were being recorded then. */
export function arraySite(a: DeviceArray): SourceLocation | undefined {
  return state.sites?.get(a)?.location;
}
