/**
 * The array viewer panel: one array from a result. Scalars as a number, 1-D as a line or bar
 * chart, 2-D and up as a canvas heatmap of two chosen axes (sliders pick the index on the
 * others), with a colour scale, hover values, NaN/Inf in their own colours, a histogram,
 * statistics and copy as JSON/CSV.
 *
 * Large arrays arrive without data: the runner's downsampled preview is drawn at once, and the
 * panel asks for detail (`fetchSlice`) when the view moves (zoom, pan, a slider), drawing the
 * best data it already has meanwhile. Nothing here is per-element DOM: one canvas per drawing.
 */
import "../shared/zod-config.js";
import type { ArrayLeaf, ArraySlice, HostMessage } from "../../../../engine/src/runner/protocol.js";
import { shapeLabel } from "../../../../engine/src/runner/display.js";
import { getState, onHostMessage, post, setState } from "../../shared/host.js";
import { afterPaint, fitCanvas, h } from "../shared/dom.js";
import { formatCount, formatStat, formatValue } from "../shared/format.js";
import { canvasFont, onThemeChange, palette, rgb, type Palette } from "../shared/theme.js";
import { colorScale, type ColorScale } from "./colors.js";
import {
  clampWindow, covers, detailRequest, histogram, planeCsv, planeJson, planeOf, viewIndex, viewOfLeaf, viewOfSlice,
  type Histogram, type Plane, type View, type Window,
} from "./model.js";

interface SavedState {
  key?: string;
  rowAxis?: number;
  colAxis?: number;
  fixed?: number[];
  window?: Window;
  chart?: "auto" | "line" | "bar";
}

type Shown = Extract<HostMessage, { type: "showArray" }>;

interface Current {
  msg: Shown;
  leaf: ArrayLeaf;
  key: string;
  rank: number;
  /** The whole array, or the runner's preview (undefined until one arrives). */
  base?: View;
  /** The last fetched detail. */
  detail?: View;
  rowAxis: number;
  colAxis: number;
  fixed: number[];
  window: Window;
  chart: "auto" | "line" | "bar";
  scale: ColorScale;
  hist?: Histogram;
  /** The keyboard cursor (original indices on the row and column axes). */
  cursor: { r: number; c: number };
  pendingId?: string;
  pendingKey?: string;
}

const root = document.getElementById("root")!;
let pal: Palette = palette();
let cur: Current | undefined;
let nextRequest = 1;
let fetchTimer: ReturnType<typeof setTimeout> | undefined;

// ---- the page's parts ------------------------------------------------------------------------

const title = h("h1", { class: "tl-title" });
const subtitle = h("span", { class: "tl-subtitle" });
const controls = h("div", { class: "tl-controls", role: "toolbar", "aria-label": "Array view" });
const status = h("div", { class: "tl-status", role: "status", "aria-live": "polite" });
const canvas = h("canvas", { class: "tl-main-canvas", tabindex: 0, role: "img", "aria-label": "Array" });
const tooltip = h("div", { class: "tl-tooltip", role: "tooltip", "aria-hidden": "true" });
const legend = h("canvas", { class: "tl-legend", "aria-hidden": "true" });
const legendLabels = h("div", { class: "tl-legend-labels" });
const specials = h("div", { class: "tl-specials" });
const statsTable = h("table", { class: "tl-stats" });
const histCanvas = h("canvas", { class: "tl-hist", role: "img", "aria-label": "Histogram" });
const histNote = h("div", { class: "tl-note" });
const empty = h("div", { class: "tl-empty", text: "Open an array from the Tensorlens results tree." });

root.append(
  h("header", { class: "tl-header" }, title, subtitle),
  controls,
  h("div", { class: "tl-body" },
    h("section", { class: "tl-plot" }, h("div", { class: "tl-canvas-wrap" }, canvas, tooltip), h("div", { class: "tl-legend-row" }, legend, legendLabels), specials),
    h("aside", { class: "tl-side" }, h("h2", { text: "Statistics" }), statsTable, h("h2", { text: "Histogram" }), histCanvas, histNote)),
  status,
  empty,
);
root.classList.add("tl-empty-state");

// ---- messages --------------------------------------------------------------------------------

onHostMessage((m, receivedAt) => {
  switch (m.type) {
    case "showArray": show(m, receivedAt); break;
    case "slice": onSlice(m.requestId, m.slice, receivedAt); break;
    case "sliceFailed":
      if (cur && m.requestId === cur.pendingId) { cur.pendingId = undefined; cur.pendingKey = undefined; setStatus(`Could not fetch detail: ${m.message}`); }
      break;
    case "clear":
      cur = undefined;
      root.classList.add("tl-empty-state");
      empty.textContent = m.reason;
      break;
    default: break; // messages for other panels
  }
});

function show(m: Shown, receivedAt: number): void {
  const leaf = m.leaf;
  const rank = leaf.shape.length;
  const key = `${m.path.join("/")}|${leaf.shape.join("x")}|${leaf.dtype}`;
  const saved = getState<SavedState>();
  const same = saved.key === key;
  let rowAxis = rank >= 2 ? rank - 2 : -1, colAxis = rank >= 1 ? rank - 1 : 0;
  let fixed = leaf.shape.map(() => 0);
  if (same && saved.rowAxis !== undefined && saved.colAxis !== undefined && saved.rowAxis !== saved.colAxis && saved.colAxis < rank && saved.rowAxis < rank) {
    rowAxis = saved.rowAxis; colAxis = saved.colAxis;
  }
  if (same && saved.fixed && saved.fixed.length === rank) fixed = saved.fixed.map((v, a) => Math.max(0, Math.min(leaf.shape[a]! - 1, v)));
  const full = fullWindow(leaf.shape, rowAxis, colAxis);
  const window = same && saved.window ? clampWindow(saved.window, full.r1, full.c1) : full;
  const base = viewOfLeaf(leaf) ?? (m.preview ? viewOfSlice(m.preview) : undefined);
  cur = {
    msg: m, leaf, key, rank, base, rowAxis, colAxis, fixed, window,
    chart: same && saved.chart ? saved.chart : "auto",
    scale: colorScale(leaf.stats.min, leaf.stats.max, pal),
    cursor: { r: window.r0, c: window.c0 },
  };
  if (base && leaf.stats.min !== null) cur.hist = histogram(base.values, leaf.stats.min, leaf.stats.max!);
  else if (base) cur.hist = histogram(base.values, 0, 1);
  root.classList.remove("tl-empty-state");
  title.textContent = m.label;
  subtitle.textContent = `${m.path.length ? m.path.join("/") + " · " : ""}${shapeLabel(leaf)} · ${formatCount(leaf.size)} element${leaf.size === 1 ? "" : "s"}`;
  canvas.setAttribute("aria-label", `${shapeLabel(leaf)} ${rank >= 2 ? "heatmap" : rank === 1 ? "chart" : "value"}; arrow keys move, + and - zoom, 0 resets`);
  buildControls();
  renderStats();
  saveState();
  draw();
  scheduleDetail(0);
  void afterPaint().then(() => post({ type: "painted", panel: "arrayViewer", what: "showArray", ms: performance.now() - receivedAt }));
}

function onSlice(requestId: string, slice: ArraySlice, receivedAt: number): void {
  if (!cur || requestId !== cur.pendingId) return; // a stale answer: the view moved on
  cur.pendingId = undefined; cur.pendingKey = undefined;
  cur.detail = viewOfSlice(slice);
  if (!cur.base) {
    // No preview came: the first answer (the whole array, downsampled) is the base.
    cur.base = cur.detail;
    if (cur.leaf.stats.min !== null) cur.hist = histogram(cur.base.values, cur.leaf.stats.min, cur.leaf.stats.max!);
    renderStats();
    draw();
  } else draw(false);
  void afterPaint().then(() => post({ type: "painted", panel: "arrayViewer", what: "slice", ms: performance.now() - receivedAt }));
}

// ---- controls --------------------------------------------------------------------------------

function fullWindow(shape: readonly number[], rowAxis: number, colAxis: number): Window {
  return { r0: 0, r1: rowAxis < 0 ? 1 : shape[rowAxis]!, c0: 0, c1: shape.length === 0 ? 1 : shape[colAxis]! };
}

function buildControls(): void {
  const c = cur!;
  controls.replaceChildren();
  if (c.rank >= 2) {
    const axisSelect = (label: string, value: number, onChange: (v: number) => void) => {
      const sel = h("select", { "aria-label": label, class: "tl-select" });
      c.leaf.shape.forEach((n, a) => sel.append(h("option", { value: a, text: `axis ${a} (${n})` })));
      sel.value = String(value);
      sel.addEventListener("change", () => onChange(Number(sel.value)));
      return h("label", { class: "tl-field" }, `${label} `, sel);
    };
    controls.append(
      axisSelect("Rows", c.rowAxis, (a) => setAxes(a, a === c.colAxis ? c.rowAxis : c.colAxis)),
      axisSelect("Columns", c.colAxis, (a) => setAxes(a === c.rowAxis ? c.colAxis : c.rowAxis, a)),
    );
    for (let a = 0; a < c.rank; a++) {
      if (a === c.rowAxis || a === c.colAxis) continue;
      const n = c.leaf.shape[a]!;
      const value = h("output", { class: "tl-slider-value", text: `${c.fixed[a]} / ${n - 1}` });
      const slider = h("input", { type: "range", min: 0, max: n - 1, step: 1, value: c.fixed[a]!, class: "tl-slider", "data-axis": a, "aria-label": `Index on axis ${a}` });
      slider.addEventListener("input", () => {
        c.fixed[a] = Number(slider.value);
        value.textContent = `${c.fixed[a]} / ${n - 1}`;
        slider.setAttribute("aria-valuetext", `index ${c.fixed[a]} of ${n}`);
        c.detail = undefined;
        saveState();
        draw(false);
        scheduleDetail(40);
        const t = performance.now();
        void afterPaint().then(() => post({ type: "painted", panel: "arrayViewer", what: "slider", ms: performance.now() - t }));
      });
      controls.append(h("label", { class: "tl-field tl-slider-field" }, `axis ${a} `, slider, value));
    }
  } else if (c.rank === 1) {
    const sel = h("select", { "aria-label": "Chart", class: "tl-select" });
    for (const v of ["auto", "line", "bar"]) sel.append(h("option", { value: v, text: v }));
    sel.value = c.chart;
    sel.addEventListener("change", () => { c.chart = sel.value as Current["chart"]; saveState(); draw(); });
    controls.append(h("label", { class: "tl-field" }, "Chart ", sel));
  }
  if (c.rank >= 1) {
    const reset = h("button", { class: "tl-button", type: "button", text: "Reset zoom", title: "Show the whole axis range (0)" });
    reset.addEventListener("click", () => resetZoom());
    controls.append(reset);
  }
  const copyJson = h("button", { class: "tl-button", type: "button", text: "Copy JSON", "data-copy": "json" });
  const copyCsv = h("button", { class: "tl-button", type: "button", text: "Copy CSV", "data-copy": "csv" });
  copyJson.addEventListener("click", () => copy("json"));
  copyCsv.addEventListener("click", () => copy("csv"));
  controls.append(h("span", { class: "tl-spacer" }), copyJson, copyCsv);
}

function setAxes(rowAxis: number, colAxis: number): void {
  const c = cur!;
  if (rowAxis === colAxis) return;
  c.rowAxis = rowAxis; c.colAxis = colAxis;
  c.window = fullWindow(c.leaf.shape, rowAxis, colAxis);
  c.cursor = { r: 0, c: 0 };
  c.detail = undefined;
  buildControls();
  saveState();
  draw();
  scheduleDetail(0);
}

function resetZoom(): void {
  const c = cur!;
  c.window = fullWindow(c.leaf.shape, c.rowAxis, c.colAxis);
  saveState();
  draw();
  scheduleDetail(0);
}

function saveState(): void {
  if (!cur) return;
  setState<SavedState>({ key: cur.key, rowAxis: cur.rowAxis, colAxis: cur.colAxis, fixed: cur.fixed, window: cur.window, chart: cur.chart });
}

function copy(kind: "json" | "csv"): void {
  const p = currentPlane();
  if (!p || !cur) return;
  const text = kind === "json" ? planeJson(p.plane, cur.rank <= 1) : planeCsv(p.plane);
  post({ type: "copy", text });
  setStatus(`Copied ${kind.toUpperCase()} (${formatCount(p.plane.rows * p.plane.cols)} values${p.view === cur.base && !cur.leaf.data ? ", sampled" : ""}).`);
}

// ---- data ------------------------------------------------------------------------------------

/** The request for the current view, or undefined when no fetch can help (whole data, no handle). */
function wantedRequest() {
  const c = cur!;
  if (c.leaf.data || !c.leaf.handle || c.rank === 0) return undefined;
  return detailRequest(c.leaf.shape, c.rowAxis, c.colAxis, c.fixed, c.window);
}

/** The finest data there is for the current view: detail when it covers the view, else the base. */
function bestView(): View | undefined {
  const c = cur!;
  const req = wantedRequest();
  if (c.detail && req && covers(c.detail, req)) return c.detail;
  return c.base;
}

function currentPlane(): { plane: Plane; view: View } | undefined {
  const view = bestView();
  if (!view || !cur) return undefined;
  return { plane: planeOf(view, cur.rowAxis, cur.colAxis, cur.fixed), view };
}

function scheduleDetail(delay: number): void {
  if (fetchTimer) clearTimeout(fetchTimer);
  fetchTimer = setTimeout(requestDetail, delay);
}

function requestDetail(): void {
  const c = cur;
  if (!c) return;
  const req = wantedRequest();
  if (!req) return;
  const view = bestView();
  if (view && covers(view, req)) { setStatus(""); return; }
  const key = JSON.stringify(req);
  if (c.pendingKey === key) return;
  const requestId = `s${nextRequest++}`;
  c.pendingId = requestId; c.pendingKey = key;
  setStatus(`Showing a sample; fetching detail…`);
  post({ type: "fetchSlice", requestId, handle: c.leaf.handle!, ...req });
}

// ---- drawing ---------------------------------------------------------------------------------

const offscreen = document.createElement("canvas");

/** Draws the plot; with `all`, the legend and histogram too (they change only with the array, theme or size). */
function draw(all = true): void {
  const c = cur;
  if (!c) return;
  const { ctx, width, height } = fitCanvas(canvas);
  ctx.clearRect(0, 0, width, height);
  const p = currentPlane();
  if (!p) { ctx.fillStyle = rgb(pal.muted); ctx.fillText("Waiting for data…", 12, 20); drawLegend(); return; }
  if (c.rank === 0) drawScalar(ctx, width, height, p.plane);
  else if (c.rank === 1) drawChart(ctx, width, height, p.plane);
  else drawHeatmap(ctx, width, height, p.plane);
  if (all) { drawLegend(); drawHistogram(); }
  const sampled = p.view.step.some((s) => s > 1);
  const stepText = c.rank >= 1 ? p.view.step.filter((_, a) => a === c.rowAxis || a === c.colAxis).join("×") : "";
  canvas.dataset.step = stepText;
  canvas.dataset.exact = String(p.plane.exact);
  if (!c.pendingId) setStatus(sampled ? `Every ${stepText} element${p.plane.exact ? "" : " (nearest sampled slice)"}; zoom in for detail.` : "");
}

function drawScalar(ctx: CanvasRenderingContext2D, width: number, height: number, p: Plane): void {
  const v = p.at(0, 0);
  ctx.fillStyle = rgb(specialColor(v) ?? pal.fg);
  ctx.font = canvasFont(32, true);
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.fillText(formatValue(v, isInt()), width / 2, height / 2);
  ctx.textAlign = "start";
}

function isInt(): boolean {
  const d = cur!.leaf.dtype;
  return d === "int32" || d === "uint32" || d === "bool";
}

function specialColor(v: number) {
  if (v !== v) return pal.yellow;
  if (v === Infinity) return pal.purple;
  if (v === -Infinity) return pal.green;
  return undefined;
}

const MARGIN = { left: 56, right: 12, top: 10, bottom: 28 };

/** Plane columns visible in the window: [j0, j1]. */
function visibleRange(start: number, step: number, n: number, lo: number, hi: number): [number, number] {
  const j0 = Math.max(0, Math.floor((lo - start) / step));
  const j1 = Math.min(n - 1, Math.floor((hi - 1 - start) / step));
  return [j0, Math.max(j0, j1)];
}

function drawHeatmap(ctx: CanvasRenderingContext2D, width: number, height: number, p: Plane): void {
  const c = cur!;
  const w = c.window;
  const [i0, i1] = visibleRange(p.rowStart, p.rowStep, p.rows, w.r0, w.r1);
  const [j0, j1] = visibleRange(p.colStart, p.colStep, p.cols, w.c0, w.c1);
  const ni = i1 - i0 + 1, nj = j1 - j0 + 1;
  offscreen.width = nj; offscreen.height = ni;
  const octx = offscreen.getContext("2d")!;
  const img = octx.createImageData(nj, ni);
  const px = new Uint32Array(img.data.buffer);
  const scale = c.scale;
  for (let i = 0; i < ni; i++) for (let j = 0; j < nj; j++) px[i * nj + j] = scale.color(p.at(i0 + i, j0 + j));
  octx.putImageData(img, 0, 0);
  const area = plotArea(width, height);
  // Cell (i, j) covers original rows [rowStart + i*rowStep, + rowStep): map that onto the window.
  const y = (r: number) => area.y + ((r - w.r0) / (w.r1 - w.r0)) * area.h;
  const x = (col: number) => area.x + ((col - w.c0) / (w.c1 - w.c0)) * area.w;
  ctx.save();
  ctx.beginPath(); ctx.rect(area.x, area.y, area.w, area.h); ctx.clip();
  ctx.imageSmoothingEnabled = false;
  const rTop = p.rowStart + i0 * p.rowStep, rBottom = Math.min(p.rowStart + (i1 + 1) * p.rowStep, c.leaf.shape[c.rowAxis]!);
  const cLeft = p.colStart + j0 * p.colStep, cRight = Math.min(p.colStart + (j1 + 1) * p.colStep, c.leaf.shape[c.colAxis]!);
  ctx.drawImage(offscreen, x(cLeft), y(rTop), x(cRight) - x(cLeft), y(rBottom) - y(rTop));
  // The keyboard cursor.
  if (document.activeElement === canvas) {
    ctx.strokeStyle = rgb(pal.focus);
    ctx.lineWidth = 2;
    ctx.strokeRect(x(c.cursor.c), y(c.cursor.r), Math.max(3, x(c.cursor.c + 1) - x(c.cursor.c)), Math.max(3, y(c.cursor.r + 1) - y(c.cursor.r)));
  }
  ctx.restore();
  ctx.strokeStyle = rgb(pal.border);
  ctx.lineWidth = 1;
  ctx.strokeRect(area.x - 0.5, area.y - 0.5, area.w + 1, area.h + 1);
  axisLabels(ctx, area, w);
}

function plotArea(width: number, height: number) {
  return { x: MARGIN.left, y: MARGIN.top, w: Math.max(10, width - MARGIN.left - MARGIN.right), h: Math.max(10, height - MARGIN.top - MARGIN.bottom) };
}

function axisLabels(ctx: CanvasRenderingContext2D, area: { x: number; y: number; w: number; h: number }, w: Window): void {
  const c = cur!;
  ctx.fillStyle = rgb(pal.muted);
  ctx.font = canvasFont(11);
  ctx.textBaseline = "top";
  ctx.textAlign = "left";
  ctx.fillText(String(w.c0), area.x, area.y + area.h + 4);
  ctx.textAlign = "right";
  ctx.fillText(String(w.c1 - 1), area.x + area.w, area.y + area.h + 4);
  ctx.textAlign = "center";
  ctx.fillText(c.rank >= 2 ? `axis ${c.colAxis} →` : "index →", area.x + area.w / 2, area.y + area.h + 4);
  if (c.rank >= 2) {
    ctx.textAlign = "right";
    ctx.textBaseline = "top";
    ctx.fillText(String(w.r0), area.x - 4, area.y);
    ctx.textBaseline = "bottom";
    ctx.fillText(String(w.r1 - 1), area.x - 4, area.y + area.h);
    ctx.save();
    ctx.translate(area.x - 30, area.y + area.h / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText(`axis ${c.rowAxis} →`, 0, 0);
    ctx.restore();
  }
  ctx.textAlign = "start";
  ctx.textBaseline = "alphabetic";
}

function drawChart(ctx: CanvasRenderingContext2D, width: number, height: number, p: Plane): void {
  const c = cur!;
  const w = c.window;
  const area = plotArea(width, height);
  const [j0, j1] = visibleRange(p.colStart, p.colStep, p.cols, w.c0, w.c1);
  const lo = c.leaf.stats.min ?? 0, hi = c.leaf.stats.max ?? 1;
  const yLo = Math.min(lo, 0), yHi = Math.max(hi, 0) === yLo ? yLo + 1 : Math.max(hi, 0);
  const X = (col: number) => area.x + ((col + 0.5 - w.c0) / (w.c1 - w.c0)) * area.w;
  const Y = (v: number) => area.y + area.h - ((v - yLo) / (yHi - yLo)) * area.h;
  ctx.strokeStyle = rgb(pal.border);
  ctx.lineWidth = 1;
  ctx.strokeRect(area.x - 0.5, area.y - 0.5, area.w + 1, area.h + 1);
  // zero line
  ctx.beginPath(); ctx.moveTo(area.x, Y(0)); ctx.lineTo(area.x + area.w, Y(0)); ctx.stroke();
  const n = j1 - j0 + 1;
  const bars = c.chart === "bar" || (c.chart === "auto" && n <= 64);
  ctx.save();
  ctx.beginPath(); ctx.rect(area.x, area.y, area.w, area.h); ctx.clip();
  const bw = Math.max(1, (area.w / (w.c1 - w.c0)) * p.colStep * 0.8);
  ctx.fillStyle = rgb(pal.blue);
  ctx.strokeStyle = rgb(pal.blue);
  ctx.lineWidth = 1.5;
  let drawing = false;
  if (!bars) ctx.beginPath();
  for (let j = j0; j <= j1; j++) {
    const v = p.at(0, j), col = p.colStart + j * p.colStep;
    const sc = specialColor(v);
    if (sc) {
      // NaN: a full-height band; Inf: a band at the top (+) or bottom (-).
      if (!bars && drawing) { ctx.stroke(); ctx.beginPath(); drawing = false; }
      ctx.fillStyle = rgb(sc, 0.8);
      const bx = X(col) - Math.max(2, bw) / 2;
      if (v !== v) ctx.fillRect(bx, area.y, Math.max(2, bw), area.h);
      else if (v > 0) ctx.fillRect(bx, area.y, Math.max(2, bw), area.h * 0.15);
      else ctx.fillRect(bx, area.y + area.h * 0.85, Math.max(2, bw), area.h * 0.15);
      ctx.fillStyle = rgb(pal.blue);
      continue;
    }
    if (bars) {
      ctx.fillRect(X(col) - bw / 2, Math.min(Y(v), Y(0)), bw, Math.max(1, Math.abs(Y(v) - Y(0))));
    } else if (!drawing) { ctx.moveTo(X(col), Y(v)); drawing = true; } else ctx.lineTo(X(col), Y(v));
  }
  if (!bars && drawing) ctx.stroke();
  ctx.restore();
  ctx.fillStyle = rgb(pal.muted);
  ctx.font = canvasFont(11);
  ctx.textAlign = "right";
  ctx.textBaseline = "top"; ctx.fillText(formatStat(yHi), area.x - 4, area.y);
  ctx.textBaseline = "bottom"; ctx.fillText(formatStat(yLo), area.x - 4, area.y + area.h);
  axisLabels(ctx, area, w);
}

function drawLegend(): void {
  const c = cur!;
  const { ctx, width, height } = fitCanvas(legend);
  ctx.clearRect(0, 0, width, height);
  legendLabels.replaceChildren();
  specials.replaceChildren();
  const s = c.scale;
  if (c.rank >= 2) {
    for (let x = 0; x < width; x++) { ctx.fillStyle = s.css(x / (width - 1)); ctx.fillRect(x, 0, 1, height); }
    legendLabels.append(h("span", { text: formatStat(s.lo) }), h("span", { text: s.diverging ? "0" : "" }), h("span", { text: formatStat(s.hi) }));
  }
  legend.classList.toggle("tl-hidden", c.rank < 2);
  const st = c.leaf.stats;
  const swatch = (color: string, label: string, cls: string) => {
    const sw = h("span", { class: `tl-swatch ${cls}` });
    sw.style.backgroundColor = color;
    return h("span", { class: "tl-special" }, sw, label);
  };
  specials.append(
    swatch(rgb(s.nanRgb), `NaN${st.nan ? ` ×${formatCount(st.nan)}` : ""}`, "tl-swatch-nan"),
    swatch(rgb(s.posInfRgb), "+Inf", "tl-swatch-posinf"),
    swatch(rgb(s.negInfRgb), "-Inf", "tl-swatch-neginf"),
  );
  if (st.inf) specials.append(h("span", { class: "tl-special", text: `±Inf ×${formatCount(st.inf)}` }));
}

function renderStats(): void {
  const c = cur!;
  const s = c.leaf.stats;
  const rows: [string, string][] = [
    ["shape", `[${c.leaf.shape.join(", ")}]`], ["dtype", c.leaf.dtype], ["size", formatCount(c.leaf.size)],
    ["min", formatStat(s.min)], ["max", formatStat(s.max)], ["mean", formatStat(s.mean)], ["std", formatStat(s.std)],
    ["NaN", formatCount(s.nan)], ["Inf", formatCount(s.inf)],
  ];
  if (c.leaf.source) rows.push(["made at", `${c.leaf.source.file.split(/[\\/]/).pop()}:${c.leaf.source.line}`]);
  statsTable.replaceChildren(...rows.map(([k, v]) => h("tr", { "data-stat": k }, h("th", { scope: "row", text: k }), h("td", { text: v }))));
  if (s.nan) statsTable.querySelector('[data-stat="NaN"]')!.classList.add("tl-warn");
  if (s.inf) statsTable.querySelector('[data-stat="Inf"]')!.classList.add("tl-warn");
}

function drawHistogram(): void {
  const c = cur!;
  const { ctx, width, height } = fitCanvas(histCanvas);
  ctx.clearRect(0, 0, width, height);
  const hs = c.hist;
  if (!hs) { histNote.textContent = ""; return; }
  let max = 1;
  for (const n of hs.counts) max = Math.max(max, n);
  const bw = width / hs.counts.length;
  for (let b = 0; b < hs.counts.length; b++) {
    const mid = hs.lo + ((b + 0.5) / hs.counts.length) * (hs.hi - hs.lo);
    const bh = (hs.counts[b]! / max) * (height - 14);
    // A faint foreground base under the scale's colour: bins near 0 of a diverging scale are
    // drawn in (almost) the background colour and would vanish otherwise.
    ctx.fillStyle = rgb(pal.fg, 0.35);
    ctx.fillRect(b * bw, height - 14 - bh, Math.max(1, bw - 1), bh);
    ctx.fillStyle = c.rank >= 2 ? c.scale.css((mid - c.scale.lo) / (c.scale.hi - c.scale.lo)) : rgb(pal.blue);
    ctx.globalAlpha = 0.85;
    ctx.fillRect(b * bw, height - 14 - bh, Math.max(1, bw - 1), bh);
    ctx.globalAlpha = 1;
  }
  ctx.strokeStyle = rgb(pal.border);
  ctx.strokeRect(0.5, 0.5, width - 1, height - 14);
  ctx.fillStyle = rgb(pal.muted);
  ctx.font = canvasFont(10);
  ctx.textBaseline = "bottom";
  ctx.textAlign = "left"; ctx.fillText(formatStat(hs.lo), 0, height);
  ctx.textAlign = "right"; ctx.fillText(formatStat(hs.hi), width, height);
  const sampled = !c.leaf.data;
  histNote.textContent = `${formatCount(hs.finite)} finite ${sampled ? "sampled " : ""}values` +
    (hs.nan ? `, ${formatCount(hs.nan)} NaN` : "") + (hs.posInf + hs.negInf ? `, ${formatCount(hs.posInf + hs.negInf)} Inf` : "");
}

function setStatus(text: string): void {
  if (status.textContent !== text) status.textContent = text;
}

// ---- pointer and keys ------------------------------------------------------------------------

/** The original (row, col) index under a point of the canvas, or undefined outside the plot. */
function indexAt(clientX: number, clientY: number): { r: number; c: number } | undefined {
  const c = cur;
  if (!c || c.rank === 0) return undefined;
  const rect = canvas.getBoundingClientRect();
  const area = plotArea(rect.width, rect.height);
  const x = clientX - rect.left - area.x, y = clientY - rect.top - area.y;
  if (x < 0 || y < 0 || x >= area.w || y >= area.h) return undefined;
  const w = c.window;
  const col = Math.floor(w.c0 + (x / area.w) * (w.c1 - w.c0));
  const row = c.rank >= 2 ? Math.floor(w.r0 + (y / area.h) * (w.r1 - w.r0)) : 0;
  return { r: row, c: col };
}

/** Shows the value at original (row, col): the sample nearest below it when the view is strided. */
function showValueAt(at: { r: number; c: number }, clientX?: number, clientY?: number): void {
  const c = cur!;
  const p = currentPlane();
  if (!p) return;
  const i = c.rank >= 2 ? viewIndex(p.view, c.rowAxis, at.r) : 0;
  const j = viewIndex(p.view, c.colAxis, at.c);
  const v = p.plane.at(i, j);
  const index = p.plane.indexOf(i, j);
  const sampled = p.view.step.some((s, a) => s > 1 && (a === c.rowAxis || a === c.colAxis)) || !p.plane.exact;
  tooltip.replaceChildren(
    h("span", { class: "tl-tip-index", text: `[${index.join(", ")}]` }), " = ",
    h("span", { class: `tl-tip-value${specialColor(v) ? " tl-tip-special" : ""}`, text: formatValue(v, isInt()) }),
  );
  if (sampled) tooltip.append(h("span", { class: "tl-tip-note", text: " (sample)" }));
  tooltip.dataset.index = index.join(",");
  tooltip.dataset.value = Number.isNaN(v) ? "NaN" : String(v);
  tooltip.classList.add("tl-visible");
  tooltip.setAttribute("aria-hidden", "false");
  const rect = canvas.getBoundingClientRect();
  const area = plotArea(rect.width, rect.height);
  const w = c.window;
  const px = clientX !== undefined ? clientX - rect.left : area.x + ((at.c + 0.5 - w.c0) / (w.c1 - w.c0)) * area.w;
  const py = clientY !== undefined ? clientY - rect.top : c.rank >= 2 ? area.y + ((at.r + 0.5 - w.r0) / (w.r1 - w.r0)) * area.h : area.y + area.h / 2;
  const tw = tooltip.offsetWidth;
  tooltip.style.left = `${Math.max(0, px + 14 + tw > rect.width ? px - 14 - tw : px + 14)}px`;
  tooltip.style.top = `${Math.max(0, py + 14 > rect.height - 30 ? py - 34 : py + 14)}px`;
}

function hideTooltip(): void {
  tooltip.classList.remove("tl-visible");
  tooltip.setAttribute("aria-hidden", "true");
}

let drag: { x: number; y: number; window: Window } | undefined;

canvas.addEventListener("mousemove", (e) => {
  if (drag && cur) {
    const rect = canvas.getBoundingClientRect();
    const area = plotArea(rect.width, rect.height);
    const w = drag.window;
    const dc = ((e.clientX - drag.x) / area.w) * (w.c1 - w.c0);
    const dr = cur.rank >= 2 ? ((e.clientY - drag.y) / area.h) * (w.r1 - w.r0) : 0;
    moveWindow({ r0: w.r0 - dr, r1: w.r1 - dr, c0: w.c0 - dc, c1: w.c1 - dc });
    return;
  }
  const at = indexAt(e.clientX, e.clientY);
  if (at) showValueAt(at, e.clientX, e.clientY); else hideTooltip();
});
canvas.addEventListener("mouseleave", () => { hideTooltip(); drag = undefined; });
canvas.addEventListener("mousedown", (e) => { if (cur && e.button === 0) drag = { x: e.clientX, y: e.clientY, window: { ...cur.window } }; });
window.addEventListener("mouseup", () => { drag = undefined; });
canvas.addEventListener("wheel", (e) => {
  if (!cur || cur.rank === 0) return;
  e.preventDefault();
  const at = indexAt(e.clientX, e.clientY) ?? { r: (cur.window.r0 + cur.window.r1) / 2, c: (cur.window.c0 + cur.window.c1) / 2 };
  zoom(e.deltaY < 0 ? 1 / 1.25 : 1.25, at);
}, { passive: false });

function zoom(factor: number, at: { r: number; c: number }): void {
  const w = cur!.window;
  const nr = (v: number) => at.r + (v - at.r) * factor, nc = (v: number) => at.c + (v - at.c) * factor;
  moveWindow(cur!.rank >= 2 ? { r0: nr(w.r0), r1: nr(w.r1), c0: nc(w.c0), c1: nc(w.c1) } : { ...w, c0: nc(w.c0), c1: nc(w.c1) });
}

function moveWindow(w: Window): void {
  const c = cur!;
  const full = fullWindow(c.leaf.shape, c.rowAxis, c.colAxis);
  const next = clampWindow(w, full.r1, full.c1);
  if (next.r0 === c.window.r0 && next.r1 === c.window.r1 && next.c0 === c.window.c0 && next.c1 === c.window.c1) return;
  c.window = next;
  saveState();
  draw(false);
  scheduleDetail(80);
}

canvas.addEventListener("keydown", (e) => {
  const c = cur;
  if (!c || c.rank === 0) return;
  const w = c.window;
  const full = fullWindow(c.leaf.shape, c.rowAxis, c.colAxis);
  let handled = true;
  const move = (dr: number, dc: number) => {
    if (e.shiftKey) {
      // Shift+arrows pan by a tenth of the window.
      const pr = Math.max(1, Math.round((w.r1 - w.r0) / 10)) * dr, pc = Math.max(1, Math.round((w.c1 - w.c0) / 10)) * dc;
      moveWindow({ r0: w.r0 + pr, r1: w.r1 + pr, c0: w.c0 + pc, c1: w.c1 + pc });
      return;
    }
    c.cursor = { r: Math.max(0, Math.min(full.r1 - 1, c.cursor.r + dr)), c: Math.max(0, Math.min(full.c1 - 1, c.cursor.c + dc)) };
    // Keep the cursor in view.
    if (c.cursor.r < w.r0 || c.cursor.r >= w.r1 || c.cursor.c < w.c0 || c.cursor.c >= w.c1) {
      const sr = c.cursor.r < w.r0 ? c.cursor.r - w.r0 : c.cursor.r >= w.r1 ? c.cursor.r - w.r1 + 1 : 0;
      const sc = c.cursor.c < w.c0 ? c.cursor.c - w.c0 : c.cursor.c >= w.c1 ? c.cursor.c - w.c1 + 1 : 0;
      moveWindow({ r0: w.r0 + sr, r1: w.r1 + sr, c0: w.c0 + sc, c1: w.c1 + sc });
    } else draw(false);
    showValueAt(c.cursor);
  };
  switch (e.key) {
    case "ArrowUp": move(c.rank >= 2 ? -1 : 0, 0); break;
    case "ArrowDown": move(c.rank >= 2 ? 1 : 0, 0); break;
    case "ArrowLeft": move(0, -1); break;
    case "ArrowRight": move(0, 1); break;
    case "+": case "=": zoom(1 / 1.5, c.cursor); break;
    case "-": case "_": zoom(1.5, c.cursor); break;
    case "0": case "Home": resetZoom(); break;
    case "Escape": hideTooltip(); break;
    default: handled = false;
  }
  if (handled) e.preventDefault();
});
canvas.addEventListener("focus", () => { if (cur) { draw(false); showValueAt(cur.cursor); } });
canvas.addEventListener("blur", () => { hideTooltip(); if (cur) draw(false); });

// ---- lifecycle -------------------------------------------------------------------------------

onThemeChange(() => {
  pal = palette();
  if (!cur) return;
  cur.scale = colorScale(cur.leaf.stats.min, cur.leaf.stats.max, pal);
  draw();
});
new ResizeObserver(() => { if (cur) draw(); }).observe(canvas);

post({ type: "ready" });
