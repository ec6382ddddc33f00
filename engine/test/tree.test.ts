// Pytrees: flatten/unflatten round trips, structure comparison, map over several trees, and
// registered classes — checked against hand-built expectations of JAX's pytree semantics.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, tree, grad, jit, DeviceArray } from "../src/index.js";

test("flatten visits lists in order and object keys sorted; null is an empty subtree", () => {
  const a = np.array([1]), b = np.array([2]), c = np.array([3]);
  const [leaves, def] = tree.flatten({ z: a, a: [b, null, { y: c }] });
  assert.deepEqual(leaves, [b, c, a]);
  assert.equal(def.numLeaves, 3);
  assert.equal(String(def), '{"a": [*, null, {"y": *}], "z": *}');
  const rebuilt = tree.unflatten(def, [1, 2, 3]);
  assert.deepEqual(rebuilt, { a: [1, null, { y: 2 }], z: 3 });
});

test("structures compare independently of key insertion order; map checks structures", () => {
  assert.ok(tree.structure({ a: 1, b: 2 }).equals(tree.structure({ b: 5, a: 6 })));
  assert.ok(!tree.structure([1, 2]).equals(tree.structure([1, [2]])));
  assert.deepEqual(tree.map((x: number, y: number) => x + y, { a: 1, b: [2, 3] }, { a: 10, b: [20, 30] }), { a: 11, b: [22, 33] });
  assert.throws(() => tree.map((x: number) => x, { a: 1 }, { b: 1 }), /tree\.map: tree 1 has structure \{"b": \*\}, expected \{"a": \*\}/);
  assert.throws(() => tree.unflatten(tree.structure([1, 2]), [1]), /has 2 leaves but 1 were given/);
});

test("frozen objects stay frozen through unflatten", () => {
  const t = Object.freeze({ w: 1 });
  assert.ok(Object.isFrozen(tree.map((x: number) => x * 2, t)));
});

test("registered classes are traversed by transformations", () => {
  class Pair { constructor(readonly a: DeviceArray, readonly b: DeviceArray) {} }
  tree.registerPytreeNode(Pair, (p) => [[p.a, p.b], null], (_aux, [a, b]) => new Pair(a as DeviceArray, b as DeviceArray));
  const loss = (p: Pair) => p.a.mul(p.b).sum();
  const g = grad(loss)(new Pair(np.array([1.0, 2.0]), np.array([3.0, 4.0]))) as Pair;
  assert.ok(g instanceof Pair);
  assert.deepEqual(g.a.tolist(), [3, 4]);
  assert.deepEqual(g.b.tolist(), [1, 2]);
  const swapped = jit((p: Pair) => new Pair(p.b, p.a.add(1)))(new Pair(np.array([1.0]), np.array([5.0])));
  assert.deepEqual([swapped.a.item(), swapped.b.item()], [5, 2]);
});

test("tree.transpose turns a list of pairs into a pair of lists", () => {
  const outer = tree.structure([0, 0, 0]), inner = tree.structure({ x: 0, y: 0 });
  assert.deepEqual(tree.transpose(outer, inner, [{ x: 1, y: 2 }, { x: 3, y: 4 }, { x: 5, y: 6 }]), { x: [1, 3, 5], y: [2, 4, 6] });
});
