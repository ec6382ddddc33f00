import { castScalar, isInt, type DType, type TypedArray } from "../dtype.js";

/**
 * Prints arrays as numpy does (array2string with its default options): shortest digits that
 * round-trip at the dtype's precision (up to 8 fractional digits), values aligned in columns,
 * scientific notation when the range is wide, "..." past 1000 elements.
 */
const THRESHOLD = 1000, EDGE = 3, LINE_WIDTH = 75, PRECISION = 8;

function shortest(v: number, dtype: DType): string {
  // The fewest significant digits that read back to the same value at the dtype's precision.
  const same = (s: string) => castScalar(Number(s), dtype) === castScalar(v, dtype);
  for (let p = 1; p <= 17; p++) {
    const s = v.toPrecision(p);
    if (same(s)) return s;
  }
  return String(v);
}

function formatFloats(values: number[], dtype: DType): (v: number) => string {
  const finite = values.filter(Number.isFinite);
  const abs = finite.map(Math.abs).filter((x) => x !== 0);
  const maxAbs = abs.length ? Math.max(...abs) : 0, minAbs = abs.length ? Math.min(...abs) : 0;
  const sci = maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs > 0) || (minAbs > 0 && maxAbs / minAbs > 1e3);
  const special = (v: number) => (Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf");
  if (sci) {
    const parts = finite.map((v) => {
      const [m, e] = Number(shortest(v, dtype)).toExponential().split("e") as [string, string];
      return { m, e: Number(e) };
    });
    const frac = Math.min(PRECISION, Math.max(0, ...parts.map((p) => (p.m.split(".")[1] ?? "").length)));
    const expDigits = Math.max(2, ...parts.map((p) => String(Math.abs(p.e)).length));
    return (v) => {
      if (!Number.isFinite(v)) return special(v);
      const [m, e] = v.toExponential(frac).split("e") as [string, string];
      const n = Number(e);
      return `${frac === 0 ? `${m}.` : m}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(expDigits, "0")}`;
    };
  }
  const fracDigits = finite.map((v) => {
    const s = Math.abs(v) < 1e16 ? roundedFixed(v, dtype) : String(v);
    return (s.split(".")[1] ?? "").length;
  });
  const frac = Math.max(0, ...fracDigits);
  return (v) => {
    if (!Number.isFinite(v)) return special(v);
    const s = roundedFixed(v, dtype);
    const [int, f = ""] = s.split(".");
    // Pad the fraction with spaces so decimal points align (numpy's floatmode "maxprec").
    return `${int}.${f}${" ".repeat(frac - f.length)}`;
  };
}

function roundedFixed(v: number, dtype: DType): string {
  const s = shortest(v, dtype);
  const n = Number(s);
  // Short enough: the shortest round-trip digits. Longer: round the exact binary value to the
  // precision, as numpy's Dragon4 does (re-rounding the shortest digits could round twice).
  const [mantissa, exp = "0"] = s.toLowerCase().split("e") as [string, string?];
  const digits = Math.max(0, (mantissa.split(".")[1]?.length ?? 0) - Number(exp));
  let fixed = (digits <= PRECISION ? n : v).toFixed(PRECISION).replace(/0+$/, "");
  if (fixed.endsWith(".")) fixed = fixed.slice(0, -1);
  if (Object.is(v, -0) || (n < 0 && Number(fixed) === 0)) fixed = "-" + fixed.replace(/^-/, "");
  return fixed.includes(".") ? fixed : fixed + ".";
}

/**
 * numpy's array_repr: the body is laid out by array2string with the line width reduced by the
 * suffix (","), then the dtype goes on the last line, or on a new one if it would not fit.
 */
export function formatArray(data: TypedArray, shape: readonly number[], dtype: DType, prefix: string, dtypeSuffix: string): string {
  const size = data.length;
  const summarize = size > THRESHOLD;
  const shown: number[] = [];
  collect(data, shape, 0, 0, summarize, shown);
  let fmt: (v: number) => string;
  if (dtype === "bool") fmt = (v) => (v ? "True" : "False");
  else if (isInt(dtype)) fmt = (v) => String(v);
  else fmt = formatFloats(shown, dtype);
  const width = Math.max(0, ...shown.map((v) => fmt(v).length));
  const pad = (v: number) => fmt(v).padStart(width);
  const body = shape.length === 0 ? fmt(data[0]!)
    : render(data, shape, 0, 0, pad, " ".repeat(prefix.length + 1), LINE_WIDTH - 1, summarize);
  const head = `${prefix}${body},`;
  const lastLine = head.length - (head.lastIndexOf("\n") + 1);
  const spacer = lastLine + dtypeSuffix.length + 1 > LINE_WIDTH ? "\n" + " ".repeat(prefix.length) : " ";
  return head + spacer + dtypeSuffix;
}

function strideOf(shape: readonly number[], axis: number) {
  let s = 1;
  for (let i = axis + 1; i < shape.length; i++) s *= shape[i]!;
  return s;
}

function visibleIndices(n: number, summarize: boolean): (number | null)[] {
  if (!summarize || n <= 2 * EDGE) return Array.from({ length: n }, (_, i) => i);
  return [...Array.from({ length: EDGE }, (_, i) => i), null, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)];
}

function collect(data: TypedArray, shape: readonly number[], axis: number, offset: number, summarize: boolean, out: number[]) {
  if (axis === shape.length) { out.push(data[offset]!); return; }
  const st = strideOf(shape, axis);
  for (const i of visibleIndices(shape[axis]!, summarize)) if (i !== null) collect(data, shape, axis + 1, offset + i * st, summarize, out);
}

/**
 * numpy's _formatArray: returns the text with the hanging indent of the first line included.
 * Elements wrap when a line would pass `width` (less room for the closing bracket).
 */
/**
 * numpy's _formatArray: the text of one (sub)array starting at "[", its inner lines indented
 * by `indent`. Elements wrap when a line would pass `width` (less room for a closing bracket).
 */
function render(data: TypedArray, shape: readonly number[], axis: number, offset: number, pad: (v: number) => string, indent: string, width: number, summarize: boolean): string {
  const st = strideOf(shape, axis);
  const idx = visibleIndices(shape[axis]!, summarize);
  let s = "";
  if (axis === shape.length - 1) {
    const elemWidth = width - 1;
    let line = indent;
    idx.forEach((i, k) => {
      const word = i === null ? "..." : pad(data[offset + i]!);
      // Wrap unless the line holds nothing but its indent (wrapping would not help).
      if (line.length + word.length > elemWidth && line.length > indent.length) {
        s += line.trimEnd() + "\n";
        line = indent;
      }
      line += word;
      if (k < idx.length - 1) line += ", ";
    });
    s += line;
  } else {
    const nextIndent = indent + " ";
    const lineSep = "," + "\n".repeat(shape.length - axis - 1);
    idx.forEach((i, k) => {
      s += indent + (i === null ? "..." : render(data, shape, axis + 1, offset + i * st, pad, nextIndent, width - 1, summarize));
      if (k < idx.length - 1) s += lineSep;
    });
  }
  return "[" + s.slice(indent.length) + "]";
}
