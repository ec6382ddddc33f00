// np.einsum with ellipsis and repeated indices against numpy (scripts/gen_linalg_fixtures.py),
// with gradients against finite differences, vmap against a loop and jit against eager; the
// shape rule (shared with the language server) agrees and names the problem on bad subscripts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, jit, vmap, config, DeviceArray, ShapeError } from "../src/index.js";
import { einsumShape } from "../src/shape/linalg.js";
import { checkGrads } from "./helpers/check-grads.js";
import { loadFixture } from "./helpers/fixtures.js";

config.update("enableX64", true);
interface Enc { shape: number[]; data: number[] }
const F = loadFixture<any>("linalg.json");
const dec = (e: Enc) => np.reshape(np.array(e.data, "float64"), e.shape);
const list = (x: DeviceArray) => Array.from(x.dataSync(), Number);
function close(a: DeviceArray, e: DeviceArray, tol: number, what: string) {
  assert.deepEqual([...a.shape], [...e.shape], `${what}: shape`);
  const x = list(a), y = list(e);
  x.forEach((v, i) => assert.ok(Math.abs(v - y[i]!) <= tol * (1 + Math.abs(y[i]!)), `${what}: element ${i}: ${v} vs ${y[i]}`));
}

test("einsum against numpy: ellipsis, repeated indices, implicit outputs", () => {
  for (const c of F.einsum) {
    const ops = c.operands.map(dec);
    close(np.einsum(c.spec, ...ops), dec(c.out), 1e-12, c.spec);
    assert.deepEqual(einsumShape(c.spec, ops.map((o: DeviceArray) => o.shape)), dec(c.out).shape, `${c.spec}: shape rule`);
  }
});

test("einsum gradients, vmap and jit", () => {
  for (const c of F.einsum) {
    const ops: DeviceArray[] = c.operands.map(dec);
    checkGrads((...xs) => np.einsum(c.spec, ...xs), ops);
    close(jit((...xs: DeviceArray[]) => np.einsum(c.spec, ...xs))(...ops), dec(c.out), 1e-12, `jit ${c.spec}`);
    // vmap over a new leading axis of the first operand (the others unbatched) against a loop.
    const stacked = np.stack([ops[0]!, np.multiply(ops[0]!, 2)]);
    const loop = np.stack([0, 1].map((i) => np.einsum(c.spec, np.take(stacked, i, 0), ...ops.slice(1))));
    close(vmap((x: DeviceArray) => np.einsum(c.spec, x, ...ops.slice(1)))(stacked), loop, 1e-12, `vmap ${c.spec}`);
  }
});

test("einsum errors name the problem", () => {
  assert.throws(() => np.einsum("ij,jk", np.ones([2, 3]), np.ones([4, 2])), /index 'j' has size 3 and 4/);
  assert.throws(() => np.einsum("ii->i", np.ones([2, 3])), /repeated index 'i'/);
  assert.throws(() => np.einsum("...i->i", np.ones([2, 3])), /names no "\.\.\."/);
  assert.throws(() => np.einsum("i..j", np.ones([2, 3])), /bad subscripts/);
  assert.throws(() => einsumShape("...ij,...jk->...ik", [[2, 3, 4], [5, 4, 2]]), ShapeError);
});
