// Conformance of gather and scatter (every mode, duplicate and out-of-range indices, several
// axes): shape rule, JVP, VJP, batching and jit, each against an independent oracle.
import assert from "node:assert/strict";
import * as l from "../src/lax/primitives.js";
import { prim, runCases, fromList, list, type Case, testFor } from "./helpers/primitive-cases.js";

const test = testFor(import.meta.url);

const idx = (values: number[], shape = [values.length]) => fromList(values, shape, "int32");

export const cases: Case[] = [
  prim("gather axis 0, [2,2] indices with a duplicate", "gather", { axis: 0 }, (r) => [r.f([4, 3]), idx([1, 3, 1, 0], [2, 2])], { shapes: [[2, 2, 3]] }),
  prim("gather axis 1, out-of-range indices clamp", "gather", { axis: 1 }, (r) => [r.f([2, 4]), idx([-1, 5, 2])], { shapes: [[2, 3]] }),
  prim("gather random indices", "gather", { axis: 1 }, (r) => [r.f([3, 4, 2]), r.i([3], 0, 4)], { shapes: [[3, 3, 2]] }),
  prim("gather size-0 indices", "gather", { axis: 0 }, (r) => [r.f([3, 2]), idx([])], { shapes: [[0, 2]] }),
  prim("gather scalar index", "gather", { axis: 0 }, (r) => [r.f([3, 2]), idx([2], [])], { shapes: [[2]] }),
];
for (const mode of ["set", "add", "mul", "min", "max"] as const) {
  const noDerivative = mode === "mul" || mode === "min" || mode === "max" ? new RegExp(`differentiation of .at\\[\\]\\.${mode}`) : undefined;
  cases.push(
    prim(`scatter ${mode} axis 0, duplicate indices`, "scatter", { axis: 0, mode }, (r) => [r.f([5, 3]), idx([1, 3, 1, 0]), r.f([4, 3])], { shapes: [[5, 3]], noDerivative }),
    prim(`scatter ${mode} axis 1, out-of-range indices are dropped`, "scatter", { axis: 1, mode }, (r) => [r.f([2, 4]), idx([-1, 2, 4, 2], [2, 2]), r.f([2, 2, 2])], { shapes: [[2, 4]], noDerivative }),
    prim(`scatter ${mode} random indices`, "scatter", { axis: 1, mode }, (r) => [r.f([2, 3]), r.i([4], 0, 3), r.f([2, 4])], { shapes: [[2, 3]], noDerivative }),
  );
}
cases.push(prim("scatter add size-0 updates", "scatter", { axis: 0, mode: "add" }, (r) => [r.f([3]), idx([]), r.f([0])], { shapes: [[3]] }));
runCases(test, cases);

test("scatter by hand: add accumulates duplicates, set keeps the last, out-of-range is dropped", () => {
  const x = fromList([0, 0, 0], [3]), u = fromList([1, 2, 4, 8], [4]), i = idx([1, 1, 3, 0]);
  assert.deepEqual(list(l.scatter(x, i, u, 0, "add")), [8, 3, 0]);
  assert.deepEqual(list(l.scatter(x, i, u, 0, "set")), [8, 2, 0]);
  assert.deepEqual(list(l.gather(fromList([5, 6, 7], [3]), idx([-2, 1, 9]), 0)), [5, 6, 7]);
});
