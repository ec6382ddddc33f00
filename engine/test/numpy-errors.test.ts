import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { jit, np } from "./helpers/engine.js";

/** Error messages asserted verbatim, including the location of the offending call in this file. */
const here = "engine/test/numpy-errors.test.ts";
function throwsExactly(f: () => unknown, name: string, message: string) {
  assert.throws(f, (e: Error) => { assert.equal(e.name, name); assert.equal(e.message, message); return true; });
}
describe("numpy errors name the op, the shapes, the rule and the call site", () => {
  it("matmul contraction mismatch", () => {
    throwsExactly(() => np.matmul(np.zeros([3, 2]), np.zeros([3, 4])), "ShapeError", `matmul: contraction dims differ: f32[3,2] @ f32[3,4] (2 != 3) at ${here}:12:28`);
  });
  it("broadcasting", () => {
    throwsExactly(() => np.add(np.zeros([3, 2]), np.zeros([3, 4])), "ShapeError", `add: shapes [3,2] and [3,4] do not broadcast: axis -1 has 2 vs 4 (each must be equal or 1) at ${here}:15:28`);
  });
  it("reshape", () => {
    throwsExactly(() => np.reshape(np.zeros([3, 2]), [4, -1]), "ShapeError", `reshape: cannot reshape [3,2] (size 6) into [4,-1] at ${here}:18:28`);
  });
  it("axis out of range", () => {
    throwsExactly(() => np.sum(np.zeros([3, 2]), { axis: 2 }), "ShapeError", `sum: axis 2 is out of range for an array of rank 2 with shape [3,2] at ${here}:21:28`);
  });
  it("convolve of 2-D input", () => {
    throwsExactly(() => np.convolve(np.zeros([2, 2]), [1, 2]), "ShapeError", `convolve: inputs must be 1-D, got shapes [2,2] and [2] at ${here}:24:28`);
  });
  it("data-dependent output sizes need concrete values inside jit", () => {
    assert.throws(() => jit((x: any) => np.unique(x))(np.ones([3])), (e: Error) => e.name === "ConcretizationError" && e.message.startsWith("uniqueValues") === false && e.message.startsWith("unique: cannot convert a traced array f32[3] to a concrete value inside jit"));
    assert.throws(() => jit((x: any) => np.bincount(x))(np.array([1, 2], "int32")), (e: Error) => e.name === "ConcretizationError" && e.message.startsWith("bincount without a static length: cannot convert a traced array i32[2]"));
  });
  it("bincount with a static length works inside jit", () => {
    assert.deepEqual(jit((x: any) => np.bincount(x, { length: 4 }))(np.array([1, 1, 3], "int32")).tolist(), [0, 2, 0, 1]);
  });
});
