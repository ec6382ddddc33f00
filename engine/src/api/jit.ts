import { DeviceArray } from "../array.js";
import { ShapedArray } from "../ir/aval.js";
import { evalTrace } from "../trace/eval.js";
import { traceToJaxpr, type ClosedJaxpr } from "../trace/jaxpr-trace.js";
import type { Jaxpr } from "../ir/jaxpr.js";
import { Compiled, optimize } from "../jit/program.js";
import { CallSite } from "../ir/source.js";
import { bind, currentTrace, Tracer } from "../trace/trace.js";
import { getBackend } from "../backend/registry.js";
import type { Backend } from "../backend/interface.js";
import { flatten, unflatten, type TreeDef } from "../tree.js";
import { flattenArrays, normalizeArgnums, type Argnums } from "./args.js";
import { config } from "../config.js";
import { donatedLeaves, runDonating } from "./donate.js";
import { hook, type CompileRecord, type Recorder } from "../profiler/hook.js";

const configKey = () => `x64=${config.read("enableX64")},tfp=${config.read("threefryPartitionable")}`;

export interface JitOptions {
  staticArgnums?: Argnums;
  /** Arguments whose buffers the call may reuse for its outputs; their arrays are deleted (api/donate.ts). */
  donateArgnums?: Argnums;
}

interface Entry {
  readonly closed: ClosedJaxpr;
  readonly optimized: Jaxpr;
  readonly outDef: TreeDef;
  readonly avals: readonly ShapedArray[];
  /** When and why this entry was traced and compiled (read by the profiler). */
  readonly record: CompileRecord;
  compiled?: Compiled;
}

export interface CompileEvent { readonly signature: string; readonly reason: string }

/** A jitted function: call it like the original; it also reports its cache. */
export interface Jitted<F extends (...args: any[]) => any> {
  (...args: Parameters<F>): ReturnType<F>;
  /** Hits, misses, and why each compilation happened. */
  cacheInfo(): { hits: number; misses: number; compiles: readonly CompileEvent[] };
  /** The optimized program and its lowering, for the given arguments. */
  lower(...args: Parameters<F>): { jaxpr: Jaxpr; program: string };
  clearCache(): void;
}

function staticKey(v: unknown): string {
  if (v === null || typeof v !== "object") return `${typeof v}:${String(v)}`;
  try { return JSON.stringify(v); } catch { return `object:${String(v)}`; }
}

/**
 * jit(f): traces f once per input signature (tree structure, shapes, dtypes, static
 * arguments), optimizes the program and compiles it for the backend; later calls with the
 * same signature run the compiled program in one step.
 */
export function jit<F extends (...args: any[]) => any>(f: F, opts: JitOptions = {}): Jitted<F> {
  const cache = new Map<string, Entry>();
  const compiles: CompileEvent[] = [];
  let hits = 0, misses = 0;
  let last: ({ key: string; entry: Entry; config: string } & Shallow) | undefined;
  const signatures: Signature[] = [];
  let paramNames: (string | undefined)[] | undefined;
  const name = f.name || "anonymous";

  const prepare = (args: unknown[]) => {
    const statics = opts.staticArgnums === undefined ? [] : normalizeArgnums("jit", opts.staticArgnums, args.length);
    const dynamic = args.filter((_, i) => !statics.includes(i));
    const [leaves, def] = flattenArrays(dynamic, `jit(${name})`);
    const staticVals = statics.map((i) => staticKey(args[i]));
    return { statics, dynamic, leaves, def, staticVals };
  };

  const entryFor = (args: unknown[]) => {
    const { statics, leaves, def, staticVals } = prepare(args);
    const defStr = def.toString();
    const avalKeys = leaves.map((x) => x.aval.key);
    // Flags that change what tracing produces are part of the signature, as in JAX.
    const key = `${defStr}|${avalKeys.join(";")}|${staticVals.join(",")}|${configKey()}`;
    let entry = cache.get(key);
    if (entry) { hits++; return { entry, leaves, key }; }
    misses++;
    paramNames ??= parameterNames(f);
    const signature = describedSignature(args, statics, paramNames, { def: defStr, avals: avalKeys, statics: staticVals });
    const reason = explain(signatures, signature);
    signatures.push(signature);
    // The user's line is taken here, at the same stack depth as the call (CallSite keeps a few frames).
    const site = new CallSite();
    entry = traceEntry(f, name, { args, statics, leaves, def, avalKeys }, reason, site);
    compiles.push({ signature: entry.record.signature, reason });
    if (hook.recorder !== null) hook.recorder.compile(entry.record);
    // Programs that closed over traced values of an enclosing transformation are not reusable.
    if (!entry.closed.consts.some((c) => c instanceof Tracer)) cache.set(key, entry);
    return { entry, leaves, key };
  };

  const run = (entry: Entry, leaves: DeviceArray[], donate?: boolean[]) => {
    const { closed } = entry;
    let outs: DeviceArray[];
    if (currentTrace() === evalTrace && !leaves.some((x) => x instanceof Tracer) && !closed.consts.some((c) => c instanceof Tracer)) {
      const backend = leaves[0]?._backend ?? getBackend();
      // Compiled for the backend its arguments live on (a call on another backend recompiles).
      const compiled = entry.compiled !== undefined && entry.compiled.backend === backend ? entry.compiled : compileEntry(entry, backend);
      outs = hook.recorder === null ? runCompiled(compiled, leaves, donate) : runProfiled(hook.recorder, name, compiled, leaves, donate);
    } else {
      outs = bind("pjit", [...closed.consts, ...leaves], { jaxpr: entry.optimized, name });
    }
    return unflatten(entry.outDef, outs);
  };

  const call = (args: unknown[]) => {
    const donate = opts.donateArgnums === undefined ? undefined
      : donatedLeaves(args, opts.staticArgnums === undefined ? [] : normalizeArgnums("jit", opts.staticArgnums, args.length), opts.donateArgnums, `jit(${name})`);
    // Fast path: the same shallow structure and avals as the previous call skip the keyed lookup.
    const quick = opts.staticArgnums === undefined ? shallowLeaves(args) : undefined;
    if (quick && last && last.config === configKey() && sameShallow(quick, last)) { hits++; return run(last.entry, quick.leaves, donate); }
    const r = entryFor(args);
    if (quick && r.entry === cache.get(r.key)) last = { key: r.key, entry: r.entry, leaves: [], avals: quick.leaves.map((x) => x._aval), shape: quick.shape, config: configKey() };
    return run(r.entry, r.leaves, donate);
  };
  /** A call while a profile is recorded: its span, and whether it missed the cache. */
  const profiled = (rec: Recorder, args: unknown[]) => {
    const m0 = misses, t0 = rec.jitBegin(name);
    try { return call(args); } finally { rec.jitEnd(name, t0, misses !== m0); }
  };
  // Profiling off costs one check of the hook (profiler/hook.ts) per call.
  const wrapped = ((...args: unknown[]) => (hook.recorder === null ? call(args) : profiled(hook.recorder, args))) as unknown as Jitted<F>;

  wrapped.cacheInfo = () => ({ hits, misses, compiles: [...compiles] });
  wrapped.lower = (...args: Parameters<F>) => lowerEntry(entryFor(args).entry);
  wrapped.clearCache = () => { cache.clear(); last = undefined; };
  return wrapped;
}

/** What a cache miss traces: the call's arguments, which are static, the dynamic leaves and their structure. */
interface Miss { readonly args: readonly unknown[]; readonly statics: readonly number[]; readonly leaves: readonly DeviceArray[]; readonly def: TreeDef; readonly avalKeys: readonly string[] }

/**
 * Traces f for one signature and optimizes the program. Tracing, optimizing and (in
 * compileEntry) compiling are timed on every miss: misses are rare and slow, and the profiler
 * reports the phases apart from execution.
 */
function traceEntry(f: (...args: any[]) => any, name: string, miss: Miss, reason: string, site: CallSite): Entry {
  const { args, statics, leaves, def, avalKeys } = miss;
  let outDef: TreeDef | undefined;
  const avals = leaves.map((x) => new ShapedArray(x.shape, x.dtype, x.weakType));
  const traceStart = performance.now();
  const closed = traceToJaxpr((...xs) => {
    // Rebuild the call: dynamic leaves from the tracers, static arguments as given.
    const rebuilt = unflatten(def, xs) as unknown[];
    const callArgs: unknown[] = [];
    let d = 0;
    for (let i = 0; i < args.length; i++) callArgs.push(statics.includes(i) ? args[i] : rebuilt[d++]);
    const [outs, od] = flattenArrays(f(...callArgs), `jit(${name})`);
    outDef = od;
    return outs;
  }, avals, `jit(${name})`, site);
  const traceEnd = performance.now();
  const optimized = optimize(closed.jaxpr);
  const sig = `${name}(${avalKeys.join(", ")})`;
  const record: CompileRecord = { fn: name, signature: sig, reason, site, traceStart, traceEnd, optimizeEnd: performance.now(), compileStart: -1, compileEnd: -1 };
  return { closed, optimized, outDef: outDef!, avals, record };
}

/** Compiles an entry for `backend` (replacing one for another backend), timed for the profiler. */
function compileEntry(entry: Entry, backend: Backend): Compiled {
  const { closed } = entry;
  const t = performance.now();
  const compiled = new Compiled(entry.optimized, backend, closed.consts.length, closed.consts, evalTrace.controlStep);
  entry.compiled = compiled;
  entry.record.compileStart = t;
  entry.record.compileEnd = performance.now();
  return compiled;
}

const runCompiled = (c: Compiled, leaves: DeviceArray[], donate?: boolean[]) => (donate && runDonating(c, leaves, donate)) || c.run(leaves);

/** A run while a profile is recorded: its execution span. */
function runProfiled(rec: Recorder, name: string, c: Compiled, leaves: DeviceArray[], donate?: boolean[]): DeviceArray[] {
  const t0 = performance.now();
  const outs = runCompiled(c, leaves, donate);
  rec.execute(name, t0, performance.now());
  return outs;
}

/** `jitted.lower`: the optimized program and its lowering for the default backend (constants traced by an enclosing transformation left out). */
function lowerEntry(entry: Entry): { jaxpr: Jaxpr; program: string } {
  const compiled = new Compiled(entry.optimized, getBackend(), entry.closed.consts.length, entry.closed.consts.filter((c) => !(c instanceof Tracer)), evalTrace.controlStep);
  return { jaxpr: entry.optimized, program: compiled.program.toString() };
}

/** Arguments that are arrays or lists of arrays, with a signature of their nesting (-1: an array; n: a list of n arrays). */
interface Shallow { readonly leaves: DeviceArray[]; readonly avals?: readonly ShapedArray[]; readonly shape: readonly number[] }
function shallowLeaves(args: readonly unknown[]): Shallow | undefined {
  const leaves: DeviceArray[] = [], shape: number[] = [];
  for (const a of args) {
    if (a instanceof DeviceArray) { leaves.push(a); shape.push(-1); continue; }
    if (!Array.isArray(a)) return undefined;
    for (const x of a) { if (!(x instanceof DeviceArray)) return undefined; leaves.push(x); }
    shape.push(a.length);
  }
  return { leaves, shape };
}
function sameShallow(cur: Shallow, prev: Shallow & { avals?: readonly ShapedArray[] }): boolean {
  if (cur.shape.length !== prev.shape.length || cur.leaves.length !== prev.avals!.length) return false;
  for (let i = 0; i < cur.shape.length; i++) if (cur.shape[i] !== prev.shape[i]) return false;
  for (let i = 0; i < cur.leaves.length; i++) {
    const a = cur.leaves[i]!._aval, b = prev.avals![i]!;
    if (a !== b && !a.equals(b)) return false;
  }
  return true;
}

type Signature = { def: string; avals: string[]; statics: string[]; leafWhere?: string[]; staticWhere?: string[] };

/** A signature with where each leaf and static value comes from (by parameter name where f's source shows it), for the reason of a recompile. */
function describedSignature(args: readonly unknown[], statics: readonly number[], paramNames: readonly (string | undefined)[], key: Pick<Signature, "def" | "avals" | "statics">): Signature {
  const argName = (i: number) => `argument ${paramNames[i] ? `${paramNames[i]} (#${i})` : `#${i}`}`;
  const leafWhere: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (statics.includes(i)) continue;
    const n = flatten(args[i])[0].length;
    for (let j = 0; j < n; j++) leafWhere.push(n === 1 && !Array.isArray(args[i]) ? argName(i) : `${argName(i)}[leaf ${j}]`);
  }
  return { ...key, leafWhere, staticWhere: statics.map((i) => `static ${argName(i)}`) };
}

/** The names of a function's parameters, where its source text shows them plainly (else undefined). */
function parameterNames(f: Function): (string | undefined)[] {
  const src = Function.prototype.toString.call(f);
  const m = /^(?:async\s*)?(?:function\b[^(]*)?\(([^()]*)\)|^(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(src);
  if (!m) return [];
  if (m[2]) return [m[2]];
  return m[1]!.split(",").map((p) => /^\s*(?:\.\.\.)?([A-Za-z_$][\w$]*)\s*(?::[^=]*)?(?:=.*)?$/.exec(p)?.[1]);
}

/** Why a new compilation: the differences from the most similar earlier signature. */
function explain(previous: readonly Signature[], cur: Signature): string {
  if (previous.length === 0) return "first call";
  const reasons = previous.map((prev) => {
    if (prev.def !== cur.def) return [`argument structure changed: ${prev.def} -> ${cur.def}`];
    const out: string[] = [];
    const changed = cur.avals.map((a, i) => (a !== prev.avals[i] ? i : -1)).filter((i) => i >= 0);
    const diffs = changed.map((i) => `leaf ${i}: ${prev.avals[i]} -> ${cur.avals[i]}`);
    // Which arguments those leaves belong to (by name where the function's source shows it).
    const where = [...new Set(changed.map((i) => cur.leafWhere?.[i]).filter(Boolean))];
    if (diffs.length) out.push(`argument types changed (${diffs.join("; ")})${where.length ? ` in ${where.join(", ")}` : ""}`);
    const sd = cur.statics.map((s, i) => (s !== prev.statics[i] ? `${cur.staticWhere?.[i] ?? `static argument ${i}`}: ${prev.statics[i]} -> ${s}` : null)).filter(Boolean);
    if (sd.length) out.push(`static arguments changed (${sd.join("; ")})`);
    return out;
  });
  const best = reasons.reduce((a, b) => (b.length < a.length ? b : a));
  return best.join("; ") || "new signature";
}
