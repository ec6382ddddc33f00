// The new functions (compositions of existing primitives, and the custom-derivative primitives
// that evaluation and lowering inline) give the same answers on every backend that starts here
// (the reference backend is the oracle), eagerly and under jit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, nn, lax, grad, jit, config, setDefaultBackend, defaultBackendName, DeviceArray } from "../src/index.js";
import { backends } from "./helpers/backends.js";

config.update("enableX64", true);
const list = (x: DeviceArray) => Array.from(x.dataSync(), Number);

const a = [[4, 1, 2], [1, 3, 0.5], [2, 0.5, 5], [1, -1, 0.3]];
const cases: [string, () => DeviceArray][] = [
  ["eigvalsh", () => np.linalg.eigvalsh(np.array(a.slice(0, 3)))],
  ["svdvals", () => np.linalg.svdvals(np.array(a))],
  ["pinv", () => np.linalg.pinv(np.array(a))],
  ["qr R", () => np.abs((np.linalg.qr(np.array(a)) as DeviceArray[])[1]!)],
  ["norm nuc", () => np.linalg.norm(np.array(a), "nuc")],
  ["einsum ellipsis + diagonal", () => np.einsum("...ii->...i", np.reshape(np.arange(18, { dtype: "float64" }), [2, 3, 3]))],
  ["rfft", () => np.fft.rfft(np.sin(np.arange(7, { dtype: "float64" }))).abs()],
  ["topK", () => lax.topK(np.array([3, 1, 4, 1, 5, 9, 2, 6]), 3)[0]],
  ["reduceWindow", () => lax.reduceWindow(np.reshape(np.arange(20, { dtype: "float64" }), [4, 5]), -Infinity, "max", [2, 2], [1, 2], "SAME")],
  ["associativeScan", () => lax.associativeScan(np.add, np.arange(9, { dtype: "float64" }))],
  ["nonzero size", () => np.nonzero(np.array([0, 2, 0, 3]), { size: 3, fillValue: -1 })[0]!],
  ["take fill", () => np.take(np.array([1.0, 2.0]), np.array([0, 5], "int32"), null, { fillValue: -7 })],
  ["relu grad", () => grad((x: DeviceArray) => np.sum(nn.relu(x)))(np.array([-1.0, 0.0, 2.0]))],
];

test("same results on every backend, eager and jit", () => {
  const before = defaultBackendName();
  const names = backends();
  assert.ok(names.includes("reference"));
  const results = new Map<string, number[][]>();
  try {
    for (const b of names) {
      setDefaultBackend(b);
      for (const [name, f] of cases) {
        const eager = list(f()), jitted = list(jit(f)());
        const prev = results.get(name);
        if (prev) {
          for (const r of [eager, jitted]) r.forEach((v, i) => assert.ok(Math.abs(v - prev[0]![i]!) <= 1e-9 * (1 + Math.abs(v)) || (Number.isNaN(v) && Number.isNaN(prev[0]![i]!)), `${name} on ${b}: element ${i}: ${v} vs ${prev[0]![i]} (reference)`));
        } else results.set(name, [eager, jitted]);
        eager.forEach((v, i) => assert.ok(Math.abs(v - jitted[i]!) <= 1e-9 * (1 + Math.abs(v)) || (Number.isNaN(v) && Number.isNaN(jitted[i]!)), `${name} on ${b}: jit vs eager at ${i}`));
      }
    }
  } finally {
    setDefaultBackend(before);
  }
});
