/** Formatting for the panels' numbers: times, rates, values. Pure. */
export { formatBytes, formatCount, formatStat } from "../../shared/format.js";

/** Microseconds as µs / ms / s with 3 significant digits. */
export function formatUs(us: number): string {
  if (!Number.isFinite(us)) return "–";
  if (us === 0) return "0";
  if (us < 1000) return `${sig(us)} µs`;
  if (us < 1e6) return `${sig(us / 1000)} ms`;
  return `${sig(us / 1e6)} s`;
}

export function formatMs(ms: number): string {
  return formatUs(ms * 1000);
}

/** FLOPs and rates with SI prefixes: 1.2 G, 340 M. */
export function formatSI(v: number, unit = ""): string {
  if (!Number.isFinite(v) || v === 0) return v === 0 ? `0${unit ? " " + unit : ""}` : "–";
  const units = ["", "k", "M", "G", "T", "P"];
  let i = 0, x = Math.abs(v);
  while (x >= 1000 && i < units.length - 1) { x /= 1000; i++; }
  return `${v < 0 ? "-" : ""}${sig(x)} ${units[i]}${unit}`.trimEnd();
}

/** An array element as text: exact for integers, 6 significant digits for floats; NaN/Inf spelled out. */
export function formatValue(v: number, integer = false): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (integer || Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-4)) return v.toExponential(5).replace(/\.?0+e/, "e");
  return String(Number(v.toPrecision(6)));
}

function sig(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}
