import assert from "node:assert/strict";
import { jvp, np, vjp, type DeviceArray } from "./engine.js";

/**
 * checkGrads(f, args, { order, modes }), after jax's check_grads: forward mode is compared with
 * central finite differences, and reverse mode with forward mode through the dot-product
 * identity <ct, J v> = <J^T ct, v>. Higher orders check the derivative functions themselves.
 * Use float64 arguments (config.update("enableX64", true)) so that differences are accurate.
 */
export interface CheckGradsOptions { order?: number; modes?: ("fwd" | "rev")[]; eps?: number; rtol?: number; atol?: number; seed?: number }

type Fn = (...xs: DeviceArray[]) => DeviceArray | DeviceArray[];
const leaves = (y: DeviceArray | DeviceArray[]) => (Array.isArray(y) ? y : [y]);

let state = 1;
function randn(shape: readonly number[], dtype: DeviceArray["dtype"]): DeviceArray {
  const n = shape.reduce((p, d) => p * d, 1);
  const v = Array.from({ length: n }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return (state / 2147483648) * 2 - 1;
  });
  return np.reshape(np.array(v, dtype), [...shape]);
}
const vdot = (a: DeviceArray[], b: DeviceArray[]) =>
  a.reduce((s, x, i) => s + (x.size ? Number(np.sum(np.multiply(x, b[i]!)).item()) : 0), 0);

function assertNear(a: number, b: number, rtol: number, atol: number, what: string) {
  if (!(Math.abs(a - b) <= atol + rtol * Math.max(Math.abs(a), Math.abs(b)))) assert.fail(`${what}: ${a} vs ${b} (rtol ${rtol}, atol ${atol})`);
}
function assertAllNear(a: DeviceArray[], b: DeviceArray[], rtol: number, atol: number, what: string) {
  a.forEach((x, i) => {
    const p = x.dataSync(), q = b[i]!.dataSync();
    for (let k = 0; k < p.length; k++) {
      const u = Number(p[k]), v = Number(q[k]);
      if (!(Math.abs(u - v) <= atol + rtol * Math.abs(v))) assert.fail(`${what}: output ${i} element ${k}: ${u} vs finite differences ${v} (rtol ${rtol}, atol ${atol})`);
    }
  });
}

export function checkGrads(f: Fn, args: DeviceArray[], opts: CheckGradsOptions = {}): void {
  const { order = 1, modes = ["fwd", "rev"], eps = 1e-5, rtol = 1e-5, atol = 1e-6 } = opts;
  if (opts.seed !== undefined) state = opts.seed;
  const tangents = args.map((x) => randn(x.shape, x.dtype));
  if (modes.includes("fwd")) {
    const [, tOut] = jvp((...xs: DeviceArray[]) => f(...xs), args, tangents);
    const plus = leaves(f(...args.map((x, i) => np.add(x, np.multiply(tangents[i]!, eps)))));
    const minus = leaves(f(...args.map((x, i) => np.subtract(x, np.multiply(tangents[i]!, eps)))));
    const fd = plus.map((p, i) => np.divide(np.subtract(p, minus[i]!), 2 * eps));
    assertAllNear(leaves(tOut), fd, rtol * 100, atol * 100, "jvp vs finite differences");
    if (order > 1) checkGrads((...xs) => leaves(jvp((...ys: DeviceArray[]) => f(...ys), xs, tangents)[1]), args, { ...opts, order: order - 1, modes: ["fwd"] });
  }
  if (modes.includes("rev")) {
    const [out, pullback] = vjp((...xs: DeviceArray[]) => f(...xs), ...args);
    const cts = leaves(out).map((o) => randn(o.shape, o.dtype));
    const ctArg = Array.isArray(out) ? cts : cts[0];
    const g = pullback(ctArg) as DeviceArray[];
    const [, tOut] = jvp((...xs: DeviceArray[]) => f(...xs), args, tangents);
    assertNear(vdot(cts, leaves(tOut)), vdot(g, tangents), rtol, atol, "vjp vs jvp (<ct, J v> = <J^T ct, v>)");
    if (order > 1) checkGrads((...xs) => vjp((...ys: DeviceArray[]) => f(...ys), ...xs)[1](ctArg) as DeviceArray[], args, { ...opts, order: order - 1, modes: ["rev"] });
  }
}
