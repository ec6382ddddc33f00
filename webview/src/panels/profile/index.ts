/**
 * The profile view: a summary (compile against run time, peak memory, jit cache), a canvas
 * timeline of the trace's tracks (jit calls, their steps and kernels, pool threads) with zoom
 * and pan, live memory on the same time axis, the per-op table (grouped by op or by source
 * line, sortable), and the recompiles with their reasons. A click on a table row, a slice or a
 * recompile posts `openSource`; Export posts `exportTrace`.
 *
 * The timeline draws only what is visible: each nesting level of a track is sorted, so the
 * visible range is found by binary search, and slices narrower than a pixel merge into one
 * pixel column, so 100,000 events cost a few milliseconds a frame.
 */
import "../shared/zod-config.js";
import { ChromeTrace, type HostMessage, type ProfileSummary } from "../../../../engine/src/runner/protocol.js";
import { getState, onHostMessage, post, setState } from "../../shared/host.js";
import { afterPaint, fitCanvas, h } from "../shared/dom.js";
import { formatBytes, formatCount, formatMs, formatSI, formatUs } from "../shared/format.js";
import { canvasFont, onThemeChange, palette, rgb, type Palette, type RGB } from "../shared/theme.js";
import {
  buildTimeline, firstEndingAfter, opRows, shortFile, sliceAt, sortRows, sourceOfEvent, summaryTotals,
  type GroupBy, type OpRow, type SortKey, type Timeline, type Track,
} from "./model.js";

interface SavedState { groupBy?: GroupBy; sortKey?: SortKey; descending?: boolean; view?: { t0: number; t1: number }; key?: string }

const root = document.getElementById("root")!;
let pal: Palette = palette();
let summary: ProfileSummary | undefined;
let timeline: Timeline | undefined;
let viewKey = "";
const saved = getState<SavedState>();
let groupBy: GroupBy = saved.groupBy ?? "op";
let sortKey: SortKey = saved.sortKey ?? "totalUs";
let descending = saved.descending ?? true;
/** The visible time range (µs). */
let view = { t0: 0, t1: 1 };
let selected = -1;
let hovered = -1;

// ---- the page's parts ------------------------------------------------------------------------

const title = h("h1", { class: "tl-title", text: "Profile" });
const subtitle = h("span", { class: "tl-subtitle" });
const exportButton = h("button", { class: "tl-button", type: "button", text: "Export trace…", title: "Save the Chrome trace JSON (opens in Perfetto)" });
exportButton.addEventListener("click", () => post({ type: "exportTrace" }));
const cards = h("div", { class: "tl-cards" });
const timeBar = h("div", { class: "tl-timebar", role: "img" });
const tlCanvas = h("canvas", { class: "tl-timeline", tabindex: 0, role: "application", "aria-label": "Timeline: arrow keys or A/D pan, W/S or +/- zoom, 0 resets; Enter opens the selected slice's source" });
const memCanvas = h("canvas", { class: "tl-memory", role: "img", "aria-label": "Live memory over time" });
const tlTooltip = h("div", { class: "tl-tooltip", role: "tooltip" });
const tlNote = h("div", { class: "tl-note" });
const groupSelect = h("select", { class: "tl-select", "aria-label": "Group the op table by" },
  h("option", { value: "op", text: "op" }), h("option", { value: "line", text: "source line" }));
groupSelect.value = groupBy;
groupSelect.addEventListener("change", () => { groupBy = groupSelect.value as GroupBy; save(); renderTable(); });
const table = h("table", { class: "tl-ops", role: "grid", "aria-label": "Ops" });
const compilesList = h("div", { class: "tl-compiles" });
const empty = h("div", { class: "tl-empty", text: "Profile a function with the Tensorlens “Profile” lens to see where the time goes." });

root.append(
  h("header", { class: "tl-header" }, title, subtitle, h("span", { class: "tl-spacer" }), exportButton),
  cards,
  timeBar,
  h("section", { class: "tl-timeline-wrap" }, tlCanvas, tlTooltip),
  memCanvas,
  tlNote,
  h("section", { class: "tl-lower" },
    h("div", { class: "tl-ops-wrap" }, h("div", { class: "tl-controls" }, h("h2", { text: "Ops" }), h("label", { class: "tl-field" }, "Group by ", groupSelect)), h("div", { class: "tl-table-scroll" }, table)),
    h("div", { class: "tl-compiles-wrap" }, h("h2", { text: "Compiles" }), compilesList)),
  empty,
);
root.classList.add("tl-empty-state");

// ---- messages --------------------------------------------------------------------------------

onHostMessage((m, receivedAt) => {
  if (m.type === "showProfile") show(m, receivedAt);
  else if (m.type === "clear") { summary = undefined; timeline = undefined; root.classList.add("tl-empty-state"); empty.textContent = m.reason; }
});

function show(m: Extract<HostMessage, { type: "showProfile" }>, receivedAt: number): void {
  summary = m.summary;
  const trace = m.trace ?? parseTrace(m.traceJson);
  timeline = trace ? buildTimeline(trace.traceEvents) : undefined;
  root.classList.remove("tl-empty-state");
  title.textContent = m.label ? `Profile: ${m.label}` : "Profile";
  subtitle.textContent = `${summary.backend} · ${summary.threads} thread${summary.threads === 1 ? "" : "s"} · ${formatCount(summary.events)} events`;
  const key = `${m.label ?? ""}|${summary.events}|${summary.wallMs}`;
  selected = -1; hovered = -1;
  if (timeline) {
    view = saved.key === key && saved.view ? { ...saved.view } : { t0: timeline.t0, t1: timeline.t1 };
    clampView();
  }
  viewKey = key;
  renderCards();
  renderTable();
  renderCompiles();
  for (const el of [tlCanvas, memCanvas, timeBar]) el.classList.toggle("tl-hidden", !timeline);
  tlNote.textContent = timeline ? `${formatCount(timeline.events.length)} slices on ${timeline.tracks.length} tracks · wheel or W/S zooms, drag or A/D pans, click a slice to open its line` : "No trace with this profile: the timeline needs the trace file.";
  save();
  drawNow();
  void afterPaint().then(() => post({ type: "painted", panel: "profile", what: "showProfile", ms: performance.now() - receivedAt }));
}

/** The trace file's text, parsed and validated like any message from the extension. */
function parseTrace(text: string | undefined): ChromeTrace | undefined {
  if (text === undefined) return undefined;
  let raw: unknown;
  try { raw = JSON.parse(text); } catch (e) { console.error("tensorlens profile: the trace is not JSON:", (e as Error).message); return undefined; }
  const r = ChromeTrace.safeParse(raw);
  if (!r.success) { console.error("tensorlens profile: ignored an invalid trace:", r.error.issues.slice(0, 3)); return undefined; }
  return r.data;
}

function save(): void {
  setState<SavedState>({ groupBy, sortKey, descending, view, key: viewKey });
}

// ---- summary cards ---------------------------------------------------------------------------

function renderCards(): void {
  const s = summary!;
  const t = summaryTotals(s);
  const card = (label: string, value: string, cls = "") => h("div", { class: `tl-card ${cls}` }, h("div", { class: "tl-card-value", text: value }), h("div", { class: "tl-card-label", text: label }));
  const misses = s.jitCalls.reduce((a, j) => a + j.misses, 0), calls = s.jitCalls.reduce((a, j) => a + j.calls, 0);
  cards.replaceChildren(
    card("wall time", formatMs(s.wallMs)),
    card("tracing", formatMs(t.trace), "tl-c-trace"),
    card("compiling", formatMs(t.compile), "tl-c-compile"),
    card("running", formatMs(t.run), "tl-c-run"),
    card("peak memory", formatBytes(s.peakBytes)),
    card("jit calls (cache misses)", `${formatCount(calls)} (${formatCount(misses)})`),
  );
  // The bar: trace | compile | run | other, proportional to wall time.
  timeBar.replaceChildren();
  const total = Math.max(1e-9, t.trace + t.compile + t.run + t.other);
  for (const [k, v] of [["trace", t.trace], ["compile", t.compile], ["run", t.run], ["other", t.other]] as const) {
    const seg = h("span", { class: `tl-seg tl-seg-${k}`, title: `${k}: ${formatMs(v)}` });
    seg.style.flexGrow = String(v / total);
    timeBar.append(seg);
  }
  timeBar.setAttribute("aria-label", `trace ${formatMs(t.trace)}, compile ${formatMs(t.compile)}, run ${formatMs(t.run)}, other ${formatMs(t.other)}`);
}

// ---- the op table ----------------------------------------------------------------------------

const COLUMNS: { key: SortKey; label: string; num: boolean; fmt: (r: OpRow) => string }[] = [
  { key: "label", label: "op", num: false, fmt: (r) => r.label },
  { key: "count", label: "count", num: true, fmt: (r) => formatCount(r.count) },
  { key: "totalUs", label: "total", num: true, fmt: (r) => formatUs(r.totalUs) },
  { key: "meanUs", label: "mean", num: true, fmt: (r) => formatUs(r.meanUs) },
  { key: "flops", label: "FLOPs", num: true, fmt: (r) => formatSI(r.flops) },
  { key: "flopRate", label: "GFLOP/s", num: true, fmt: (r) => (r.flopRate ? (r.flopRate / 1e9).toFixed(r.flopRate >= 1e10 ? 1 : 2) : "–") },
  { key: "bytes", label: "bytes", num: true, fmt: (r) => formatBytes(Math.round(r.bytes)) },
  { key: "byteRate", label: "GB/s", num: true, fmt: (r) => (r.byteRate ? (r.byteRate / 1e9).toFixed(r.byteRate >= 1e10 ? 1 : 2) : "–") },
  { key: "percent", label: "% of total", num: true, fmt: (r) => `${r.percent.toFixed(1)}%` },
];

let rowsShown: OpRow[] = [];
let focusRow = 0;

function renderTable(): void {
  if (!summary) return;
  rowsShown = sortRows(opRows(summary.ops, groupBy), sortKey, descending);
  const head = h("tr", { role: "row" });
  for (const c of COLUMNS) {
    const label = c.key === "label" ? (groupBy === "op" ? "op" : "source line") : c.label;
    const btn = h("button", { class: "tl-sort", type: "button", text: label, "data-sort": c.key });
    btn.addEventListener("click", () => {
      if (sortKey === c.key) descending = !descending; else { sortKey = c.key; descending = c.num; }
      save(); renderTable();
      (table.querySelector(`[data-sort="${c.key}"]`) as HTMLElement | null)?.focus();
    });
    head.append(h("th", { role: "columnheader", class: c.num ? "tl-num" : "", "aria-sort": sortKey === c.key ? (descending ? "descending" : "ascending") : "none" }, btn));
  }
  const body = h("tbody");
  const maxPct = Math.max(1, ...rowsShown.map((r) => r.percent));
  rowsShown.forEach((r, i) => {
    const tr = h("tr", { role: "row", tabindex: i === focusRow ? 0 : -1, "data-key": r.key, class: r.source ? "tl-linked" : "" });
    if (r.source) tr.dataset.source = `${r.source.file}:${r.source.line}`;
    tr.title = r.sources.length ? `${r.detail}\n${r.sources.map((s) => `${s.file}:${s.line}`).join("\n")}` : r.detail;
    for (const c of COLUMNS) {
      const td = h("td", { role: "gridcell", class: c.num ? "tl-num" : "tl-name" });
      if (c.key === "label") {
        td.append(h("span", { class: "tl-op-name", text: r.label }));
        if (groupBy === "op" && r.source) td.append(h("span", { class: "tl-op-src", text: ` ${shortFile(r.source.file)}:${r.source.line}${r.sources.length > 1 ? ` +${r.sources.length - 1}` : ""}` }));
        if (groupBy === "line") td.append(h("span", { class: "tl-op-src", text: ` ${r.detail}` }));
      } else if (c.key === "percent") {
        const bar = h("span", { class: "tl-pct-bar" });
        bar.style.width = `${(r.percent / maxPct) * 100}%`;
        td.append(h("span", { class: "tl-pct" }, bar), h("span", { text: c.fmt(r) }));
      } else td.textContent = c.fmt(r);
      tr.append(td);
    }
    tr.addEventListener("click", () => { focusRow = i; openRow(r); });
    tr.addEventListener("keydown", (e) => rowKey(e, i));
    body.append(tr);
  });
  table.replaceChildren(h("thead", {}, head), body);
}

function openRow(r: OpRow): void {
  if (r.source) post({ type: "openSource", file: r.source.file, line: r.source.line, column: r.source.column });
}

function rowKey(e: KeyboardEvent, i: number): void {
  const rows = table.querySelectorAll<HTMLTableRowElement>("tbody tr");
  let next = i;
  switch (e.key) {
    case "ArrowDown": next = Math.min(rows.length - 1, i + 1); break;
    case "ArrowUp": next = Math.max(0, i - 1); break;
    case "Home": next = 0; break;
    case "End": next = rows.length - 1; break;
    case "Enter": case " ": openRow(rowsShown[i]!); e.preventDefault(); return;
    default: return;
  }
  e.preventDefault();
  rows[i]!.tabIndex = -1;
  rows[next]!.tabIndex = 0;
  rows[next]!.focus();
  focusRow = next;
}

// ---- compiles --------------------------------------------------------------------------------

function renderCompiles(): void {
  const s = summary!;
  compilesList.replaceChildren();
  if (!s.compiles.length) { compilesList.append(h("div", { class: "tl-note", text: "No compilations in this profile." })); return; }
  for (const [i, c] of s.compiles.entries()) {
    const recompile = c.reason !== "first call";
    const item = h("button", { type: "button", class: `tl-compile${recompile ? " tl-recompile" : ""}`, "data-index": i },
      h("div", { class: "tl-compile-head" },
        h("span", { class: "tl-compile-fn", text: `jit(${c.fn})` }),
        h("span", { class: "tl-compile-times", text: `trace ${formatMs(c.traceMs)} · compile ${formatMs(c.compileMs)}` })),
      h("div", { class: "tl-compile-reason", text: recompile ? `recompiled: ${c.reason}` : c.reason }),
      h("div", { class: "tl-compile-sig", text: c.signature }));
    if (c.source) {
      const src = c.source;
      item.title = `${src.file}:${src.line}`;
      item.addEventListener("click", () => post({ type: "openSource", file: src.file, line: src.line, column: src.column }));
    } else item.disabled = true;
    compilesList.append(item);
  }
}

// ---- the timeline ----------------------------------------------------------------------------

const LABEL_W = 170, ROW_H = 16, TRACK_GAP = 6, AXIS_H = 18;
let layout: { track: Track; y: number; h: number }[] = [];
let frame = 0;
/** Milliseconds the last timeline draw took (read by the tests' pan measurement). */
let lastDrawMs = 0;

function colorOf(cat: string | undefined, name: string): RGB {
  switch (cat) {
    case "jit": return pal.blue;
    case "execute": case "program": return pal.purple;
    case "trace": return pal.yellow;
    case "compile": return pal.orange;
    case "kernel": return pal.green;
    case "thread": return pal.muted;
    case "eager": return pal.red;
    case "op": return mixHash(pal.blue, pal.green, name);
    default: return mixHash(pal.orange, pal.purple, name);
  }
}
function mixHash(a: RGB, b: RGB, s: string): RGB {
  let x = 0;
  for (let i = 0; i < s.length; i++) x = (x * 31 + s.charCodeAt(i)) | 0;
  const t = ((x >>> 0) % 5) / 4;
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

function requestDraw(): void {
  if (frame) return;
  frame = requestAnimationFrame(() => { frame = 0; drawNow(); });
}

function drawNow(): void {
  if (!timeline) return;
  const t = performance.now();
  drawTimeline();
  drawMemory();
  lastDrawMs = performance.now() - t;
  tlCanvas.dataset.drawMs = lastDrawMs.toFixed(3);
  tlCanvas.dataset.view = `${view.t0},${view.t1}`;
  // Where the tracks are drawn (CSS px from the canvas's top; slices start at LABEL_W): for tests and tools.
  tlCanvas.dataset.layout = JSON.stringify({ labelWidth: LABEL_W, rowHeight: ROW_H, tracks: layout.map((l) => ({ name: l.track.name, y: l.y, levels: l.track.levels.length })) });
}

function drawTimeline(): void {
  const tl = timeline!;
  // Height: every track's levels, capped; the canvas's CSS height follows.
  layout = [];
  let y = AXIS_H;
  for (const track of tl.tracks) {
    const hgt = Math.max(1, track.levels.length) * ROW_H;
    layout.push({ track, y, h: hgt });
    y += hgt + TRACK_GAP;
  }
  const cssH = Math.min(Math.max(y, 80), 420);
  if (tlCanvas.style.height !== `${cssH}px`) tlCanvas.style.height = `${cssH}px`;
  const { ctx, width, height } = fitCanvas(tlCanvas);
  ctx.clearRect(0, 0, width, height);
  const plotW = Math.max(10, width - LABEL_W);
  const scale = plotW / (view.t1 - view.t0);
  const X = (ts: number) => LABEL_W + (ts - view.t0) * scale;
  drawAxis(ctx, width, plotW);
  ctx.font = canvasFont(11);
  ctx.textBaseline = "middle";
  for (const { track, y: ty, h: th } of layout) {
    if (ty > height) break;
    // Track label and a faint band.
    ctx.fillStyle = rgb(pal.fg, 0.04);
    ctx.fillRect(0, ty, width, th);
    ctx.fillStyle = rgb(pal.fg);
    ctx.textAlign = "left";
    ctx.fillText(clip(ctx, track.name, LABEL_W - 8), 4, ty + Math.min(th, ROW_H) / 2);
    ctx.save();
    ctx.beginPath(); ctx.rect(LABEL_W, ty, plotW, th); ctx.clip();
    for (let d = 0; d < track.levels.length; d++) {
      const lv = track.levels[d]!;
      const ry = ty + d * ROW_H + 1, rh = ROW_H - 2;
      let i = firstEndingAfter(lv, view.t0);
      let lastPx = -1;
      for (; i < lv.start.length; i++) {
        const s = lv.start[i]!;
        if (s >= view.t1) break;
        const x0 = X(s), x1 = X(lv.end[i]!);
        const ev = lv.event[i]!;
        if (x1 - x0 < 1) {
          // Sub-pixel slices: one pixel column per pixel, however many fall in it.
          const px = Math.floor(x0);
          if (px === lastPx) continue;
          lastPx = px;
          const e = tl.events[ev]!;
          ctx.fillStyle = rgb(colorOf(e.cat, e.name), 0.85);
          ctx.fillRect(px, ry, 1, rh);
          continue;
        }
        const e = tl.events[ev]!;
        const bx = Math.max(x0, LABEL_W - 1), bw = Math.min(x1, width + 1) - bx;
        ctx.fillStyle = rgb(colorOf(e.cat, e.name), ev === selected ? 1 : 0.85);
        ctx.fillRect(bx, ry, Math.max(1, bw - 0.5), rh);
        if (ev === selected || ev === hovered) {
          ctx.strokeStyle = rgb(ev === selected ? pal.focus : pal.fg);
          ctx.lineWidth = ev === selected ? 2 : 1;
          ctx.strokeRect(bx + 0.5, ry + 0.5, Math.max(1, bw - 1.5), rh - 1);
        }
        if (bw > 36) {
          ctx.fillStyle = rgb(pal.bg);
          ctx.fillText(clip(ctx, e.name, bw - 6), bx + 3, ry + rh / 2 + 0.5);
        }
        lastPx = Math.floor(x1);
      }
    }
    ctx.restore();
  }
}

function drawAxis(ctx: CanvasRenderingContext2D, width: number, plotW: number): void {
  const span = view.t1 - view.t0;
  const stepUs = niceStep(span / Math.max(1, plotW / 110));
  ctx.fillStyle = rgb(pal.muted);
  ctx.strokeStyle = rgb(pal.border);
  ctx.font = canvasFont(10);
  ctx.textBaseline = "top";
  ctx.textAlign = "left";
  const first = Math.ceil(view.t0 / stepUs) * stepUs;
  for (let t = first; t < view.t1; t += stepUs) {
    const x = LABEL_W + ((t - view.t0) / span) * plotW;
    ctx.beginPath(); ctx.moveTo(x + 0.5, AXIS_H - 4); ctx.lineTo(x + 0.5, tlCanvas.clientHeight); ctx.globalAlpha = 0.35; ctx.stroke(); ctx.globalAlpha = 1;
    ctx.fillText(formatUs(t - (timeline?.t0 ?? 0)), x + 3, 2);
  }
  ctx.fillText(`window ${formatUs(span)}`, 4, 2);
  void width;
}

function niceStep(x: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(Math.max(x, 1e-6))));
  const m = x / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

function clip(ctx: CanvasRenderingContext2D, s: string, w: number): string {
  if (ctx.measureText(s).width <= w) return s;
  let lo = 0, hi = s.length;
  while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (ctx.measureText(s.slice(0, mid) + "…").width <= w) lo = mid; else hi = mid - 1; }
  return lo ? s.slice(0, lo) + "…" : "";
}

function drawMemory(): void {
  const tl = timeline!;
  const { ctx, width, height } = fitCanvas(memCanvas);
  ctx.clearRect(0, 0, width, height);
  ctx.font = canvasFont(11);
  ctx.fillStyle = rgb(pal.fg);
  ctx.textBaseline = "top";
  ctx.textAlign = "left";
  ctx.fillText("live memory", 4, 2);
  ctx.fillStyle = rgb(pal.muted);
  ctx.fillText(`peak ${formatBytes(tl.memory.peak)}`, 4, 16);
  const m = tl.memory;
  if (!m.ts.length) { ctx.fillText("no memory samples", LABEL_W + 4, 2); return; }
  const plotW = Math.max(10, width - LABEL_W);
  const X = (ts: number) => LABEL_W + ((ts - view.t0) / (view.t1 - view.t0)) * plotW;
  const Y = (b: number) => height - 2 - (b / Math.max(1, m.peak)) * (height - 6);
  ctx.save();
  ctx.beginPath(); ctx.rect(LABEL_W, 0, plotW, height); ctx.clip();
  ctx.beginPath();
  let i = Math.max(0, lowerBound(m.ts, view.t0) - 1);
  ctx.moveTo(X(m.ts[i]!), Y(0));
  let lastX = -Infinity;
  for (; i < m.ts.length; i++) {
    const x = X(m.ts[i]!);
    if (x - lastX < 0.5 && i + 1 < m.ts.length && m.ts[i + 1]! < view.t1) continue;
    ctx.lineTo(x, Y(i > 0 ? m.bytes[i - 1]! : 0));
    ctx.lineTo(x, Y(m.bytes[i]!));
    lastX = x;
    if (m.ts[i]! > view.t1) break;
  }
  ctx.lineTo(Math.min(width, X(m.ts[Math.min(i, m.ts.length - 1)]!)), Y(0));
  ctx.closePath();
  ctx.fillStyle = rgb(pal.blue, 0.25);
  ctx.fill();
  ctx.strokeStyle = rgb(pal.blue);
  ctx.stroke();
  ctx.restore();
}

function lowerBound(a: Float64Array, t: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (a[mid]! < t) lo = mid + 1; else hi = mid; }
  return lo;
}

// ---- zoom, pan, pick -------------------------------------------------------------------------

function clampView(): void {
  if (!timeline) return;
  const full = timeline.t1 - timeline.t0;
  let span = Math.min(full * 1.05, Math.max(0.01, view.t1 - view.t0));
  let t0 = view.t0;
  t0 = Math.max(timeline.t0 - full * 0.025, Math.min(t0, timeline.t1 + full * 0.025 - span));
  view = { t0, t1: t0 + span };
  void span;
}

function zoomAt(factor: number, at: number): void {
  view = { t0: at + (view.t0 - at) * factor, t1: at + (view.t1 - at) * factor };
  clampView();
  save();
  requestDraw();
}

function panBy(fraction: number): void {
  const d = (view.t1 - view.t0) * fraction;
  view = { t0: view.t0 + d, t1: view.t1 + d };
  clampView();
  save();
  requestDraw();
}

function timeAt(clientX: number): number {
  const r = tlCanvas.getBoundingClientRect();
  const plotW = Math.max(10, r.width - LABEL_W);
  return view.t0 + ((clientX - r.left - LABEL_W) / plotW) * (view.t1 - view.t0);
}

/** The event under a point, or -1. */
function pick(clientX: number, clientY: number): number {
  const r = tlCanvas.getBoundingClientRect();
  const x = clientX - r.left, y = clientY - r.top;
  if (x < LABEL_W) return -1;
  const t = timeAt(clientX);
  // A sub-pixel slice is hard to hit: accept the nearest within 3 px.
  const tol = (3 / Math.max(10, r.width - LABEL_W)) * (view.t1 - view.t0);
  for (const l of layout) {
    if (y < l.y || y >= l.y + l.h) continue;
    const depth = Math.floor((y - l.y) / ROW_H);
    const ev = sliceAt(l.track, depth, t);
    if (ev >= 0) return ev;
    const lv = l.track.levels[depth];
    if (!lv) return -1;
    const i = firstEndingAfter(lv, t - tol);
    return i < lv.start.length && lv.start[i]! <= t + tol ? lv.event[i]! : -1;
  }
  return -1;
}

function openEvent(ev: number): void {
  const e = timeline?.events[ev];
  if (!e) return;
  const src = sourceOfEvent(e);
  if (src) post({ type: "openSource", file: src.file, line: src.line, column: src.column });
}

function showTip(ev: number, clientX: number, clientY: number): void {
  const e = timeline!.events[ev]!;
  const src = sourceOfEvent(e);
  const lines = [e.name, `${formatUs(e.dur ?? 0)} at ${formatUs(e.ts! - timeline!.t0)}`];
  if (src) lines.push(`${shortFile(src.file)}:${src.line}`);
  const a = e.args ?? {};
  if (typeof a.flops === "number" && a.flops) lines.push(`${formatSI(a.flops)}FLOP`);
  if (typeof a.reason === "string") lines.push(a.reason);
  if (typeof a.cache === "string") lines.push(`cache ${a.cache}`);
  tlTooltip.replaceChildren(...lines.map((l, i) => h("div", { class: i ? "" : "tl-tip-title", text: l })));
  const r = tlCanvas.getBoundingClientRect();
  tlTooltip.classList.add("tl-visible");
  // Keep it inside the canvas: left of the pointer when it would overflow on the right.
  const w = tlTooltip.offsetWidth;
  const x = clientX - r.left;
  tlTooltip.style.left = `${Math.max(0, x + 12 + w > r.width ? x - 12 - w : x + 12)}px`;
  tlTooltip.style.top = `${clientY - r.top + 14}px`;
}

let drag: { x: number; t0: number; t1: number; moved: boolean } | undefined;

tlCanvas.addEventListener("wheel", (e) => {
  if (!timeline) return;
  e.preventDefault();
  if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) panBy((e.deltaX || e.deltaY) / 1000);
  else zoomAt(e.deltaY < 0 ? 0.8 : 1.25, timeAt(e.clientX));
}, { passive: false });
tlCanvas.addEventListener("mousedown", (e) => { if (e.button === 0) drag = { x: e.clientX, t0: view.t0, t1: view.t1, moved: false }; });
window.addEventListener("mousemove", (e) => {
  if (!timeline) return;
  if (drag && (e.buttons & 1)) {
    const r = tlCanvas.getBoundingClientRect();
    const dx = e.clientX - drag.x;
    if (Math.abs(dx) > 2) drag.moved = true;
    const dt = (dx / Math.max(10, r.width - LABEL_W)) * (drag.t1 - drag.t0);
    view = { t0: drag.t0 - dt, t1: drag.t1 - dt };
    clampView();
    requestDraw();
    return;
  }
  if (e.target !== tlCanvas) return;
  const ev = pick(e.clientX, e.clientY);
  if (ev !== hovered) { hovered = ev; requestDraw(); }
  if (ev >= 0) showTip(ev, e.clientX, e.clientY); else tlTooltip.classList.remove("tl-visible");
});
window.addEventListener("mouseup", (e) => {
  if (!drag) return;
  const wasDrag = drag.moved;
  drag = undefined;
  if (wasDrag) { save(); return; }
  if (e.target !== tlCanvas) return;
  const ev = pick(e.clientX, e.clientY);
  selected = ev;
  requestDraw();
  if (ev >= 0) openEvent(ev);
});
tlCanvas.addEventListener("mouseleave", () => { tlTooltip.classList.remove("tl-visible"); if (hovered >= 0) { hovered = -1; requestDraw(); } });

tlCanvas.addEventListener("keydown", (e) => {
  if (!timeline) return;
  const mid = (view.t0 + view.t1) / 2;
  switch (e.key) {
    case "ArrowLeft": case "a": case "A": panBy(-0.1); break;
    case "ArrowRight": case "d": case "D": panBy(0.1); break;
    case "w": case "W": case "+": case "=": zoomAt(0.8, mid); break;
    case "s": case "S": case "-": case "_": zoomAt(1.25, mid); break;
    case "0": case "Home": view = { t0: timeline.t0, t1: timeline.t1 }; clampView(); save(); requestDraw(); break;
    case "Tab": return;
    case "ArrowDown": case "ArrowUp": selectNext(e.key === "ArrowDown" ? 1 : -1); break;
    case "Enter": if (selected >= 0) openEvent(selected); break;
    default: return;
  }
  e.preventDefault();
});

/** Keyboard selection: the next/previous slice (in time) on the first track, brought into view. */
function selectNext(dir: 1 | -1): void {
  const tl = timeline!;
  const track = tl.tracks[0];
  if (!track || !track.levels[0]) return;
  const lv = track.levels[0];
  let idx = selected >= 0 ? [...lv.event].indexOf(selected) : -1;
  idx = idx < 0 ? (dir > 0 ? firstEndingAfter(lv, view.t0) : firstEndingAfter(lv, view.t1) - 1) : idx + dir;
  idx = Math.max(0, Math.min(lv.event.length - 1, idx));
  selected = lv.event[idx]!;
  const s = lv.start[idx]!, en = lv.end[idx]!;
  if (s < view.t0 || en > view.t1) { const span = view.t1 - view.t0; view = { t0: s - span * 0.1, t1: s + span * 0.9 }; clampView(); }
  const e = tl.events[selected]!;
  tlNote.textContent = `${e.name}: ${formatUs(e.dur ?? 0)}${sourceOfEvent(e) ? ` · ${shortFile(sourceOfEvent(e)!.file)}:${sourceOfEvent(e)!.line} (Enter opens it)` : ""}`;
  requestDraw();
}

// ---- lifecycle -------------------------------------------------------------------------------

onThemeChange(() => { pal = palette(); drawNow(); });
new ResizeObserver(() => requestDraw()).observe(tlCanvas);

post({ type: "ready" });

