// Central finite differences (the gradient tests' oracle, in float64) and the closeness check
// the transformation tests share.
import assert from "node:assert/strict";
import { np, type DeviceArray } from "../../src/index.js";

export const list = (x: DeviceArray) => Array.from(x.dataSync(), Number);

/** Elementwise |actual - expected| <= tol (1 + |expected|). */
export function close(actual: DeviceArray | number[], expected: DeviceArray | number[], tol = 1e-6) {
  const a = Array.isArray(actual) ? actual : list(actual), e = Array.isArray(expected) ? expected : list(expected);
  assert.equal(a.length, e.length, `length ${a.length} vs ${e.length}`);
  a.forEach((v, i) => assert.ok(Math.abs(v - e[i]!) <= tol * (1 + Math.abs(e[i]!)), `element ${i}: ${v} vs ${e[i]}`));
}

/** Central differences of a scalar function of one array. */
export function numericGrad(f: (x: DeviceArray) => DeviceArray, x: DeviceArray, h = 1e-6): number[] {
  const base = list(x);
  return base.map((_, i) => {
    const plus = base.slice(), minus = base.slice();
    plus[i]! += h; minus[i]! -= h;
    const fp = f(np.array(plus).reshape(x.shape)).item(), fm = f(np.array(minus).reshape(x.shape)).item();
    return (fp - fm) / (2 * h);
  });
}
