/** Reading engine-call arguments from abstract values: shapes, dtypes, axes, options. */
import { DTYPE_ALIASES, isFloatDType, isIntDType, type DType, type Dim } from "./engineShapes.js";
import { UNKNOWN_DIM, type Value } from "./values.js";

/** The engine's dtype names and aliases (engine/src/dtype.ts): a name it rejects is not a dtype here either. */
export const DTYPES = new Set(Object.values(DTYPE_ALIASES));

export const isFloat = (d: string | null) => d !== null && DTYPES.has(d as DType) && isFloatDType(d as DType);
export const isInt = (d: string | null) => d !== null && DTYPES.has(d as DType) && isIntDType(d as DType);

/** A dtype named by a string ("int32") or an engine constant (np.int32); null if not one. */
export function dtypeOf(v: Value | undefined): string | null {
  if (!v) return null;
  let name: string | undefined;
  if (v.kind === "string") name = v.value;
  else if (v.kind === "engine") name = v.path.split(".").pop();
  if (name === undefined) return null;
  return Object.hasOwn(DTYPE_ALIASES, name) ? DTYPE_ALIASES[name]! : null;
}

/** A field of an options object (`{ axis: 0 }`), if the value is one. */
export function option(v: Value | undefined, name: string): Value | undefined {
  return v?.kind === "object" ? v.fields.get(name) : undefined;
}

export const isOptions = (v: Value | undefined) => v?.kind === "object";

/** The dtype given either as a trailing string argument or as `{ dtype }`. */
export function dtypeArg(args: readonly Value[], from: number): string | null | undefined {
  for (let i = from; i < args.length; i++) {
    const v = args[i];
    if (v === undefined) continue;
    const d = dtypeOf(v) ?? dtypeOf(option(v, "dtype"));
    if (d) return d;
    if (v.kind === "string" || option(v, "dtype")) return null; // a dtype we cannot read
    // A value we know nothing about may be a dtype: the default does not hold.
    if (v.kind === "unknown" || (v.kind === "engine" && v.self === undefined)) return null;
  }
  return undefined;
}

export function dimOf(v: Value | undefined): Dim {
  if (v?.kind !== "number") return UNKNOWN_DIM;
  if (v.value !== undefined) return v.value;
  return v.dim ?? UNKNOWN_DIM;
}

/** A shape argument: `[3, 4]`, `[B, 4]` (B read from x.shape), or a single size `5`. */
export function shapeOf(v: Value | undefined): Dim[] | null {
  if (!v) return null;
  if (v.kind === "number") return [dimOf(v)];
  if (v.kind === "list") return v.items.map(dimOf);
  return null;
}

/** A concrete integer, if known. */
export function intOf(v: Value | undefined): number | undefined {
  return v?.kind === "number" && v.value !== undefined && Number.isInteger(v.value) ? v.value : undefined;
}

export function intListOf(v: Value | undefined): number[] | undefined {
  if (v?.kind === "number") { const n = intOf(v); return n === undefined ? undefined : [n]; }
  if (v?.kind !== "list") return undefined;
  const out: number[] = [];
  for (const x of v.items) { const n = intOf(x); if (n === undefined) return undefined; out.push(n); }
  return out;
}

export type AxisArg = { known: true; axis: number | number[] | null } | { known: false };

/** An axis argument: positional number/list, or `{ axis }` in an options object; absent = all axes. */
export function axisArg(v: Value | undefined, fallback: number | null = null): AxisArg {
  if (v === undefined || v.kind === "null") return { known: true, axis: fallback };
  const a = v.kind === "object" ? v.fields.get("axis") : v;
  if (a === undefined || a.kind === "null") return { known: true, axis: fallback };
  if (a.kind === "number") { const n = intOf(a); return n === undefined ? { known: false } : { known: true, axis: n }; }
  const list = intListOf(a);
  return list ? { known: true, axis: list } : { known: false };
}

export function boolOption(v: Value | undefined, name: string): boolean | undefined {
  const b = option(v, name);
  return b?.kind === "bool" ? b.value : undefined;
}

/** Operand dtype of a JS number mixed with arrays: weakly typed, as in JAX. */
export function numberIsIntegral(v: Value): boolean {
  return v.kind === "number" && v.value !== undefined && Number.isInteger(v.value);
}
