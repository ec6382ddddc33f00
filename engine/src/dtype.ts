/**
 * dtypes and JAX's type promotion, including weak types: a JS number is "weakly typed" and
 * takes the dtype of the array it meets (x.mul(2) stays float32), as in jax.numpy.
 */
export type DType = "float32" | "float16" | "float64" | "int32" | "uint32" | "bool";
export const DTYPES: readonly DType[] = ["bool", "int32", "uint32", "float16", "float32", "float64"];

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array | Uint16Array;

/** Short names used when printing shapes: f32[3,4]. */
export const SHORT_NAME: Record<DType, string> = {
  float32: "f32", float16: "f16", float64: "f64", int32: "i32", uint32: "u32", bool: "bool",
};

export const isFloat = (d: DType) => d === "float32" || d === "float16" || d === "float64";
export const isInt = (d: DType) => d === "int32" || d === "uint32";
export const isBool = (d: DType) => d === "bool";

/**
 * Host storage for each dtype. float16 is stored widened to float32 on the host and rounded to
 * half precision by every op that produces it (so values match IEEE half arithmetic).
 */
export function typedArrayFor(dtype: DType, length: number): TypedArray {
  switch (dtype) {
    case "float32": case "float16": return new Float32Array(length);
    case "float64": return new Float64Array(length);
    case "int32": return new Int32Array(length);
    case "uint32": return new Uint32Array(length);
    case "bool": return new Uint8Array(length);
  }
}

export function itemSize(dtype: DType): number {
  return dtype === "float64" ? 8 : dtype === "bool" ? 1 : dtype === "float16" ? 2 : 4;
}

/** Rounds a float to the nearest float16 value (round half to even), kept as a JS number. */
const f16Buf = new Float32Array(1);
const f16Bits = new Uint32Array(f16Buf.buffer);
export function roundToFloat16(x: number): number {
  if (!Number.isFinite(x)) return x;
  f16Buf[0] = x;
  const bits = f16Bits[0]!;
  const exp = (bits >>> 23) & 0xff;
  if (exp < 103) return x < 0 || Object.is(x, -0) ? -0 : 0; // below half of the smallest subnormal
  if (exp > 142) return x > 0 ? Infinity : -Infinity;
  // Quantum of the float16 grid at this magnitude: 2^(e-10), or 2^-24 for subnormals.
  const e = Math.max(exp - 127, -14);
  const q = Math.pow(2, e - 10);
  const r = x / q;
  let n = Math.round(r);
  if (Math.abs(r % 1) === 0.5 && n % 2 !== 0) n -= 1; // ties to even (Math.round took the tie toward +inf)
  const out = n * q;
  return Math.abs(out) > 65504 ? (out > 0 ? Infinity : -Infinity) : out;
}

/** Casts a JS number to a dtype's value set (truncation for ints, as C casts do). */
export function castScalar(x: number, dtype: DType): number {
  switch (dtype) {
    case "float32": return Math.fround(x);
    case "float16": return roundToFloat16(x);
    case "float64": return x;
    // Integers of the other 32-bit type wrap (the bits are kept, as XLA converts); other
    // out-of-range values saturate.
    case "int32": return Number.isNaN(x) ? 0 : Number.isInteger(x) && x >= -2147483648 && x <= 4294967295 ? x | 0 : Math.trunc(Math.max(-2147483648, Math.min(2147483647, x))) | 0;
    case "uint32": return Number.isNaN(x) ? 0 : Number.isInteger(x) && x >= -2147483648 && x <= 4294967295 ? x >>> 0 : Math.trunc(Math.max(0, Math.min(4294967295, x))) >>> 0;
    case "bool": return x !== 0 && !Number.isNaN(x) ? 1 : 0;
  }
}

// JAX's promotion lattice restricted to our dtypes: bool < int32 < float16 < float32 < float64,
// uint32 with int32 promotes to int64 in JAX; without 64-bit ints we follow jax's x32 mode: int32.
const ORDER: Record<DType, number> = { bool: 0, uint32: 1, int32: 2, float16: 3, float32: 4, float64: 5 };
const kind = (d: DType) => (isBool(d) ? 0 : isInt(d) ? 1 : 2);

export interface TypedDType { readonly dtype: DType; readonly weak: boolean }

/** Result dtype of combining operands, honouring weak types as jax.numpy does. */
export function promoteTypes(...ts: TypedDType[]): TypedDType {
  const strong = ts.filter((t) => !t.weak);
  const weak = ts.filter((t) => t.weak);
  if (strong.length === 0) {
    const best = weak.reduce((a, b) => (ORDER[b.dtype] > ORDER[a.dtype] ? b : a));
    return { dtype: best.dtype, weak: true };
  }
  let result = strong.reduce((a, b) => promoteStrong(a.dtype, b.dtype) === a.dtype ? a : { dtype: promoteStrong(a.dtype, b.dtype), weak: false }).dtype;
  for (const w of weak) {
    // A weak value lifts the result's kind only when its kind is higher (int array + 1.5 -> float).
    if (kind(w.dtype) > kind(result)) result = w.dtype === "float64" ? defaultFloat() : w.dtype;
  }
  return { dtype: result, weak: false };
}

function promoteStrong(a: DType, b: DType): DType {
  if (a === b) return a;
  if ((a === "uint32" && b === "int32") || (a === "int32" && b === "uint32")) return "int32";
  return ORDER[a] >= ORDER[b] ? a : b;
}

let x64 = false;
/** Set by config.update("enableX64", ...). */
export function setX64(on: boolean) { x64 = on; }
export function x64Enabled() { return x64; }
export const defaultFloat = (): DType => (x64 ? "float64" : "float32");

/** dtype of a JS value used as an operand: numbers are weak floats (or weak ints if integral? no: JAX types Python ints as int). */
export function dtypeOfScalar(x: number | boolean): TypedDType {
  if (typeof x === "boolean") return { dtype: "bool", weak: true };
  return { dtype: Number.isInteger(x) && !Object.is(x, -0) ? "int32" : defaultFloat(), weak: true };
}

/** Every name parseDType accepts (np.float32 is the string "float32"). */
export const DTYPE_ALIASES: Readonly<Record<string, DType>> = {
  float32: "float32", f32: "float32", float: "float32", float16: "float16", f16: "float16", half: "float16",
  float64: "float64", f64: "float64", double: "float64", int32: "int32", i32: "int32", int: "int32",
  uint32: "uint32", u32: "uint32", bool: "bool", bool_: "bool",
};

export function parseDType(d: DType | string): DType {
  const out = typeof d === "string" && Object.hasOwn(DTYPE_ALIASES, d) ? DTYPE_ALIASES[d] : undefined;
  if (!out) throw new TypeError(`unknown dtype ${typeof d === "string" ? `"${d}"` : `(a ${typeof d})`}; expected one of ${DTYPES.join(", ")}`);
  if (out === "float64" && !x64) return "float32"; // as JAX does without enableX64 (it warns)
  return out;
}
