import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { jit, np, vmap, type DeviceArray } from "./helpers/engine.js";

/**
 * Functions whose oracle is another, fixture-tested path through the engine: the two must agree
 * (they share no code beyond the primitives), under jit and vmap too.
 */
const x = np.array([[0.5, -1.5, 2.0], [3.0, -0.25, 1.0]]);
const same = (a: DeviceArray, b: DeviceArray, what: string) => {
  assert.deepEqual([...a.shape], [...b.shape], `${what}: shape`);
  assert.ok(np.allclose(a, b, { rtol: 1e-6, atol: 1e-7 }).item(), `${what}: ${a} vs ${b}`);
};
describe("numpy functions composed of tested ones", () => {
  it("select = nested where", () => same(np.select([np.less(x, 0), np.greater(x, 1.5)], [np.negative(x), np.square(x)], 7), np.where(np.less(x, 0), np.negative(x), np.where(np.greater(x, 1.5), np.square(x), 7)), "select"));
  it("piecewise = where of the pieces", () => same(np.piecewise(x, [np.less(x, 0)], [(v) => np.multiply(v, 2), (v) => np.exp(v)]), np.where(np.less(x, 0), np.multiply(x, 2), np.exp(x)), "piecewise"));
  it("applyAlongAxis = the reduction along that axis", () => same(np.applyAlongAxis((v) => np.sum(np.square(v)), 1, x), np.sum(np.square(x), { axis: 1 }), "applyAlongAxis"));
  it("applyOverAxes keeps the rank", () => same(np.applyOverAxes((a, ax) => np.sum(a, { axis: ax }), x, [0, 1]), np.sum(x, { keepdims: true }), "applyOverAxes"));
  it("vectorize = the elementwise op, and agrees under jit", () => {
    const f = np.vectorize((a, b) => np.add(np.multiply(a, a), b));
    same(f(x, np.array([1, 2, 3])), np.add(np.square(x), np.array([1, 2, 3])), "vectorize");
    same(jit((a: DeviceArray) => f(a, 1))(x), np.add(np.square(x), 1), "jit(vectorize)");
  });
  it("block = concatenations", () => same(np.block([[np.ones([2, 2]), np.zeros([2, 1])], [np.full([1, 3], 5)]]), np.concatenate([np.concatenate([np.ones([2, 2]), np.zeros([2, 1])], 1), np.full([1, 3], 5)], 0), "block"));
  it("astype = array(x, dtype)", () => assert.deepEqual(np.astype(x, "int32").tolist(), np.array(x, "int32").tolist()));
  it("rsqrt = 1 / sqrt", () => same(np.rsqrt(np.abs(x)), np.reciprocal(np.sqrt(np.abs(x))), "rsqrt"));
  it("delete_ is delete", () => same(np.delete_(x, 1, 1), np.delete(x, [1], 1), "delete_"));
  it("frombuffer reads the bytes of a typed array", () => same(np.frombuffer(new Float32Array([1.5, -2, 3]).buffer), np.array([1.5, -2, 3]), "frombuffer"));
  it("maskIndices(n, triu) = triuIndices(n)", () => np.maskIndices(3, (a, k) => np.triu(a, k)).forEach((v, i) => assert.deepEqual(v.tolist(), np.triuIndices(3)[i]!.tolist())));
  it("vmap of numpy functions = a loop", () => {
    const f = (r: DeviceArray) => np.interp(r, np.array([-2, 0, 1, 3]), np.array([0, 1, -1, 2]));
    const batched = vmap(f)(x);
    [...x].forEach((row, i) => same(np.index(batched, i), f(row), `vmap interp row ${i}`));
    const g = (r: DeviceArray) => np.linalg.det(np.reshape(np.concatenate([r, r, np.array([1, 0, 0])]), [3, 3]));
    assert.ok(Math.abs(g(np.array([1, 2, 3])).item()) < 1e-6);
  });
});
