/**
 * The per-leaf glyph, as inline SVG (crisp at any zoom, themed by CSS classes):
 * - small arrays (<= STRIP_MAX elements) with data: one bar per value from a zero line
 *   (a sparkline of the values in order), NaN/Inf as full-height ticks in their colours;
 * - larger arrays with data: a histogram of the finite values between min and max, with the
 *   share of NaN/Inf as a tick at the right end;
 * - without data: the range from the statistics (min..max line, mean ± std box, mean tick).
 */
import { decodeArrayData, type ArrayLeaf } from "../../../engine/src/runner/protocol.js";

export const GLYPH_W = 64;
export const GLYPH_H = 14;
const STRIP_MAX = 48;
const BINS = 24;
const SVG = "http://www.w3.org/2000/svg";

/** What a glyph draws, computed once per leaf (decoding is the expensive part) and cached. */
export interface GlyphData {
  kind: "strip" | "hist" | "range" | "none";
  /** Paths in the glyph's box, by class. */
  bars: string;
  neg: string;
  bad: string;
  /** ±Inf values (strips only; histograms mark NaN and Inf together as `bad`). */
  inf?: string;
  axis: string;
  title: string;
}

const cache = new WeakMap<ArrayLeaf, GlyphData>();

export function glyphData(leaf: ArrayLeaf): GlyphData {
  let g = cache.get(leaf);
  if (!g) { g = computeGlyph(leaf); cache.set(leaf, g); }
  return g;
}

function computeGlyph(leaf: ArrayLeaf): GlyphData {
  const { stats } = leaf;
  const W = GLYPH_W, H = GLYPH_H;
  if (leaf.size === 0) return { kind: "none", bars: "", neg: "", bad: "", axis: "", title: "empty" };
  if (leaf.data) {
    const values = decodeArrayData(leaf.data);
    if (values.length <= STRIP_MAX) {
      // Bars from zero: positive up, negative down, scaled by the largest |value|.
      let amax = 0;
      for (const v of values) if (Number.isFinite(v)) amax = Math.max(amax, Math.abs(v));
      const lo = stats.min ?? 0, hi = stats.max ?? 0;
      const zero = lo >= 0 ? H : hi <= 0 ? 0 : H * (hi / (hi - lo));
      const mixed = lo < 0 && hi > 0;
      const scale = amax > 0 ? H / (mixed ? hi - lo : amax) : 0;
      const bw = W / values.length;
      let bars = "", neg = "", bad = "", inf = "";
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!, x = (i * bw).toFixed(2), w = Math.max(bw - (bw > 3 ? 1 : 0), 0.8).toFixed(2);
        if (Number.isNaN(v)) { bad += `M${x} 0h${w}v${H}h-${w}z`; continue; }
        if (!Number.isFinite(v)) { inf += `M${x} 0h${w}v${H}h-${w}z`; continue; }
        const h = Math.max(Math.abs(v) * scale, v === 0 ? 0.5 : 1);
        const y = v >= 0 ? zero - h : zero;
        const d = `M${x} ${y.toFixed(2)}h${w}v${h.toFixed(2)}h-${w}z`;
        if (v >= 0) bars += d; else neg += d;
      }
      return { kind: "strip", bars, neg, bad, inf, axis: `M0 ${zero.toFixed(2)}h${W}`, title: `${values.length} values` };
    }
    // Histogram over [min, max] of the finite values.
    const counts = new Uint32Array(BINS);
    const lo = stats.min ?? 0, hi = stats.max ?? 0, span = hi - lo;
    let finite = 0;
    for (const v of values) {
      if (!Number.isFinite(v)) continue;
      finite++;
      const b = span > 0 ? Math.min(BINS - 1, Math.floor(((v - lo) / span) * BINS)) : Math.floor(BINS / 2);
      counts[b]!++;
    }
    let cmax = 0;
    for (const c of counts) cmax = Math.max(cmax, c);
    const badShare = (values.length - finite) / values.length;
    const plotW = badShare > 0 ? W - 4 : W;
    const bw = plotW / BINS;
    let bars = "";
    for (let i = 0; i < BINS; i++) {
      const c = counts[i]!;
      if (!c) continue;
      const h = Math.max(1, (c / cmax) * H);
      bars += `M${(i * bw).toFixed(2)} ${(H - h).toFixed(2)}h${Math.max(bw - 0.5, 0.5).toFixed(2)}v${h.toFixed(2)}h-${Math.max(bw - 0.5, 0.5).toFixed(2)}z`;
    }
    const bad = badShare > 0 ? `M${W - 3} ${(H - Math.max(2, badShare * H)).toFixed(2)}h3V${H}h-3z` : "";
    return { kind: "hist", bars, neg: "", bad, axis: `M0 ${H - 0.5}h${plotW}`, title: `histogram of ${finite} finite values in [${lo}, ${hi}]` };
  }
  // No data: the statistics' range.
  const { min, max, mean, std } = stats;
  if (min === null || max === null || mean === null) {
    return { kind: "range", bars: "", neg: "", bad: stats.nan + stats.inf > 0 ? `M0 0h${W}v${H}h-${W}z` : "", axis: "", title: "no finite values" };
  }
  const span = max - min || 1;
  const x = (v: number) => Math.min(W, Math.max(0, ((v - min) / span) * (W - 2) + 1));
  const s = std ?? 0;
  const bx = x(mean - s), bw = Math.max(1, x(mean + s) - bx);
  return {
    kind: "range",
    bars: `M${bx.toFixed(2)} 3h${bw.toFixed(2)}v${H - 6}h-${bw.toFixed(2)}z`,
    neg: `M${(x(mean) - 0.75).toFixed(2)} 1h1.5v${H - 2}h-1.5z`,
    bad: stats.nan + stats.inf > 0 ? `M${W - 3} 0h3v${H}h-3z` : "",
    axis: `M1 ${H / 2}H${W - 1}`,
    title: `range [${min}, ${max}], mean ± std`,
  };
}

/** An <svg> element for a leaf (a fresh element: rows are recycled, glyph data is cached). */
export function glyphElement(leaf: ArrayLeaf): SVGSVGElement {
  const g = glyphData(leaf);
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", `glyph glyph-${g.kind}`);
  svg.setAttribute("width", String(GLYPH_W));
  svg.setAttribute("height", String(GLYPH_H));
  svg.setAttribute("viewBox", `0 0 ${GLYPH_W} ${GLYPH_H}`);
  svg.setAttribute("aria-hidden", "true");
  const title = document.createElementNS(SVG, "title");
  title.textContent = g.title;
  svg.append(title);
  for (const [cls, d] of [["axis", g.axis], ["bars", g.bars], ["neg", g.neg], ["bad", g.bad], ["inf", g.inf ?? ""]] as const) {
    if (!d) continue;
    const p = document.createElementNS(SVG, "path");
    p.setAttribute("class", cls);
    p.setAttribute("d", d);
    svg.append(p);
  }
  return svg;
}
