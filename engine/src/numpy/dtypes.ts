import { DeviceArray } from "../array.js";
import { dtypeOfScalar, intBits, intRange, isBool, isFloat, isInt, isUnsigned, parseDType, promoteTypes as promoteTyped, type DType } from "../dtype.js";
import { LocatedTypeError } from "./checks.js";

/** dtype names as values, as jnp.float32 etc. */
export const float32: DType = "float32", float16: DType = "float16", float64: DType = "float64";
export const int32: DType = "int32", uint32: DType = "uint32", bool_: DType = "bool";
export const int8: DType = "int8", uint8: DType = "uint8", int16: DType = "int16", bfloat16: DType = "bfloat16";

export interface FInfo { dtype: DType; bits: number; eps: number; epsneg: number; max: number; min: number; tiny: number; smallestNormal: number; smallestSubnormal: number; resolution: number; precision: number; nmant: number; nexp: number; maxexp: number; minexp: number }
export interface IInfo { dtype: DType; bits: number; min: number; max: number }

/** Machine limits of a float dtype (numpy's finfo). */
export function finfo(dtype: DType | string | DeviceArray): FInfo {
  // The dtype as named: float64's limits are float64's even while enableX64 is off (as in JAX).
  const d = dtype instanceof DeviceArray ? dtype.dtype : ["float64", "f64", "double"].includes(dtype) ? "float64" : parseDType(dtype);
  if (!isFloat(d)) throw new LocatedTypeError(`finfo: data type ${d} not inexact`);
  const [bits, nmant, nexp, precision] = d === "float16" ? [16, 10, 5, 3] : d === "bfloat16" ? [16, 7, 8, 2] : d === "float32" ? [32, 23, 8, 6] : [64, 52, 11, 15];
  const maxexp = 2 ** (nexp - 1), minexp = 3 - maxexp - 1;
  const eps = 2 ** -nmant;
  const max = (2 - eps) * 2 ** (maxexp - 1);
  const tiny = 2 ** minexp;
  return { dtype: d, bits, eps, epsneg: eps / 2, max, min: -max, tiny, smallestNormal: tiny, smallestSubnormal: 2 ** (minexp - nmant), resolution: 10 ** -precision, precision, nmant, nexp, maxexp, minexp };
}
/** Limits of an integer dtype (numpy's iinfo). */
export function iinfo(dtype: DType | string | DeviceArray): IInfo {
  const d = dtype instanceof DeviceArray ? dtype.dtype : parseDType(dtype);
  if (isInt(d)) { const [min, max] = intRange(d); return { dtype: d, bits: intBits(d), min, max }; }
  if (d === "bool") return { dtype: d, bits: 8, min: 0, max: 1 };
  throw new LocatedTypeError(`iinfo: invalid integer data type ${d}`);
}

export type DTypeCategory = "generic" | "number" | "inexact" | "floating" | "integer" | "signedinteger" | "unsignedinteger" | "bool";
const CATEGORIES: Record<DTypeCategory, (d: DType) => boolean> = {
  generic: () => true, number: (d) => !isBool(d), inexact: isFloat, floating: isFloat, integer: isInt,
  signedinteger: (d) => isInt(d) && !isUnsigned(d), unsignedinteger: isUnsigned, bool: isBool,
};
/** Whether dtype is (a subtype of) a dtype or one of numpy's abstract categories. */
export function issubdtype(dtype: DType | string, parent: DType | DTypeCategory | string): boolean {
  const d = parseDType(dtype);
  if (parent in CATEGORIES) return CATEGORIES[parent as DTypeCategory](d);
  return d === parseDType(parent);
}
/** Array-API isdtype: kinds "bool", "signed integer", "unsigned integer", "integral", "real floating", "numeric". */
export function isdtype(dtype: DType | string, kind: string | DType | readonly string[]): boolean {
  const d = parseDType(dtype);
  const one = (k: string): boolean => {
    switch (k) {
      case "bool": return isBool(d);
      case "signed integer": return isInt(d) && !isUnsigned(d);
      case "unsigned integer": return isUnsigned(d);
      case "integral": return isInt(d);
      case "real floating": return isFloat(d);
      case "complex floating": return false;
      case "numeric": return !isBool(d);
      default: return d === parseDType(k);
    }
  };
  return typeof kind === "string" ? one(kind) : kind.some(one);
}
/** The dtype JAX's promotion gives to operands (arrays, dtypes, or JS numbers, which are weak). */
export function resultType(...args: (DeviceArray | DType | string | number | boolean)[]): DType {
  if (!args.length) throw new LocatedTypeError("resultType: at least one argument is required");
  return promoteTyped(...args.map((a) => (a instanceof DeviceArray ? { dtype: a.dtype, weak: a.weakType } : typeof a === "number" || typeof a === "boolean" ? dtypeOfScalar(a) : { dtype: parseDType(a), weak: false }))).dtype;
}
export const promoteTypes = (a: DType | string, b: DType | string): DType => resultType(parseDType(a), parseDType(b));
/** Whether a cast loses nothing ("safe"), keeps the kind ("same_kind"), or anything goes ("unsafe"). */
export function canCast(from: DType | string | DeviceArray, to: DType | string, casting: "no" | "equiv" | "safe" | "same_kind" | "unsafe" = "safe"): boolean {
  const f = from instanceof DeviceArray ? from.dtype : parseDType(from), t = parseDType(to);
  if (casting === "unsafe") return true;
  if (casting === "no" || casting === "equiv") return f === t;
  if (safeCast(f, t)) return true;
  if (casting === "same_kind") { const k = (d: DType) => (isBool(d) ? 0 : isInt(d) ? 1 : 2); return k(f) <= k(t); }
  return false;
}

/** numpy's safe casts: the target holds every value of the source. */
function safeCast(f: DType, t: DType): boolean {
  if (f === t || isBool(f)) return true;
  if (isBool(t)) return false;
  const mantissa = (d: DType) => (d === "float16" ? 11 : d === "bfloat16" ? 8 : d === "float32" ? 24 : 53);
  const maxExp = (d: DType) => (d === "float16" ? 16 : d === "float64" ? 1024 : 128);
  if (isFloat(f)) return isFloat(t) && mantissa(t) >= mantissa(f) && maxExp(t) >= maxExp(f);
  const [lo, hi] = intRange(f);
  if (isFloat(t)) return mantissa(t) >= intBits(f) - (isUnsigned(f) ? 0 : 1);
  const [tlo, thi] = intRange(t);
  return tlo <= lo && thi >= hi;
}
