// Conformance of the reductions (sum, max, min, prod, and, or, argmax, argmin): shape rule,
// JVP, VJP, batching and jit, each against an independent oracle.
import { prim, runCases, fromList, type Case, testFor } from "./helpers/primitive-cases.js";

const test = testFor(import.meta.url);

export const cases: Case[] = [];
for (const p of ["reduce_sum", "reduce_max", "reduce_min", "reduce_prod"] as const) {
  const gen = p === "reduce_prod" ? (r: any, s: number[]) => r.away(s, 0.5, 1.5) : (r: any, s: number[]) => r.f(s);
  cases.push(
    prim(`${p} [2,3,4] axes (0,2)`, p, { axes: [0, 2] }, (r) => [gen(r, [2, 3, 4])], { shapes: [[3]] }),
    prim(`${p} [2,3,4] axes (2,0) unsorted`, p, { axes: [2, 0] }, (r) => [gen(r, [2, 3, 4])], { shapes: [[3]] }),
    prim(`${p} [3,1] all axes`, p, { axes: [0, 1] }, (r) => [gen(r, [3, 1])], { shapes: [[]] }),
    prim(`${p} [2,3] no axes`, p, { axes: [] }, (r) => [gen(r, [2, 3])], { shapes: [[2, 3]] }),
    prim(`${p} [0,3] axis 1`, p, { axes: [1] }, (r) => [gen(r, [0, 3])], { shapes: [[0]] }),
  );
}
// Reducing a size-0 axis gives the identity (0, -inf, inf, 1); its derivative has no positions to flow through.
cases.push(
  prim("reduce_sum [0,3] axis 0", "reduce_sum", { axes: [0] }, (r) => [r.f([0, 3])], { shapes: [[3]] }),
  prim("reduce_prod [0,3] axis 0", "reduce_prod", { axes: [0] }, (r) => [r.f([0, 3])], { shapes: [[3]] }),
  prim("reduce_max [0,3] axis 0", "reduce_max", { axes: [0] }, (r) => [r.f([0, 3])], {
    shapes: [[3]], skip: { jvp: "the result is -inf, where finite differences are NaN" } }),
  // Ties: the derivative is shared between the tied positions (JVP and VJP must agree).
  prim("reduce_max with ties", "reduce_max", { axes: [1] }, () => [fromList([1, 3, 3, 2, 2, 0], [2, 3])], {
    shapes: [[2]], skip: { jvp: "not differentiable at a tie" } }),
  // Exact zeros: the derivative is the product of the others, not y / x.
  prim("reduce_prod with zeros", "reduce_prod", { axes: [1] }, () => [fromList([0, 2, 3, 0, 0, 5, 1.5, -2, 0.5], [3, 3])], { shapes: [[3]] }),
  prim("reduce_prod with a zero, axes (0,2)", "reduce_prod", { axes: [0, 2] }, (r) => [r.away([2, 2, 2]).at([1, 0, 1]).set(0)], { shapes: [[2]] }),
  prim("reduce_and [2,3] axis 1", "reduce_and", { axes: [1] }, (r) => [r.bool([2, 3])], { shapes: [[2]] }),
  prim("reduce_or [2,0] axis 1", "reduce_or", { axes: [1] }, (r) => [r.bool([2, 0])], { shapes: [[2]] }),
  prim("reduce_or [3,2] axes (0,1)", "reduce_or", { axes: [0, 1] }, (r) => [r.bool([3, 2])], { shapes: [[]] }),
  prim("reduce_sum int32", "reduce_sum", { axes: [0] }, (r) => [r.i([3, 2], -5, 5)], { shapes: [[2]] }),
  prim("argmax [3,4] axis 1", "argmax", { axis: 1, indexDtype: "int32" }, (r) => [r.f([3, 4])], { shapes: [[3]] }),
  prim("argmin [3,4] axis 0", "argmin", { axis: 0, indexDtype: "int32" }, (r) => [r.f([3, 4])], { shapes: [[4]] }),
  prim("argmax [1,5] axis 0", "argmax", { axis: 0, indexDtype: "int32" }, (r) => [r.f([1, 5])], { shapes: [[5]] }),
  prim("argmin with ties", "argmin", { axis: 1, indexDtype: "int32" }, () => [fromList([1, 0, 0, 2, 2, 2], [2, 3])], { shapes: [[2]] }),
);
runCases(test, cases);
