// Lowering: matmul epilogues. A backend that declares `fusesEpilogues` gets bias + activation
// folded into the dot_general step; results must equal the reference backend's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, nn, jit, grad, setDefaultBackend, DeviceArray } from "../src/index.js";
import { registerBackend } from "../src/backend/registry.js";
import { ReferenceBackend } from "../src/backend/reference/index.js";

class EpilogueReference extends ReferenceBackend {
  override readonly name = "reference-epilogues" as "reference";
  readonly fusesEpilogues = true;
}
registerBackend("reference-epilogues", () => new EpilogueReference(), 50);

const layer = (x: DeviceArray, w: DeviceArray, b: DeviceArray) => nn.relu(np.matmul(x, w).add(b)).mul(2);
const x = np.array([[0.5, -1, 2], [1, 0.25, -0.5]]), w = np.array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]]), b = np.array([0.05, -0.1]);

test("bias + activation fold into the matmul step, with the same results", () => {
  setDefaultBackend("reference");
  const expected = layer(x, w, b).tolist();
  const g0 = (grad((w_: DeviceArray) => layer(x, w_, b).sum()) as (w_: DeviceArray) => DeviceArray)(w).tolist();
  setDefaultBackend("reference-epilogues");
  try {
    const xs = [x, w, b].map((a) => np.array(a.tolist()));
    const f = jit(layer);
    const { program } = f.lower(xs[0]!, xs[1]!, xs[2]!);
    assert.match(program, /dot_general \(%0, %1\) then fused\[epilogue\] \(result, %2\)/, program);
    assert.doesNotMatch(program, /fused\[.*\] over \[2,2\]/, program);
    assert.deepEqual(f(xs[0]!, xs[1]!, xs[2]!).tolist(), expected);
    const g = jit(grad((w_: DeviceArray) => layer(xs[0]!, w_, xs[2]!).sum()))(xs[1]!);
    assert.deepEqual(g.tolist(), g0);
  } finally {
    setDefaultBackend("reference");
  }
});
