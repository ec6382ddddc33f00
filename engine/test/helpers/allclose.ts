import assert from "node:assert/strict";
import type { DeviceArray, DType } from "./engine.js";
import { decodeNum, type EncArray } from "./fixtures.js";

/** Tolerances by dtype: what float rounding allows, the same for every op. */
export function defaultTol(dtype: string): { rtol: number; atol: number } {
  if (dtype === "float16") return { rtol: 2e-3, atol: 2e-3 };
  if (dtype === "float32") return { rtol: 2e-5, atol: 2e-6 };
  if (dtype === "float64") return { rtol: 1e-10, atol: 1e-12 };
  return { rtol: 0, atol: 0 };
}

/** Elementwise |a - b| <= atol + rtol |b| (NaNs equal, infinities exact), with a readable failure. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, opts: { rtol: number; atol: number }, what: string) {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} elements, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]), b = Number(expected[i]);
    if (Number.isNaN(b) ? Number.isNaN(a) : !Number.isFinite(b) ? a === b : Math.abs(a - b) <= opts.atol + opts.rtol * Math.abs(b)) continue;
    assert.fail(`${what}: element ${i} is ${a}, expected ${b} (rtol ${opts.rtol}, atol ${opts.atol})`);
  }
}

/** Compares an array with a fixture array: dtype, shape, then values. */
export function assertArrayMatches(actual: DeviceArray, expected: EncArray, what: string, tol?: { rtol?: number; atol?: number }) {
  assert.equal(actual.dtype, expected.dtype as DType, `${what}: dtype`);
  assert.deepEqual([...actual.shape], expected.shape, `${what}: shape`);
  const d = defaultTol(expected.dtype);
  assertClose(actual.dataSync() as ArrayLike<number>, expected.data.map(decodeNum), { rtol: tol?.rtol ?? d.rtol, atol: tol?.atol ?? d.atol }, what);
}
