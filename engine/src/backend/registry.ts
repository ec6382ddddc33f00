import type { Backend } from "./interface.js";
import { nativeEntry } from "./native/register.js";
import { referenceEntry } from "./reference/register.js";
import { webgpuEntry } from "./webgpu/register.js";

/** A backend by name: how to make it (it may throw: unavailable) and its place in the default's preference (lower first). */
export interface BackendEntry { readonly name: string; readonly make: () => Backend; readonly priority: number }

/**
 * Backends by name; the default comes from setDefaultBackend, env TENSORLENS_BACKEND, or the best
 * available. The built-in ones are imported here, so any module that asks for a backend has them
 * (none is made before it is asked for: WebGPU touches no GPU until then).
 */
const backends = new Map<string, () => Backend>();
const instances = new Map<string, Backend>();
let defaultName: string | undefined;
const preference: string[] = [];

export function registerBackend(name: string, factory: () => Backend, priority: number) {
  backends.set(name, factory);
  preference.splice(Math.min(priority, preference.length), 0, name);
}
for (const e of [referenceEntry, nativeEntry, webgpuEntry]) registerBackend(e.name, e.make, e.priority);

export function getBackend(name?: string): Backend {
  const n = name ?? defaultBackendName();
  let b = instances.get(n);
  if (!b) {
    const f = backends.get(n);
    if (!f) throw new Error(`unknown backend "${n}"; available: ${[...backends.keys()].join(", ")}`);
    b = f();
    instances.set(n, b);
  }
  return b;
}

export function availableBackends(): string[] { return [...backends.keys()]; }
/** The backends made so far (the profiler starts and stops their timers). */
export function liveBackends(): Backend[] { return [...instances.values()]; }

export function defaultBackendName(): string {
  if (defaultName) return defaultName;
  const env = process.env.TENSORLENS_BACKEND;
  if (env) {
    if (!backends.has(env)) throw new Error(`TENSORLENS_BACKEND=${env} is not a backend; available: ${[...backends.keys()].join(", ")}`);
    return (defaultName = env);
  }
  for (const name of preference) {
    try { getBackend(name); return (defaultName = name); } catch { /* unavailable: try the next one */ }
  }
  throw new Error("no backend available");
}

export function setDefaultBackend(name: string) {
  if (!backends.has(name)) throw new Error(`unknown backend "${name}"; available: ${[...backends.keys()].join(", ")}`);
  getBackend(name);
  defaultName = name;
}

/** The backend of the operands; operands on another backend are copied to the first one's. */
export function backendOf(args: readonly { readonly _backend: Backend }[]): Backend {
  if (args.length === 0) return getBackend();
  const b = args[0]!._backend;
  for (let i = 1; i < args.length; i++) {
    if (args[i]!._backend !== b) return mixedBackend(args);
  }
  return b;
}
/** Mixed operands: an array placed on a backend other than the default wins (as a committed array does in JAX). */
function mixedBackend(args: readonly { readonly _backend: Backend }[]): Backend {
  const d = getBackend();
  for (const a of args) if (a._backend !== d) return a._backend;
  return d;
}
