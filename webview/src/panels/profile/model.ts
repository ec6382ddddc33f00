/**
 * The profile view's data, pure (no DOM): the Chrome trace's events as tracks of nested slices
 * in typed arrays (one level per nesting depth, so a time range is found by binary search), the
 * live-memory counter as a series, and the op table grouped by op or by source line.
 */
import type { Location, ProfileOp, ProfileSummary, TraceEvent } from "../../../../engine/src/runner/protocol.js";

export interface Level {
  /** Start and end (µs) of each slice, sorted by start; slices on one level never overlap, so ends are sorted too. */
  start: Float64Array;
  end: Float64Array;
  /** Index into Timeline.events of each slice. */
  event: Int32Array;
}

export interface Track {
  key: string;
  name: string;
  sort: number;
  levels: Level[];
  count: number;
}

export interface Timeline {
  tracks: Track[];
  /** The "X" events, in the order of the trace. */
  events: TraceEvent[];
  /** Live bytes over time (sum of each counter event's numeric args). */
  memory: { ts: Float64Array; bytes: Float64Array; peak: number };
  t0: number;
  t1: number;
}

export function buildTimeline(traceEvents: readonly TraceEvent[]): Timeline {
  const names = new Map<string, string>(), sorts = new Map<string, number>();
  const byTrack = new Map<string, number[]>();
  const events: TraceEvent[] = [];
  const memTs: number[] = [], memBytes: number[] = [];
  let t0 = Infinity, t1 = -Infinity;
  for (const e of traceEvents) {
    const key = `${e.pid ?? 0}:${e.tid ?? 0}`;
    if (e.ph === "M") {
      if (e.name === "thread_name" && typeof e.args?.name === "string") names.set(key, e.args.name);
      if (e.name === "thread_sort_index" && typeof e.args?.sort_index === "number") sorts.set(key, e.args.sort_index);
      continue;
    }
    if (e.ph === "C" && typeof e.ts === "number") {
      let sum = 0;
      for (const v of Object.values(e.args ?? {})) if (typeof v === "number") sum += v;
      memTs.push(e.ts); memBytes.push(sum);
      t0 = Math.min(t0, e.ts); t1 = Math.max(t1, e.ts);
      continue;
    }
    if (e.ph !== "X" || typeof e.ts !== "number") continue;
    const i = events.length;
    events.push(e);
    let list = byTrack.get(key);
    if (!list) byTrack.set(key, (list = []));
    list.push(i);
    t0 = Math.min(t0, e.ts); t1 = Math.max(t1, e.ts + (e.dur ?? 0));
  }
  const tracks: Track[] = [];
  for (const [key, list] of byTrack) {
    // Parents before children: by start, the longer first; then a stack gives each its depth.
    list.sort((a, b) => events[a]!.ts! - events[b]!.ts! || (events[b]!.dur ?? 0) - (events[a]!.dur ?? 0));
    const levels: { start: number[]; end: number[]; event: number[] }[] = [];
    const stack: number[] = []; // end times of the open slices
    for (const i of list) {
      const e = events[i]!;
      const s = e.ts!, end = s + (e.dur ?? 0);
      while (stack.length && stack[stack.length - 1]! <= s) stack.pop();
      // A slice that overlaps its would-be parent without nesting goes one level down anyway.
      const depth = stack.length;
      stack.push(end);
      const lv = (levels[depth] ??= { start: [], end: [], event: [] });
      // Keep each level free of overlaps (rounding can make siblings touch): clip to the previous end.
      const prevEnd = lv.end.length ? lv.end[lv.end.length - 1]! : -Infinity;
      lv.start.push(Math.max(s, prevEnd));
      lv.end.push(Math.max(end, prevEnd));
      lv.event.push(i);
    }
    const name = names.get(key) ?? `thread ${key.split(":")[1]}`;
    tracks.push({
      key, name, sort: sorts.get(key) ?? 1000 + tracks.length, count: list.length,
      levels: levels.map((l) => ({ start: Float64Array.from(l.start), end: Float64Array.from(l.end), event: Int32Array.from(l.event) })),
    });
  }
  tracks.sort((a, b) => a.sort - b.sort || a.key.localeCompare(b.key));
  const order = memTs.map((_, i) => i).sort((a, b) => memTs[a]! - memTs[b]!);
  const memory = { ts: Float64Array.from(order, (i) => memTs[i]!), bytes: Float64Array.from(order, (i) => memBytes[i]!), peak: Math.max(0, ...memBytes) };
  if (!Number.isFinite(t0)) { t0 = 0; t1 = 1; }
  if (t1 <= t0) t1 = t0 + 1;
  return { tracks, events, memory, t0, t1 };
}

/** First index of a level whose slice ends after t (binary search on the sorted ends). */
export function firstEndingAfter(level: Level, t: number): number {
  let lo = 0, hi = level.end.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (level.end[mid]! <= t) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** The slice of a track at time t and depth, or -1. */
export function sliceAt(track: Track, depth: number, t: number): number {
  const lv = track.levels[depth];
  if (!lv) return -1;
  const i = firstEndingAfter(lv, t);
  return i < lv.start.length && lv.start[i]! <= t ? lv.event[i]! : -1;
}

/** "file:line:col" (the profiler's args.source) as a Location; undefined when there is none. */
export function parseSource(s: unknown): Location | undefined {
  if (typeof s !== "string" || !s) return undefined;
  const m = /^(.*):(\d+):(\d+)$/.exec(s) ?? /^(.*):(\d+)$/.exec(s);
  if (!m) return undefined;
  return { file: m[1]!, line: Number(m[2]), column: m[3] ? Number(m[3]) : 1 };
}

export function sourceOfEvent(e: TraceEvent): Location | undefined {
  return parseSource(e.args?.source) ?? (Array.isArray(e.args?.sources) ? parseSource(e.args.sources[0]) : undefined);
}

// ---- the op table ----------------------------------------------------------------------------

export type GroupBy = "op" | "line";

export interface OpRow {
  key: string;
  /** The op's name, or "file:line" when grouped by line. */
  label: string;
  /** For op rows: kinds seen; for line rows: the ops on the line. */
  detail: string;
  count: number;
  totalUs: number;
  meanUs: number;
  flops: number;
  bytes: number;
  /** FLOP/s and bytes/s over the row's time. */
  flopRate: number;
  byteRate: number;
  percent: number;
  /** Where a click jumps. */
  source?: Location;
  sources: Location[];
}

const locKey = (l: Location) => `${l.file}:${l.line}`;
export const shortFile = (f: string) => f.split(/[\\/]/).pop() ?? f;

/**
 * Rows of the op table. By op: the summary's rows merged by name (an op run at several lines
 * keeps them all; a click goes to the busiest). By line: each row's time, FLOPs and bytes split
 * evenly over the lines fused into it, so the rows add up to the total.
 */
export function opRows(ops: readonly ProfileOp[], by: GroupBy): OpRow[] {
  const total = ops.reduce((s, o) => s + o.totalUs, 0) || 1;
  const rows = new Map<string, OpRow & { best: number; names: Set<string> }>();
  const add = (key: string, label: string, o: ProfileOp, share: number, srcs: Location[], name: string) => {
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { key, label, detail: "", count: 0, totalUs: 0, meanUs: 0, flops: 0, bytes: 0, flopRate: 0, byteRate: 0, percent: 0, sources: [], best: -1, names: new Set() }));
    r.count += o.count;
    r.totalUs += o.totalUs * share;
    r.flops += o.flops * share;
    r.bytes += o.bytes * share;
    r.names.add(name);
    for (const s of srcs) if (!r.sources.some((x) => locKey(x) === locKey(s))) r.sources.push(s);
    if (srcs.length && o.totalUs * share > r.best) { r.best = o.totalUs * share; r.source = srcs[0]; }
  };
  for (const o of ops) {
    if (by === "op") add(`${o.name}`, o.name, o, 1, o.sources, o.kind);
    else if (o.sources.length === 0) add("(no line)", "(no user line)", o, 1, [], o.name);
    else for (const s of o.sources) add(locKey(s), `${shortFile(s.file)}:${s.line}`, o, 1 / o.sources.length, [s], o.name);
  }
  return [...rows.values()].map(({ best: _, names, ...r }) => ({
    ...r,
    detail: [...names].join(", "),
    meanUs: r.count ? r.totalUs / r.count : 0,
    flopRate: r.totalUs > 0 ? r.flops / (r.totalUs * 1e-6) : 0,
    byteRate: r.totalUs > 0 ? r.bytes / (r.totalUs * 1e-6) : 0,
    percent: (100 * r.totalUs) / total,
  }));
}

export type SortKey = "label" | "count" | "totalUs" | "meanUs" | "flops" | "flopRate" | "bytes" | "byteRate" | "percent";

export function sortRows(rows: OpRow[], key: SortKey, descending: boolean): OpRow[] {
  const dir = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = a[key], y = b[key];
    const c = typeof x === "string" ? x.localeCompare(y as string) : (x as number) - (y as number);
    return c * dir || a.label.localeCompare(b.label);
  });
}

export function summaryTotals(s: ProfileSummary) {
  const other = Math.max(0, s.wallMs - s.traceMs - s.compileMs - s.runMs);
  return { trace: s.traceMs, compile: s.compileMs, run: s.runMs, other };
}
