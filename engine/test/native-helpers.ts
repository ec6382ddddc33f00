// Shared helpers of the native backend tests: the backend (or why it is unavailable), seeded
// random inputs per dtype, and comparison against the reference backend.
import assert from "node:assert/strict";
import { ShapedArray } from "../src/ir/aval.js";
import type { DType, TypedArray } from "../src/dtype.js";
import type { Primitive } from "../src/ir/primitives.js";
import { referenceImpls, type DataPrimitive, type Impl } from "../src/backend/reference/ops.js";
import { loadAddon } from "../src/backend/native/addon.js";
import { NativeBackend } from "../src/backend/native/backend.js";

const load = loadAddon();
export const native: NativeBackend | null = load.ok ? new NativeBackend(load.addon) : null;
/** Set when the addon is truly unavailable (no toolchain): the tests say so and skip. */
export const skip: string | false = load.ok ? false : `native addon unavailable: ${load.reason}`;

export { rng, randomArray, aval } from "./helpers/random-arrays.js";

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
