import type { Backend } from "./interface.js";

/** Backends by name; the default comes from setDefaultBackend, env TENSORLENS_BACKEND, or the best available. */
const backends = new Map<string, () => Backend>();
const instances = new Map<string, Backend>();
let defaultName: string | undefined;
const preference: string[] = [];

export function registerBackend(name: string, factory: () => Backend, priority: number) {
  backends.set(name, factory);
  preference.splice(Math.min(priority, preference.length), 0, name);
}

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
