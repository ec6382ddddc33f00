import { DeviceArray, hostArray } from "../array.js";
import { defaultFloat, dtypeOfScalar, isFloat, parseDType, promoteTypes, type DType, type TypedArray, type TypedDType } from "../dtype.js";
import { fromHost, scalar } from "../trace/constants.js";
import * as l from "../lax/primitives.js";
import { ShapeError } from "./checks.js";

/** Anything numpy functions accept as an array: arrays, JS numbers/booleans, nested lists, typed arrays. */
export type ArrayLike = DeviceArray | number | boolean | NestedList | TypedArray;
export interface NestedList extends ReadonlyArray<number | boolean | NestedList | DeviceArray> {}
export type DTypeLike = DType | "float" | "int" | "f32" | "f16" | "bf16" | "f64" | "i8" | "i16" | "i32" | "u8" | "u32";

/** Converts an operand: JS numbers become weakly typed scalars, lists become float32 arrays. */
export function asArray(x: ArrayLike, dtype?: DTypeLike): DeviceArray {
  if (x instanceof DeviceArray) return dtype ? l.convert(x, parseDType(dtype)) : x;
  if (typeof x === "number" || typeof x === "boolean") {
    if (dtype) return scalar(x, parseDType(dtype));
    const t = dtypeOfScalar(x);
    return scalar(x, t.dtype, true);
  }
  return array(x, dtype);
}

function typedDTypeOf(x: ArrayLike): TypedDType {
  if (x instanceof DeviceArray) return { dtype: x.dtype, weak: x.weakType };
  if (typeof x === "number" || typeof x === "boolean") return dtypeOfScalar(x);
  return { dtype: inferListDType(x), weak: false };
}

/** Converts operands to arrays of one dtype, by JAX's promotion rules (weak JS numbers adapt). */
export function promote(...xs: ArrayLike[]): DeviceArray[] {
  // Common case first: arrays that already agree (no allocation beyond the result list).
  const first = xs[0];
  if (first instanceof DeviceArray) {
    let same = true;
    for (let i = 1; i < xs.length; i++) {
      const x = xs[i];
      if (!(x instanceof DeviceArray) || x._aval.dtype !== first._aval.dtype) { same = false; break; }
    }
    if (same) return xs as DeviceArray[];
  }
  const t = promoteTypes(...xs.map(typedDTypeOf));
  return xs.map((x) => {
    const a = x instanceof DeviceArray ? x : typeof x === "number" || typeof x === "boolean" ? scalar(x, t.dtype, true) : asArray(x);
    // Only the dtype needs converting: a weak operand next to a strong one gives a strong result.
    return a.dtype === t.dtype ? a : l.convert(a, t.dtype, a.weakType && t.weak);
  });
}

/** Like promote, but the result is floating point (true division, exp, mean ...). */
export function promoteFloat(...xs: ArrayLike[]): DeviceArray[] {
  const ps = promote(...xs);
  const d = ps[0]!.dtype;
  if (isFloat(d)) return ps;
  return ps.map((p) => l.convert(p, defaultFloat(), p.weakType));
}

function inferListDType(x: NestedList | TypedArray): DType {
  if (ArrayBuffer.isView(x)) {
    if (x instanceof Int32Array) return "int32";
    if (x instanceof Uint32Array) return "uint32";
    if (x instanceof Uint8Array) return "bool";
    if (x instanceof Float64Array) return defaultFloat();
    return "float32";
  }
  let allBool = true, any = false, arrDtype: DType | undefined;
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) { v.forEach(visit); return; }
    any = true;
    if (v instanceof DeviceArray) { arrDtype = arrDtype ? promoteTypes({ dtype: arrDtype, weak: false }, { dtype: v.dtype, weak: false }).dtype : v.dtype; allBool = false; return; }
    if (typeof v !== "boolean") allBool = false;
  };
  visit(x);
  if (arrDtype) return arrDtype;
  return any && allBool ? "bool" : defaultFloat();
}

/** np.array: nested lists (ragged lists are an error), typed arrays, or arrays (copied). */
export function array(data: ArrayLike, dtype?: DTypeLike): DeviceArray {
  const dt = dtype ? parseDType(dtype) : undefined;
  if (data instanceof DeviceArray) return dt ? l.convert(data, dt) : l.convert(data, data.dtype, false);
  if (typeof data === "number" || typeof data === "boolean") return scalar(data, dt ?? (typeof data === "boolean" ? "bool" : defaultFloat()));
  if (ArrayBuffer.isView(data)) {
    const d = dt ?? inferListDType(data);
    return fromHost(hostArray(d, data), [data.length], d);
  }
  const shape: number[] = [];
  for (let v: unknown = data; Array.isArray(v); v = v[0]) shape.push(v.length);
  if (containsArrays(data)) {
    // Lists of arrays: stack them (this traces, so it works inside jit).
    const parts = (data as readonly ArrayLike[]).map((d) => array(d, dtype));
    return l.concatenate(parts.map((p) => l.reshape(p, [1, ...p.shape])), 0);
  }
  const flat: number[] = [];
  const walk = (v: unknown, depth: number) => {
    if (depth === shape.length) {
      if (Array.isArray(v)) throw new ShapeError("array", "ragged", [shape], `array: ragged nested list: expected a scalar at depth ${depth} for shape [${shape}]`);
      flat.push(Number(v));
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new ShapeError("array", "ragged", [shape], `array: ragged nested list: expected length ${shape[depth]} at depth ${depth}, got ${Array.isArray(v) ? v.length : "a scalar"}`);
    }
    for (const c of v) walk(c, depth + 1);
  };
  walk(data, 0);
  const d = dt ?? inferListDType(data);
  return fromHost(hostArray(d, flat), shape, d);
}

function containsArrays(x: unknown): boolean {
  return Array.isArray(x) && x.some((v) => v instanceof DeviceArray || containsArrays(v));
}

export function dtypeArg(dtype: DTypeLike | undefined | null, fallback: DType = defaultFloat()): DType {
  return dtype ? parseDType(dtype) : fallback;
}
