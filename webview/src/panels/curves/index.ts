/**
 * Training curves: the `metric` messages of a running program (its `report()` calls), one
 * uPlot chart per metric, updated live (at most once a frame), with a log-scale toggle and an
 * exponential-moving-average smoothing slider (TensorBoard's: the raw curve stays, faint). While
 * the run is live (`runState`), Cancel posts `cancelRun` with the run's id.
 *
 * The points are kept in the webview state (capped), so the curves survive hide/show without
 * the extension replaying them.
 */
import "../shared/zod-config.js";
import uPlot from "uplot";
import type { HostMessage } from "../../../../engine/src/runner/protocol.js";
import { getState, onHostMessage, post, setState } from "../../shared/host.js";
import { h } from "../shared/dom.js";
import { formatCount, formatStat } from "../shared/format.js";
import { canvasFont, onThemeChange, palette, rgb, type Palette } from "../shared/theme.js";

/** Points kept per metric (older ones are thinned by half when it is reached). */
export const MAX_POINTS = 20_000;

interface Series { name: string; x: number[]; y: (number | null)[] }
interface SavedState { smoothing?: number; log?: boolean; series?: Series[]; run?: { running: boolean; id?: string; label?: string; status?: string } }

const root = document.getElementById("root")!;
let pal: Palette = palette();
const saved = getState<SavedState>();
let smoothing = saved.smoothing ?? 0.6;
let logScale = saved.log ?? false;
let run = saved.run ?? { running: false };
const series = new Map<string, Series>();
for (const s of saved.series ?? []) series.set(s.name, s);
const charts = new Map<string, { plot: uPlot; box: HTMLElement; last: HTMLElement }>();
/** Metric index when a message has no step: the count of messages so far. */
let arrivals = 0;
for (const s of series.values()) arrivals = Math.max(arrivals, s.x.length);

// ---- the page's parts ------------------------------------------------------------------------

const title = h("h1", { class: "tl-title", text: "Training curves" });
const runStatus = h("span", { class: "tl-run-status", role: "status", "aria-live": "polite" });
const cancel = h("button", { class: "tl-button", type: "button", text: "Cancel run", "aria-label": "Cancel the running program" });
cancel.addEventListener("click", () => { if (run.running && run.id) { post({ type: "cancelRun", id: run.id }); cancel.disabled = true; runStatus.textContent = "cancelling…"; } });
const logBox = h("input", { type: "checkbox", id: "tl-log", class: "tl-check" });
logBox.checked = logScale;
logBox.addEventListener("change", () => { logScale = logBox.checked; save(); rebuildCharts(); });
const smooth = h("input", { type: "range", min: 0, max: 0.99, step: 0.01, value: smoothing, class: "tl-slider", id: "tl-smoothing", "aria-label": "Smoothing" });
const smoothValue = h("output", { class: "tl-slider-value", text: smoothing.toFixed(2) });
smooth.addEventListener("input", () => { smoothing = Number(smooth.value); smoothValue.textContent = smoothing.toFixed(2); save(); for (const name of charts.keys()) dirty.add(name); schedule(); });
const grid = h("div", { class: "tl-charts" });
const empty = h("div", { class: "tl-empty-note", text: "Waiting for metrics: call report({ loss }) in a running program." });

root.append(
  h("header", { class: "tl-header" }, title, runStatus, h("span", { class: "tl-spacer" }), cancel),
  h("div", { class: "tl-controls", role: "toolbar", "aria-label": "Chart options" },
    h("label", { class: "tl-field", for: "tl-log" }, logBox, "log scale"),
    h("label", { class: "tl-field", for: "tl-smoothing" }, "smoothing ", smooth, smoothValue)),
  empty,
  grid,
);

// ---- messages --------------------------------------------------------------------------------

onHostMessage((m) => {
  switch (m.type) {
    case "metric": addMetric(m); break;
    case "runState":
      // A new run starts with empty curves.
      if (m.running && m.id !== undefined && m.id !== run.id) reset();
      run = { running: m.running, ...(m.id !== undefined ? { id: m.id } : {}), ...(m.label ? { label: m.label } : {}), ...(m.status ? { status: m.status } : {}) };
      renderRun();
      save();
      break;
    case "clear": reset(); empty.textContent = m.reason; break;
    default: break;
  }
});

function addMetric(m: Extract<HostMessage, { type: "metric" }>): void {
  const x = m.step ?? arrivals;
  arrivals++;
  for (const [name, v] of Object.entries(m.values)) {
    let s = series.get(name);
    if (!s) series.set(name, (s = { name, x: [], y: [] }));
    s.x.push(x);
    s.y.push(v === null || !Number.isFinite(v) ? null : v);
    if (s.x.length > MAX_POINTS) thin(s);
    dirty.add(name);
  }
  schedule();
}

function thin(s: Series): void {
  s.x = s.x.filter((_, i) => i % 2 === 0 || i === s.x.length - 1);
  s.y = s.y.filter((_, i) => i % 2 === 0 || i === s.y.length - 1);
}

function reset(): void {
  series.clear();
  arrivals = 0;
  for (const c of charts.values()) { c.plot.destroy(); c.box.remove(); }
  charts.clear();
  empty.classList.remove("tl-hidden");
  save();
}

// ---- drawing ---------------------------------------------------------------------------------

const dirty = new Set<string>();
let frame = 0;
let saveTimer: ReturnType<typeof setTimeout> | undefined;

function schedule(): void {
  if (!frame) frame = requestAnimationFrame(flush);
  if (!saveTimer) saveTimer = setTimeout(() => { saveTimer = undefined; save(); }, 500);
}

function flush(): void {
  frame = 0;
  for (const name of dirty) {
    const s = series.get(name);
    if (!s) continue;
    let c = charts.get(name);
    if (!c) c = makeChart(s);
    c.plot.setData([s.x, s.y, ema(s.y, smoothing)] as uPlot.AlignedData);
    c.box.dataset.points = String(s.x.length);
    const lastY = lastFinite(s.y);
    c.last.textContent = `step ${formatCount(s.x[s.x.length - 1] ?? 0)}: ${formatStat(lastY)}${smoothing > 0 ? ` (smoothed ${formatStat(lastFinite(ema(s.y, smoothing)))})` : ""}`;
    c.box.dataset.last = String(lastY);
  }
  dirty.clear();
  empty.classList.toggle("tl-hidden", series.size > 0);
  grid.dataset.charts = String(charts.size);
}

function lastFinite(ys: (number | null)[]): number | null {
  for (let i = ys.length - 1; i >= 0; i--) if (ys[i] !== null) return ys[i]!;
  return null;
}

/** TensorBoard's smoothing: an exponential moving average with debiasing, skipping gaps. */
export function ema(ys: readonly (number | null)[], weight: number): (number | null)[] {
  if (weight <= 0) return [...ys];
  const out: (number | null)[] = new Array(ys.length);
  let acc = 0, n = 0;
  for (let i = 0; i < ys.length; i++) {
    const v = ys[i];
    if (v === null || v === undefined) { out[i] = null; continue; }
    acc = acc * weight + (1 - weight) * v;
    n++;
    out[i] = acc / (1 - Math.pow(weight, n));
  }
  return out;
}

function chartWidth(): number {
  const w = grid.clientWidth || root.clientWidth || 600;
  const cols = w >= 900 ? 2 : 1;
  return Math.floor((w - (cols - 1) * 12) / cols) - 2;
}

function makeChart(s: Series): { plot: uPlot; box: HTMLElement; last: HTMLElement } {
  const index = charts.size;
  const color = pal.series[index % pal.series.length]!;
  const last = h("span", { class: "tl-chart-last" });
  const box = h("figure", { class: "tl-chart", "data-metric": s.name, role: "group", "aria-label": `${s.name} over steps` },
    h("figcaption", {}, h("span", { class: "tl-chart-name", text: s.name }), last));
  grid.append(box);
  const axis = { stroke: rgb(pal.muted), grid: { stroke: rgb(pal.border), width: 1 }, ticks: { stroke: rgb(pal.border), width: 1 }, font: canvasFont(11) };
  const opts: uPlot.Options = {
    width: chartWidth(),
    height: 200,
    legend: { show: true, live: true },
    cursor: { drag: { x: true, y: false } },
    scales: { x: { time: false }, y: logScale ? { distr: 3, log: 10 } : {} },
    axes: [{ ...axis }, { ...axis, size: 56 }],
    series: [
      { label: "step" },
      { label: s.name, stroke: rgb(color, smoothing > 0 ? 0.3 : 1), width: 1, spanGaps: false, points: { show: false } },
      { label: "smoothed", stroke: rgb(color), width: 2, spanGaps: false, points: { show: false }, show: smoothing > 0 },
    ],
  };
  const plot = new uPlot(opts, [s.x, s.y, ema(s.y, smoothing)] as uPlot.AlignedData, box);
  const c = { plot, box, last };
  charts.set(s.name, c);
  return c;
}

function rebuildCharts(): void {
  for (const c of charts.values()) { c.plot.destroy(); c.box.remove(); }
  charts.clear();
  for (const name of series.keys()) dirty.add(name);
  flush();
}

function renderRun(): void {
  cancel.disabled = !(run.running && run.id);
  cancel.classList.toggle("tl-hidden", !run.running && !run.id);
  title.textContent = run.label ? `Training curves: ${run.label}` : "Training curves";
  runStatus.textContent = run.running ? "running" : run.status ? `finished (${run.status})` : run.id ? "finished" : "";
  runStatus.classList.toggle("tl-live", run.running);
}

function save(): void {
  setState<SavedState>({ smoothing, log: logScale, series: [...series.values()], run });
}

// ---- lifecycle -------------------------------------------------------------------------------

let lastWidth = 0;
new ResizeObserver(() => {
  const w = chartWidth();
  if (w === lastWidth) return;
  lastWidth = w;
  for (const c of charts.values()) c.plot.setSize({ width: w, height: 200 });
}).observe(grid);
onThemeChange(() => { pal = palette(); rebuildCharts(); });

renderRun();
// Toggling the smoothed series when smoothing crosses 0 needs the series' show flags: rebuild.
smooth.addEventListener("change", () => rebuildCharts());
for (const name of series.keys()) dirty.add(name);
if (series.size) schedule();
post({ type: "ready" });
