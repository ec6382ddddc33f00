import { writeFileSync } from "node:fs";
import type { ShapedArray } from "../ir/aval.js";
import { itemSize, SHORT_NAME } from "../dtype.js";
import type { SourceLocation } from "../ir/source.js";
import type { Program, Step } from "../backend/kernel.js";
import type { ProfileCompile, ProfileOp, ProfileSummary } from "../runner/protocol.js";
import { kernelCost, primitiveCost, type Cost } from "./cost.js";
import type { ProfileEvent } from "./recorder.js";

/** What the profile knows about an op or step, derived once per distinct step or eager question. */
interface OpInfo extends Cost {
  readonly name: string;
  readonly kind: ProfileOp["kind"];
  readonly shapes: string;
  readonly dtypes: string;
}

const label = (a: ShapedArray) => `${SHORT_NAME[a.dtype]}[${a.shape.join(",")}]`;
const shapesOf = (ins: readonly ShapedArray[], outs: readonly ShapedArray[]) => `${ins.map(label).join(", ")} -> ${outs.map(label).join(", ")}`;
const dtypesOf = (ins: readonly ShapedArray[], outs: readonly ShapedArray[]) => [...new Set([...ins, ...outs].map((a) => a.dtype))].join(",");

const stepInfos = new WeakMap<Step, OpInfo>();
function stepInfo(program: Program, step: Step): OpInfo {
  let info = stepInfos.get(step);
  if (info) return info;
  if (step.kind === "kernel") {
    const k = step.kernel;
    const c = kernelCost(k);
    const reduce = k.reduce ? ` reduce_${k.reduce.op}(${k.reduce.axes})` : "";
    info = { ...c, name: `fused[${step.label}${reduce}] ${label(k.output)}`, kind: "kernel", shapes: shapesOf(k.inputs, [k.output]), dtypes: dtypesOf(k.inputs, [k.output]) };
  } else if (step.kind === "op") {
    const ins = step.inputs.map((s) => program.slots[s]!), outs = step.outputs.map((s) => program.slots[s]!);
    let c = primitiveCost(step.prim, step.params, ins, outs);
    if (step.epilogue) {
      // The epilogue's arithmetic and its other operands; the op's result never goes to memory.
      const ep = step.epilogue, e = kernelCost(ep.kernel);
      const extra = ep.kernel.inputs.reduce((b, a, i) => (i === ep.resultInput ? b : b + a.size * itemSize(a.dtype)), 0);
      c = { flops: c.flops + e.flops, bytes: c.bytes + extra };
    }
    info = { ...c, name: `${step.prim}${step.epilogue ? "+epilogue" : ""} ${ins.map(label).join(" ")}`, kind: "op", shapes: shapesOf(ins, outs), dtypes: dtypesOf(ins, outs) };
  } else {
    info = { flops: 0, bytes: 0, name: "free", kind: "op", shapes: "", dtypes: "" };
  }
  stepInfos.set(step, info);
  return info;
}

const eagerInfos = new WeakMap<readonly ShapedArray[], Map<string, OpInfo>>();
function eagerInfo(e: Extract<ProfileEvent, { type: "eager" }>): OpInfo {
  // outAvals is the shape rule's remembered answer for (prim, avals, params): a good key.
  let m = eagerInfos.get(e.outAvals);
  if (!m) eagerInfos.set(e.outAvals, (m = new Map()));
  let info = m.get(e.prim);
  if (!info) {
    const c = primitiveCost(e.prim, e.params, e.avals, e.outAvals);
    info = { ...c, name: `${e.prim} ${e.avals.map(label).join(" ")}`, kind: "eager", shapes: shapesOf(e.avals, e.outAvals), dtypes: dtypesOf(e.avals, e.outAvals) };
    m.set(e.prim, info);
  }
  return info;
}

const fmtLoc = (l: SourceLocation) => `${l.file}:${l.line}:${l.column}`;
const toLocation = (l: SourceLocation) => ({ file: l.file, line: l.line, column: l.column });

export interface ProfileMeta {
  readonly backend: string; readonly threads: number; readonly start: number; readonly end: number;
  /** What the backends said about their times (Backend.profilingNotes), shown once. */
  readonly notes?: readonly string[];
}

/** A recorded profile: its raw events, and the summary, trace and text made from them. */
export class Profile {
  constructor(readonly events: readonly ProfileEvent[], readonly meta: ProfileMeta) {}

  /** Sources of an event: for a jit step every user line fused into it; for an eager op its call site. */
  sourcesOf(e: ProfileEvent): readonly SourceLocation[] {
    if (e.type === "eager") { const l = e.site.location; return l ? [l] : []; }
    if (e.type === "step") {
      const s = e.program.steps[e.step]!;
      if (s.kind === "free") return [];
      return s.sources ?? (s.source ? [s.source] : []);
    }
    return [];
  }

  private infoOf(e: ProfileEvent): OpInfo | undefined {
    if (e.type === "eager") return eagerInfo(e);
    if (e.type === "step") return stepInfo(e.program, e.program.steps[e.step]!);
    return undefined;
  }

  /** The profile as the runner protocol's ProfileSummary; with traceFile, the Chrome trace is written there too. */
  summary(opts: { traceFile?: string } = {}): ProfileSummary {
    const rows = new Map<string, ProfileOp & { sum: number }>();
    let runMs = 0, traceMs = 0, compileMs = 0, peak = 0;
    const jitCalls = new Map<string, { fn: string; calls: number; hits: number; misses: number }>();
    const compiles: ProfileCompile[] = [];
    // Steps timed by a device timer are also inside an "execute" span: count run time once.
    for (const e of this.events) {
      switch (e.type) {
        case "eager": case "step": {
          if (e.type === "eager" && e.jit === undefined) runMs += e.dur;
          const info = this.infoOf(e)!;
          const sources = this.sourcesOf(e);
          const key = `${info.kind}|${info.name}|${e.jit ?? ""}|${sources.map(fmtLoc).join(";")}`;
          let r = rows.get(key);
          if (!r) {
            r = { name: info.name, kind: info.kind, count: 0, totalUs: 0, meanUs: 0, flops: 0, bytes: 0, sources: sources.map(toLocation), sum: 0 };
            if (e.jit !== undefined) r.jit = e.jit;
            rows.set(key, r);
          }
          r.count++;
          r.totalUs += e.dur * 1000;
          r.flops += info.flops;
          r.bytes += info.bytes;
          break;
        }
        case "execute": runMs += e.dur; break;
        case "jit": {
          let j = jitCalls.get(e.fn);
          if (!j) jitCalls.set(e.fn, (j = { fn: e.fn, calls: 0, hits: 0, misses: 0 }));
          j.calls++;
          if (e.miss) j.misses++; else j.hits++;
          break;
        }
        case "compile": {
          const r = e.record;
          const t = r.traceEnd - r.traceStart;
          const c = (r.optimizeEnd - r.traceEnd) + (r.compileStart >= 0 ? r.compileEnd - r.compileStart : 0);
          traceMs += t;
          compileMs += c;
          const loc = r.site?.location;
          compiles.push({ fn: r.fn, signature: r.signature, reason: r.reason, traceMs: t, compileMs: c, ...(loc ? { source: toLocation(loc) } : {}) });
          break;
        }
        case "memory": peak = Math.max(peak, e.native + e.heap); break;
        default: break;
      }
    }
    const ops: ProfileOp[] = [...rows.values()].map(({ sum: _, ...r }) => ({ ...r, meanUs: r.count ? r.totalUs / r.count : 0 }));
    ops.sort((a, b) => b.totalUs - a.totalUs);
    const out: ProfileSummary = {
      backend: this.meta.backend,
      threads: this.meta.threads,
      wallMs: this.meta.end - this.meta.start,
      traceMs, compileMs, runMs,
      ops, compiles,
      jitCalls: [...jitCalls.values()],
      peakBytes: peak,
      events: this.events.length,
    };
    if (opts.traceFile) {
      writeFileSync(opts.traceFile, JSON.stringify(this.chromeTrace()));
      out.traceFile = opts.traceFile;
    }
    return out;
  }

  /**
   * Chrome trace-event JSON (Perfetto and chrome://tracing open it): complete ("X") slices
   * nested per track, one track for JavaScript, one for steps timed inside the backend, one per
   * backend pool thread, and a counter track of live bytes. Times are microseconds from the
   * profile's start.
   */
  chromeTrace(): { traceEvents: object[]; displayTimeUnit: "ms" } {
    const pid = 1, MAIN = 1, DEVICE = 2, THREAD0 = 100;
    const t0 = this.meta.start;
    // Microseconds rounded to 1/1024 (about a nanosecond): binary fractions, so ts + dur is
    // exactly the rounded end. A slice that ends where the next begins then does not overlap
    // it, and a child that ends with its parent ends exactly there (decimal rounding left
    // ts + dur a few ulps past the end).
    const us = (ms: number) => Math.round((ms - t0) * 1024e3) / 1024;
    const out: object[] = [];
    const threads = new Set<number>();
    const slice = (tid: number, name: string, cat: string, start: number, dur: number, args?: object) => {
      const ts = us(start);
      out.push({ name, cat, ph: "X", ts, dur: Math.max(0, us(start + dur) - ts), pid, tid, ...(args ? { args } : {}) });
    };
    // Per program run on the device track: a parent slice over its steps.
    let run: { program: Program; start: number; end: number; jit: string | undefined } | undefined;
    let lastStep = -1;
    const flushRun = () => {
      if (run) slice(DEVICE, `${run.jit ? `jit(${run.jit})` : "program"} steps`, "program", run.start, run.end - run.start, { jit: run.jit });
      run = undefined;
    };
    for (const e of this.events) {
      switch (e.type) {
        case "eager": case "step": {
          const info = this.infoOf(e)!;
          const src = this.sourcesOf(e).map(fmtLoc);
          const args = { source: src[0] ?? "", sources: src, shapes: info.shapes, dtypes: info.dtypes, flops: info.flops, bytes: info.bytes, ...(e.jit ? { jit: e.jit } : {}) };
          if (e.type === "step" && e.timer === "device") {
            if (run && (run.program !== e.program || e.step <= lastStep)) flushRun();
            run ??= { program: e.program, start: e.ts, end: e.ts + e.dur, jit: e.jit };
            run.end = Math.max(run.end, e.ts + e.dur);
            lastStep = e.step;
            slice(DEVICE, info.name, info.kind, e.ts, e.dur, args);
          } else {
            slice(MAIN, info.name, info.kind, e.ts, e.dur, args);
          }
          break;
        }
        case "jit": slice(MAIN, `jit(${e.fn})`, "jit", e.ts, e.dur, { fn: e.fn, cache: e.miss ? "miss" : "hit" }); break;
        case "execute": slice(MAIN, `execute jit(${e.fn})`, "execute", e.ts, e.dur, { fn: e.fn }); break;
        case "compile": {
          const r = e.record, loc = r.site?.location;
          const args = { fn: r.fn, signature: r.signature, reason: r.reason, source: loc ? fmtLoc(loc) : "" };
          slice(MAIN, `trace jit(${r.fn})`, "trace", r.traceStart, r.traceEnd - r.traceStart, args);
          slice(MAIN, `optimize jit(${r.fn})`, "compile", r.traceEnd, r.optimizeEnd - r.traceEnd, args);
          if (r.compileStart >= 0) slice(MAIN, `lower+compile jit(${r.fn})`, "compile", r.compileStart, r.compileEnd - r.compileStart, args);
          break;
        }
        case "thread": threads.add(e.thread); slice(THREAD0 + e.thread, "busy", "thread", e.ts, e.dur); break;
        case "memory": out.push({ name: "live bytes", cat: "memory", ph: "C", ts: us(e.ts), pid, tid: MAIN, args: { native: e.native, heap: e.heap } }); break;
      }
    }
    flushRun();
    const meta = (tid: number, name: string, sort: number) => [
      { name: "thread_name", ph: "M", pid, tid, args: { name } },
      { name: "thread_sort_index", ph: "M", pid, tid, args: { sort_index: sort } },
    ];
    const head: object[] = [
      { name: "process_name", ph: "M", pid, tid: MAIN, args: { name: `tensorlens (${this.meta.backend})` } },
      ...(this.meta.notes?.length ? [{ name: "process_labels", ph: "M", pid, tid: MAIN, args: { labels: this.meta.notes.join(" ") } }] : []),
      ...meta(MAIN, "JS main (eager ops, jit calls)", 0),
      ...meta(DEVICE, `${this.meta.backend} program steps`, 1),
      ...[...threads].sort((a, b) => a - b).flatMap((t) => meta(THREAD0 + t, `${this.meta.backend} pool thread ${t}${t === 0 ? " (caller)" : ""}`, 2 + t)),
    ];
    // Parents before children: by start, the longer first.
    const sorted = out.sort((a: any, b: any) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
    return { traceEvents: [...head, ...sorted], displayTimeUnit: "ms" };
  }

  /** A terminal summary: top ops, compile against run time, recompiles and their reasons, cache, peak memory. */
  format(opts: { top?: number } = {}): string {
    const s = this.summary();
    const top = opts.top ?? 15;
    const lines: string[] = [];
    const ms = (x: number) => `${x.toFixed(2)} ms`;
    const timeUs = (u: number) => (u >= 1000 ? `${(u / 1000).toFixed(2)} ms` : `${u.toFixed(1)} µs`);
    const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
    lines.push(`tensorlens profile: ${s.backend} (${s.threads} thread${s.threads === 1 ? "" : "s"}), wall ${ms(s.wallMs)}: run ${ms(s.runMs)}, trace ${ms(s.traceMs)}, compile ${ms(s.compileMs)}; ${s.events} events`);
    for (const n of this.meta.notes ?? []) lines.push(`note: ${n}`);
    const opTotal = s.ops.reduce((a, o) => a + o.totalUs, 0) || 1;
    lines.push("", `top ops by total time (${s.ops.length} distinct, ${timeUs(opTotal)} in all):`);
    lines.push(`${"total".padStart(10)} ${"%".padStart(5)} ${"count".padStart(6)} ${"mean".padStart(10)} ${"GFLOP/s".padStart(8)} ${"GB/s".padStart(7)}  op`);
    for (const o of s.ops.slice(0, top)) {
      const secs = o.totalUs / 1e6;
      const gf = secs > 0 && o.flops ? (o.flops / secs / 1e9).toFixed(1) : "-";
      const gb = secs > 0 && o.bytes ? (o.bytes / secs / 1e9).toFixed(1) : "-";
      const where = o.sources.length ? `  ${o.sources[0]!.file}:${o.sources[0]!.line}${o.sources.length > 1 ? ` (+${o.sources.length - 1})` : ""}` : "";
      lines.push(`${timeUs(o.totalUs).padStart(10)} ${((100 * o.totalUs) / opTotal).toFixed(1).padStart(5)} ${String(o.count).padStart(6)} ${timeUs(o.meanUs).padStart(10)} ${gf.padStart(8)} ${gb.padStart(7)}  ${o.kind === "eager" ? "" : `[${o.kind}${o.jit ? ` in ${o.jit}` : ""}] `}${o.name}${where}`);
    }
    if (s.ops.length > top) lines.push(`  ... ${s.ops.length - top} more`);
    if (s.jitCalls.length) {
      lines.push("", "jit cache:");
      for (const j of s.jitCalls) lines.push(`  ${j.fn}: ${j.calls} calls, ${j.hits} hits, ${j.misses} misses`);
    }
    if (s.compiles.length) {
      lines.push("", "compilations:");
      for (const c of s.compiles) {
        const at = c.source ? ` at ${c.source.file}:${c.source.line}` : "";
        lines.push(`  ${c.signature}: trace ${ms(c.traceMs)}, compile ${ms(c.compileMs)}${at}\n    reason: ${c.reason}`);
      }
    }
    lines.push("", `peak memory: ${mib(s.peakBytes)} (backend memory + JS ArrayBuffers, sampled at ops and jit calls)`);
    return lines.join("\n");
  }
}
