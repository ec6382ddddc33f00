// Conformance of dot_general (batch dims, several contracting dims in permuted order, size-0
// contraction) and conv_general_dilated (strides, dilations, feature groups, SAME and
// explicit negative padding): shape rule, JVP, VJP, batching and jit.
import assert from "node:assert/strict";
import * as l from "../src/lax/primitives.js";
import { lax } from "../src/index.js";
import { prim, runCases, fromList, list, type Case, testFor } from "./helpers/primitive-cases.js";

const test = testFor(import.meta.url);

const dg = (contract: [number[], number[]], batch: [number[], number[]]) => ({ dimensionNumbers: { contract, batch }, preferredElementType: null });
const conv = (p: Partial<{ strides: number[]; padding: any; lhsDilation: number[]; rhsDilation: number[]; featureGroupCount: number }>, nsp: number) => ({
  strides: Array(nsp).fill(1), padding: "VALID", lhsDilation: Array(nsp).fill(1), rhsDilation: Array(nsp).fill(1), featureGroupCount: 1, ...p,
});

export const cases: Case[] = [
  prim("dot_general matmul", "dot_general", dg([[1], [0]], [[], []]), (r) => [r.f([3, 4]), r.f([4, 2])], { shapes: [[3, 2]] }),
  prim("dot_general batch + two contracting dims in permuted order", "dot_general", dg([[3, 1], [0, 3]], [[0], [1]]),
    (r) => [r.f([2, 3, 4, 5]), r.f([5, 2, 6, 3])], { shapes: [[2, 4, 6]] }),
  prim("dot_general two batch dims in swapped order", "dot_general", dg([[2], [0]], [[0, 1], [2, 1]]),
    (r) => [r.f([2, 3, 4]), r.f([4, 3, 2, 2])], { shapes: [[2, 3, 2]] }),
  prim("dot_general outer product (no contraction)", "dot_general", dg([[], []], [[], []]), (r) => [r.f([3]), r.f([2])], { shapes: [[3, 2]] }),
  prim("dot_general size-0 contraction", "dot_general", dg([[1], [0]], [[], []]), (r) => [r.f([2, 0]), r.f([0, 3])], { shapes: [[2, 3]] }),
  prim("dot_general size-1 dims", "dot_general", dg([[0], [1]], [[], []]), (r) => [r.f([1, 1]), r.f([3, 1])], { shapes: [[1, 3]] }),
  prim("dot_general int32", "dot_general", dg([[1], [0]], [[], []]), (r) => [r.i([2, 3], -3, 3), r.i([3, 2], -3, 3)], { shapes: [[2, 2]] }),
  prim("conv 2-D stride 2, rhs dilation, groups, SAME", "conv_general_dilated", conv({ strides: [2, 1], padding: "SAME", rhsDilation: [1, 2], featureGroupCount: 2 }, 2),
    (r) => [r.f([2, 4, 5, 6]), r.f([6, 2, 3, 2])], { shapes: [[2, 6, 3, 6]] }),
  prim("conv 1-D lhs dilation, negative padding", "conv_general_dilated", conv({ padding: [[1, -1]], lhsDilation: [2] }, 1),
    (r) => [r.f([1, 2, 5]), r.f([3, 2, 3])], { shapes: [[1, 3, 7]] }),
  prim("conv 2-D VALID plain", "conv_general_dilated", conv({}, 2), (r) => [r.f([1, 1, 4, 4]), r.f([2, 1, 2, 3])], { shapes: [[1, 2, 3, 2]] }),
  prim("conv 1-D stride 3 not dividing", "conv_general_dilated", conv({ strides: [3], padding: [[0, 1]] }, 1),
    (r) => [r.f([2, 3, 7]), r.f([2, 3, 2])], { shapes: [[2, 2, 3]] }),
  prim("conv depthwise (groups = channels)", "conv_general_dilated", conv({ featureGroupCount: 3, padding: "SAME" }, 1),
    (r) => [r.f([1, 3, 4]), r.f([3, 1, 3])], { shapes: [[1, 3, 4]] }),
];
runCases(test, cases);

test("dot_general and conv by hand", () => {
  const a = fromList([1, 2, 3, 4], [2, 2]), b = fromList([5, 6, 7, 8], [2, 2]);
  assert.deepEqual(list(l.dotGeneral(a, b, { contract: [[1], [0]], batch: [[], []] })), [19, 22, 43, 50]);
  // 1-D correlation (no kernel flip), as lax.conv.
  const y = lax.convGeneralDilated(fromList([1, 2, 3, 4], [1, 1, 4]), fromList([1, 0, -1], [1, 1, 3]));
  assert.deepEqual(list(y), [-2, -2]);
});
