import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { np, type DeviceArray, type DType } from "./engine.js";

/** Fixtures written by scripts/gen_fixtures.py (numpy / torch outputs); see that script for the format. */
export interface EncArray { dtype: DType | "float64"; shape: number[]; data: (number | string | boolean)[] }
export type EncOut = { array: EncArray } | { list: EncOut[] } | { dict: Record<string, EncOut> } | { value: number | boolean | string };
export type EncArg = { array: EncArray } | { value: unknown };
export interface OpCase {
  id: string; fn: string; args: EncArg[]; opts?: Record<string, unknown>; out: EncOut; rtol?: number; atol?: number;
  grad?: { w: EncArray; grads: (EncArray | { zero: true } | null)[] };
}
export interface PrintCase { id: string; array: EncArray; repr: string }

export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)), "utf8")) as T;
}

export const decodeNum = (v: number | string | boolean): number =>
  v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : typeof v === "boolean" ? Number(v) : (v as number);

/** The fixture array as a DeviceArray (dtype overridable, e.g. float64 for gradient checks). */
export function decodeArray(e: EncArray, dtype?: DType): DeviceArray {
  const d = (dtype ?? e.dtype) as DType;
  const flat = e.data.map(decodeNum);
  return np.reshape(np.array(flat.length ? flat : [], d), e.shape);
}

/** np.<fn> or np.linalg.<fn> / nn.<fn> by dotted name. */
export function resolve(root: Record<string, any>, fn: string): (...a: unknown[]) => unknown {
  const f = fn.split(".").reduce<any>((o, k) => o?.[k], root);
  if (typeof f !== "function") throw new Error(`fixture names ${fn}, which is not a function`);
  return f;
}
