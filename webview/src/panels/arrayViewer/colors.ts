/**
 * The heatmap's colour scale, from the theme: diverging around 0 (charts-blue, the editor
 * background, charts-red) when the array has both signs, else sequential from the background
 * to charts-blue (for an all-negative array, strongest at the most negative).
 * NaN, +Inf and -Inf have colours of their own (charts-yellow, charts-purple, charts-green).
 * Colours are packed RGBA (little-endian, for a Uint32Array over ImageData).
 */
import { mix, type Palette, type RGB } from "../shared/theme.js";

export interface ColorScale {
  lo: number;
  hi: number;
  diverging: boolean;
  /** 256 packed colours from lo to hi. */
  lut: Uint32Array;
  nan: number; posInf: number; negInf: number;
  nanRgb: RGB; posInfRgb: RGB; negInfRgb: RGB;
  /** The colour of a value (packed). */
  color(v: number): number;
  /** The colour at a fraction 0..1 of the scale, as CSS. */
  css(t: number): string;
}

const pack = (c: RGB) => ((255 << 24) | (Math.round(c[2]) << 16) | (Math.round(c[1]) << 8) | Math.round(c[0])) >>> 0;
const unpackCss = (p: number) => `rgb(${p & 255},${(p >> 8) & 255},${(p >> 16) & 255})`;

export function colorScale(min: number | null, max: number | null, pal: Palette): ColorScale {
  let lo = min ?? 0, hi = max ?? 0;
  const diverging = lo < 0 && hi > 0;
  if (diverging) { const m = Math.max(-lo, hi); lo = -m; hi = m; }
  if (hi === lo) { hi = lo + 1; }
  const lut = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    let c: RGB;
    if (diverging) c = t < 0.5 ? mix(pal.blue, pal.bg, t * 2) : mix(pal.bg, pal.red, (t - 0.5) * 2);
    else if (hi <= 0) c = mix(pal.blue, pal.bg, 0.08 + 0.92 * t); // all negative: strongest at the most negative
    else c = mix(pal.bg, pal.blue, 0.08 + 0.92 * t);
    lut[i] = pack(c);
  }
  const nan = pack(pal.yellow), posInf = pack(pal.purple), negInf = pack(pal.green);
  const scale = 255 / (hi - lo);
  return {
    lo, hi, diverging, lut, nan, posInf, negInf,
    nanRgb: pal.yellow, posInfRgb: pal.purple, negInfRgb: pal.green,
    color(v) {
      if (v !== v) return nan;
      if (v === Infinity) return posInf;
      if (v === -Infinity) return negInf;
      let i = ((v - lo) * scale) | 0;
      if (i < 0) i = 0; else if (i > 255) i = 255;
      return lut[i]!;
    },
    css: (t) => unpackCss(lut[Math.max(0, Math.min(255, Math.round(t * 255)))]!),
  };
}
