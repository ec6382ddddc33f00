// Conformance of sort (several operands, numKeys) and the cumulative primitives
// (cumsum, cumprod, cummax, cummin, forward and reverse).
import assert from "node:assert/strict";
import * as l from "../src/lax/primitives.js";
import { bind } from "../src/trace/trace.js";
import { prim, runCases, fromList, list, type Case, type Rand, testFor } from "./helpers/primitive-cases.js";

const test = testFor(import.meta.url);

export const cases: Case[] = [];
for (const p of ["cumsum", "cumprod", "cummax", "cummin"] as const) {
  const gen = p === "cumprod" ? (r: Rand, s: number[]) => r.away(s, 0.5, 1.5) : (r: Rand, s: number[]) => r.f(s);
  const noDerivative = p === "cummax" || p === "cummin" ? new RegExp(`${p}: differentiation is not supported`) : undefined;
  cases.push(
    prim(`${p} [3,4] axis 1`, p, { axis: 1, reverse: false }, (r) => [gen(r, [3, 4])], { shapes: [[3, 4]], noDerivative }),
    prim(`${p} [3,4] axis 0 reverse`, p, { axis: 0, reverse: true }, (r) => [gen(r, [3, 4])], { shapes: [[3, 4]], noDerivative }),
    prim(`${p} [2,0] axis 1`, p, { axis: 1, reverse: false }, (r) => [gen(r, [2, 0])], { shapes: [[2, 0]], noDerivative }),
    prim(`${p} [1] axis 0 reverse`, p, { axis: 0, reverse: true }, (r) => [gen(r, [1])], { shapes: [[1]], noDerivative }),
  );
}
cases.push(
  // Exact zeros: the y / x form of the derivative would be 0 / 0.
  prim("cumprod with zeros", "cumprod", { axis: 1, reverse: false }, () => [fromList([2, 0, 3, 0, 0, 1.5, -1, 2, 0.5], [3, 3])], { shapes: [[3, 3]] }),
  prim("cumprod with zeros, reverse", "cumprod", { axis: 0, reverse: true }, () => [fromList([2, 0, 3, 0, 0, 1.5, -1, 2, 0.5], [3, 3])], { shapes: [[3, 3]] }),
  prim("cumsum int32", "cumsum", { axis: 0, reverse: false }, (r) => [r.i([4], -5, 5)], { shapes: [[4]] }),
  prim("sort one operand axis 0", "sort", { dimension: 0, numKeys: 1 }, (r) => [r.f([4, 3])], { shapes: [[4, 3]] }),
  prim("sort three operands, two keys, axis 1", "sort", { dimension: 1, numKeys: 2 },
    (r) => [r.i([3, 5], 0, 2), r.f([3, 5]), r.f([3, 5])], { shapes: [[3, 5], [3, 5], [3, 5]] }),
  prim("sort key int + float payload, axis 0", "sort", { dimension: 0, numKeys: 1 },
    (r) => [r.i([6], 0, 3), r.f([6])], { shapes: [[6], [6]] }),
  prim("sort size-0", "sort", { dimension: 1, numKeys: 1 }, (r) => [r.f([2, 0]), r.f([2, 0])], { shapes: [[2, 0], [2, 0]] }),
);
runCases(test, cases);

test("sort by two keys is stable and lexicographic (by hand)", () => {
  const k1 = fromList([1, 0, 1, 0, 1], [5], "int32"), k2 = fromList([2, 9, 1, 9, 1], [5]), v = fromList([0, 1, 2, 3, 4], [5]);
  const [a, b, c] = l.sort([k1, k2, v], 0, 2);
  assert.deepEqual(list(a!), [0, 0, 1, 1, 1]);
  assert.deepEqual(list(b!), [9, 9, 1, 1, 2]);
  assert.deepEqual(list(c!), [1, 3, 2, 4, 0]);
});

test("cummax / cummin by hand", () => {
  const x = fromList([1, 3, 2, 5, 4], [5]);
  assert.deepEqual(list(bind("cummax", [x], { axis: 0, reverse: false })[0]!), [1, 3, 3, 5, 5]);
  assert.deepEqual(list(bind("cummin", [x], { axis: 0, reverse: true })[0]!), [1, 2, 2, 4, 4]);
});
