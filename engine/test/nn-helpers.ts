// Shared helpers of the nn / optim / losses / checkpoint tests (not a test file itself).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { DeviceArray, np } from "../src/index.js";

export interface Fx { shape: number[]; data: number[] }
export function fixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`./fixtures/nn/${name}`, import.meta.url)), "utf8")) as T;
}
export const fromFx = (f: Fx, dtype: "float32" | "float64" = "float32"): DeviceArray => np.array(f.data, dtype).reshape(f.shape);
export function values(x: DeviceArray): number[] { return Array.from(x.dataSync() as ArrayLike<number>, Number); }

/** |a - b| <= atol + rtol |b| elementwise, with a message naming the worst element. */
export function assertClose(actual: DeviceArray | number[], expected: DeviceArray | number[] | Fx, opts: { rtol?: number; atol?: number; msg?: string } = {}) {
  const a = Array.isArray(actual) ? actual : values(actual);
  const e = Array.isArray(expected) ? expected : expected instanceof DeviceArray ? values(expected) : expected.data;
  if (!Array.isArray(actual) && !Array.isArray(expected)) {
    assert.deepEqual(actual.shape, expected.shape, `${opts.msg ?? ""} shape`);
  }
  assert.equal(a.length, e.length, `${opts.msg ?? ""}: length ${a.length} != ${e.length}`);
  const rtol = opts.rtol ?? 1e-5, atol = opts.atol ?? 1e-6;
  let worst = -1, worstErr = 0;
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i]! - e[i]!) - (atol + rtol * Math.abs(e[i]!));
    if (!(err <= 0) && (worst < 0 || err > worstErr || Number.isNaN(err))) { worst = i; worstErr = err; }
  }
  if (worst >= 0) assert.fail(`${opts.msg ?? "values differ"}: at ${worst} got ${a[worst]} expected ${e[worst]} (rtol ${rtol}, atol ${atol})`);
}
