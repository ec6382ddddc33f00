/**
 * dtypes and JAX's type promotion, including weak types: a JS number is "weakly typed" and
 * takes the dtype of the array it meets (x.mul(2) stays float32), as in jax.numpy.
 */
export type DType = "float32" | "float16" | "bfloat16" | "float64" | "int8" | "int16" | "int32" | "uint8" | "uint32" | "bool";
export const DTYPES: readonly DType[] = ["bool", "int8", "int16", "int32", "uint8", "uint32", "bfloat16", "float16", "float32", "float64"];

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array | Uint16Array;

/** Short names used when printing shapes: f32[3,4] (the runner, the profiler and the language server read this table). */
export const SHORT_NAME: Record<DType, string> = {
  float32: "f32", float16: "f16", bfloat16: "bf16", float64: "f64", int8: "i8", int16: "i16", int32: "i32",
  uint8: "u8", uint32: "u32", bool: "bool",
};

export const isFloat = (d: DType) => d === "float32" || d === "float16" || d === "bfloat16" || d === "float64";
export const isInt = (d: DType) => d === "int32" || d === "uint32" || d === "int8" || d === "int16" || d === "uint8";
export const isBool = (d: DType) => d === "bool";
export const isUnsigned = (d: DType) => d === "uint32" || d === "uint8";

/** Bits of an integer dtype (its wrapping width). */
export const intBits = (d: DType): number => (d === "int8" || d === "uint8" ? 8 : d === "int16" ? 16 : 32);

/**
 * Host storage for each dtype. The 16-bit floats are stored widened to float32 on the host and
 * rounded by every op that produces them (so values match IEEE half / bfloat16 arithmetic).
 * int8, uint8 and int16 are stored widened to int32 and wrapped by every op that produces them
 * (`narrowScalar`), the same design: native and WebGPU kernels are written over 4-byte elements
 * (the C++ evaluator's registers, block loads/stores, gemm and slab sizes; WGSL has no 8- or
 * 16-bit storage), so widening costs each backend a dtype code and a wrap at its stores, where
 * Int8Array storage would have changed every byte-size computation in all three.
 */
export function typedArrayFor(dtype: DType, length: number): TypedArray {
  switch (dtype) {
    case "float32": case "float16": case "bfloat16": return new Float32Array(length);
    case "float64": return new Float64Array(length);
    case "int32": case "int8": case "int16": case "uint8": return new Int32Array(length);
    case "uint32": return new Uint32Array(length);
    case "bool": return new Uint8Array(length);
  }
}

/** Bytes of one element as the dtype is defined (numpy's itemsize), not as it is stored. */
export function itemSize(dtype: DType): number {
  switch (dtype) {
    case "float64": return 8;
    case "bool": case "int8": case "uint8": return 1;
    case "float16": case "bfloat16": case "int16": return 2;
    default: return 4;
  }
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

/**
 * Rounds to the nearest bfloat16 (the upper 16 bits of a float32), ties to even, as XLA and
 * ml_dtypes do. The value is first rounded to float32 (bfloat16 ops compute in float32).
 * NaN stays NaN (the mantissa's rounding could otherwise carry it into infinity).
 */
export function roundToBfloat16(x: number): number {
  if (Number.isNaN(x)) return NaN;
  f16Buf[0] = x;
  const bits = f16Bits[0]!;
  f16Bits[0] = ((bits + 0x7fff + ((bits >>> 16) & 1)) & 0xffff0000) >>> 0;
  return f16Buf[0]!;
}

/** An integral JS number wrapped to an integer dtype's range (two's complement, as C and XLA). */
export function wrapInt(x: number, dtype: DType): number {
  switch (dtype) {
    case "int8": return (x << 24) >> 24;
    case "uint8": return x & 0xff;
    case "int16": return (x << 16) >> 16;
    case "uint32": return x >>> 0;
    default: return x | 0;
  }
}

/**
 * The value an op's result takes when stored in `dtype`: integer arithmetic wraps (int8
 * 127 + 1 = -128, as XLA's), 16-bit floats round, float32 rounds. `castScalar` is the
 * conversion (convert_element_type), which saturates out-of-range floats instead.
 */
export function narrowScalar(x: number, dtype: DType): number {
  if (!isInt(dtype)) return castScalar(x, dtype);
  if (!Number.isFinite(x)) return 0;
  const t = Math.trunc(x);
  // Beyond 2^53 `|` and `<<` see the low 32 bits of ToInt32 modulo 2^32, which is what wraps.
  return wrapInt(Math.abs(t) < 2 ** 31 ? t : t - Math.floor(t / 4294967296) * 4294967296, dtype);
}

/** The dtype sums and products accumulate in (jnp.sum): bool and the small ints widen to int32, uint8 to uint32. */
export function accumulationDType(d: DType): DType {
  if (d === "bool") return "int32";
  return isInt(d) && intBits(d) < 32 ? (isUnsigned(d) ? "uint32" : "int32") : d;
}

/** Whether storage of a dtype needs `narrowScalar` after an op (it is narrower than its host storage). */
export const isNarrowed = (d: DType) => d === "float16" || d === "bfloat16" || d === "int8" || d === "uint8" || d === "int16";

const INT_RANGE: Record<string, [number, number]> = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], int32: [-2147483648, 2147483647], uint32: [0, 4294967295],
};
/** [min, max] of an integer dtype. */
export const intRange = (d: DType): [number, number] => INT_RANGE[d]!;

/** Casts a JS number to a dtype's value set (truncation for ints, as C casts do). */
export function castScalar(x: number, dtype: DType): number {
  switch (dtype) {
    case "float32": return Math.fround(x);
    case "float16": return roundToFloat16(x);
    case "bfloat16": return roundToBfloat16(x);
    case "float64": return x;
    case "bool": return x !== 0 && !Number.isNaN(x) ? 1 : 0;
    default: return castInt(x, dtype);
  }
}

/**
 * Integer conversion: integral values that any of our integer dtypes can hold wrap (the bits are
 * kept, as XLA converts between integer types: int32 300 -> int8 44, as numpy's astype); other
 * out-of-range values (fractional or huge floats) saturate, as XLA's float-to-int conversion
 * does (numpy leaves that case undefined); NaN is 0.
 */
function castInt(x: number, dtype: DType): number {
  if (Number.isNaN(x)) return 0;
  if (Number.isInteger(x) && x >= -2147483648 && x <= 4294967295) return wrapInt(x, dtype);
  const [lo, hi] = intRange(dtype);
  return Math.trunc(Math.max(lo, Math.min(hi, x)));
}

/**
 * JAX's promotion lattice (jax._src.dtypes) restricted to our dtypes: each dtype's immediate
 * successors. "i64" stands for JAX's int64 node: without 64-bit integers it becomes int32, as in
 * JAX's default x32 mode (uint32 with int32, or int8 with uint32, give int32); "f*" is the weak
 * float node between the integers and the 16-bit floats.
 */
type Node = DType | "i64" | "f*";
const UP: Record<Node, readonly Node[]> = {
  bool: ["uint8", "int8"], uint8: ["int16", "uint32"], int8: ["int16"], int16: ["int32"], int32: ["i64"],
  uint32: ["i64"], i64: ["f*"], "f*": ["bfloat16", "float16"], bfloat16: ["float32"], float16: ["float32"],
  float32: ["float64"], float64: [],
};
const above = new Map<Node, Set<Node>>();
function ancestors(d: Node): Set<Node> {
  let s = above.get(d);
  if (!s) { s = new Set([d]); for (const u of UP[d]) for (const a of ancestors(u)) s.add(a); above.set(d, s); }
  return s;
}
/** The least upper bound of two dtypes in the lattice (every pair has one). */
function join(a: DType, b: DType): DType {
  const common = [...ancestors(a)].filter((n) => ancestors(b).has(n));
  const least = common.find((n) => common.every((m) => ancestors(n).has(m)))!;
  return least === "i64" ? "int32" : least === "f*" ? "float32" : least;
}

const kind = (d: DType) => (isBool(d) ? 0 : isInt(d) ? 1 : 2);

export interface TypedDType { readonly dtype: DType; readonly weak: boolean }

/** Result dtype of combining operands, honouring weak types as jax.numpy does. */
export function promoteTypes(...ts: TypedDType[]): TypedDType {
  const strong = ts.filter((t) => !t.weak);
  const weak = ts.filter((t) => t.weak);
  if (strong.length === 0) return { dtype: weak.map((t) => t.dtype).reduce(join), weak: true };
  let result = strong.map((t) => t.dtype).reduce(join);
  for (const w of weak) {
    // A weak value lifts the result's kind only when its kind is higher (int array + 1.5 -> float).
    if (kind(w.dtype) > kind(result)) result = w.dtype === "float64" ? defaultFloat() : w.dtype;
  }
  return { dtype: result, weak: false };
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
  ...Object.fromEntries(DTYPES.flatMap((d) => [[d, d], [SHORT_NAME[d], d]])),
  float: "float32", half: "float16", double: "float64", int: "int32", bool_: "bool",
};

export function parseDType(d: DType | string): DType {
  const out = typeof d === "string" && Object.hasOwn(DTYPE_ALIASES, d) ? DTYPE_ALIASES[d] : undefined;
  if (!out) throw new TypeError(`unknown dtype ${typeof d === "string" ? `"${d}"` : `(a ${typeof d})`}; expected one of ${DTYPES.join(", ")}`);
  if (out === "float64" && !x64) return "float32"; // as JAX does without enableX64 (it warns)
  return out;
}
