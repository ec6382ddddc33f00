/**
 * Number, size and byte formatting shared by the panels. Pure functions (no DOM): the tests
 * import them to check that what a row shows is what the message said.
 */
import type { DTypeName } from "../../../engine/src/runner/protocol.js";

/** Bytes per element of each dtype as the engine stores it (bool: one byte). */
export const DTYPE_BYTES: Record<DTypeName, number> = {
  float32: 4, float16: 2, float64: 8, int32: 4, uint32: 4, bool: 1,
};

/** A statistic for a row: 4 significant digits, exponent form outside [1e-3, 1e5); null as "–". */
export function formatStat(v: number | null | undefined): string {
  if (v === null || v === undefined) return "–";
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Inf" : "-Inf";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return trimExp(v.toExponential(2));
  return trimZeros(v.toPrecision(4));
}

/** A signed difference: "+0.0123", "-1.2e-5", "0". */
export function formatDelta(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  const s = formatStat(v);
  return v > 0 ? `+${s}` : s;
}

/** Counts grouped by thousands: 1,234,567 (by hand: toLocaleString is slow in hot loops). */
export function formatCount(n: number): string {
  if (!Number.isInteger(n)) return String(n);
  const s = String(Math.abs(n));
  let out = "";
  for (let i = s.length; i > 0; i -= 3) out = (i > 3 ? "," : "") + s.slice(Math.max(0, i - 3), i) + out;
  return n < 0 ? `-${out}` : out;
}

/** Bytes in binary units: 512 B, 19.8 KiB, 3.1 MiB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

/** Short element counts for subtree summaries: 950, 12.3k, 4.2M. */
export function formatShortCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1e6) return `${trimZeros((n / 1e3).toFixed(n < 1e4 ? 2 : 1))}k`;
  if (n < 1e9) return `${trimZeros((n / 1e6).toFixed(n < 1e7 ? 2 : 1))}M`;
  return `${trimZeros((n / 1e9).toFixed(2))}B`;
}

function trimZeros(s: string): string {
  return s.includes(".") && !s.includes("e") ? s.replace(/\.?0+$/, "") : s;
}
function trimExp(s: string): string {
  // 1.20e-5 -> 1.2e-5; 3.00e+6 -> 3e+6
  return s.replace(/\.?0+e/, "e");
}
