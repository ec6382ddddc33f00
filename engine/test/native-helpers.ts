// Shared helpers of the native backend tests: the backend (or why it is unavailable), seeded
// random inputs per dtype, and comparison against the reference backend.
import assert from "node:assert/strict";
import { ShapedArray } from "../src/core/aval.js";
import type { DType, TypedArray } from "../src/dtype.js";
import { castScalar, typedArrayFor } from "../src/dtype.js";
import type { Primitive } from "../src/core/primitives.js";
import { referenceImpls, type DataPrimitive, type Impl } from "../src/backend/reference/ops.js";
import { loadAddon } from "../src/backend/native/addon.js";
import { NativeBackend } from "../src/backend/native/backend.js";

const load = loadAddon();
export const native: NativeBackend | null = load.ok ? new NativeBackend(load.addon) : null;
/** Set when the addon is truly unavailable (no toolchain): the tests say so and skip. */
export const skip: string | false = load.ok ? false : `native addon unavailable: ${load.reason}`;

export function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
}

export function randomArray(dtype: DType, shape: readonly number[], r: () => number, lo = -3, hi = 3): TypedArray {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = typedArrayFor(dtype, n);
  for (let i = 0; i < n; i++) {
    const v = lo + (hi - lo) * r();
    out[i] = dtype === "bool" ? (v > (lo + hi) / 2 ? 1 : 0) : dtype === "int32" || dtype === "uint32" ? castScalar(Math.round(v), dtype) : castScalar(v, dtype);
  }
  return out;
}

export const aval = (shape: readonly number[], dtype: DType) => new ShapedArray(shape, dtype);

/** Runs a primitive on the reference kernels and on the native backend; returns both outputs. */
export function runBoth(prim: Primitive, params: any, inputs: TypedArray[], inAvals: ShapedArray[], outAvals: ShapedArray[]) {
  const be = native!;
  const impl = referenceImpls[prim as DataPrimitive] as Impl<DataPrimitive>;
  const want = impl(inputs.map((x) => x.slice()), params, inAvals, outAvals);
  const bufs = inputs.map((x, i) => be.upload(x, inAvals[i]!));
  const outs = be.execute(prim, params, bufs, inAvals, outAvals);
  const got = outs.map((b, i) => be.downloadSync(b, outAvals[i]!));
  for (const b of [...bufs, ...outs]) be.free(b);
  return { want, got };
}

/** Elementwise comparison: NaN matches NaN, -0 matches 0 only within tolerance, ints exactly. */
export function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol: number, what: string) {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!, w = want[i]!;
    if (Number.isNaN(w) || Number.isNaN(g)) {
      assert.ok(Number.isNaN(w) && Number.isNaN(g), `${what}[${i}]: got ${g}, want ${w}`);
      continue;
    }
    if (g === w) continue;
    if (!Number.isFinite(w) || !Number.isFinite(g)) assert.fail(`${what}[${i}]: got ${g}, want ${w}`);
    const tol = atol + rtol * Math.abs(w);
    if (!(Math.abs(g - w) <= tol)) assert.fail(`${what}[${i}]: got ${g}, want ${w} (|diff| ${Math.abs(g - w)} > ${tol})`);
  }
}
