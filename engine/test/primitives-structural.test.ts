// Conformance of the structural primitives (broadcast, reshape, transpose, rev, slice, pad,
// concatenate, dynamic slices, iota), and of jit's fusion of view ops against eager evaluation.
import assert from "node:assert/strict";
import { jit, lax, DeviceArray } from "../src/index.js";
import * as l from "../src/lax/primitives.js";
import { scalar } from "../src/trace/constants.js";
import { prim, runCases, Rand, close, list, type Case, testFor } from "./helpers/primitive-cases.js";

const test = testFor(import.meta.url);

const i32 = (v: number) => scalar(v, "int32");

export const cases: Case[] = [
  prim("broadcast_in_dim [3,1]->[2,3,4]", "broadcast_in_dim", { shape: [2, 3, 4], broadcastDimensions: [1, 2] }, (r) => [r.f([3, 1])], { shapes: [[2, 3, 4]] }),
  prim("broadcast_in_dim []->[2,2]", "broadcast_in_dim", { shape: [2, 2], broadcastDimensions: [] }, (r) => [r.f([])], { shapes: [[2, 2]] }),
  prim("broadcast_in_dim [1]->[0,3]", "broadcast_in_dim", { shape: [0, 3], broadcastDimensions: [1] }, (r) => [r.f([1])], { shapes: [[0, 3]] }),
  prim("broadcast_in_dim [2,3]->[3,1,2] (dims out of order)", "broadcast_in_dim", { shape: [3, 4, 2], broadcastDimensions: [2, 0] }, (r) => [r.f([2, 3])], { shapes: [[3, 4, 2]] }),
  prim("reshape [2,3,4]->[4,6]", "reshape", { shape: [4, 6] }, (r) => [r.f([2, 3, 4])], { shapes: [[4, 6]] }),
  prim("reshape [0,3]->[3,0]", "reshape", { shape: [3, 0] }, (r) => [r.f([0, 3])], { shapes: [[3, 0]] }),
  prim("reshape [1,6]->[6]", "reshape", { shape: [6] }, (r) => [r.f([1, 6])], { shapes: [[6]] }),
  prim("transpose [2,3,4] (2,0,1)", "transpose", { permutation: [2, 0, 1] }, (r) => [r.f([2, 3, 4])], { shapes: [[4, 2, 3]] }),
  prim("transpose [1,0,3] (1,2,0)", "transpose", { permutation: [1, 2, 0] }, (r) => [r.f([1, 0, 3])], { shapes: [[0, 3, 1]] }),
  prim("rev [2,3,4] (0,2)", "rev", { dimensions: [0, 2] }, (r) => [r.f([2, 3, 4])], { shapes: [[2, 3, 4]] }),
  prim("rev [1,5] (0,1)", "rev", { dimensions: [0, 1] }, (r) => [r.f([1, 5])], { shapes: [[1, 5]] }),
  prim("slice [5,6] strided", "slice", { start: [1, 0], limit: [5, 6], strides: [2, 3] }, (r) => [r.f([5, 6])], { shapes: [[2, 2]] }),
  prim("slice [5,7] strides not dividing", "slice", { start: [0, 2], limit: [4, 7], strides: [3, 2] }, (r) => [r.f([5, 7])], { shapes: [[2, 3]] }),
  prim("slice [4,3] empty", "slice", { start: [2, 1], limit: [2, 3], strides: null }, (r) => [r.f([4, 3])], { shapes: [[0, 2]] }),
  prim("slice [4,3] unit", "slice", { start: [1, 1], limit: [3, 3], strides: null }, (r) => [r.f([4, 3])], { shapes: [[2, 2]] }),
  prim("pad interior+negative", "pad", { config: [[1, 2, 1], [-1, 0, 2]] }, (r) => [r.f([3, 4]), r.f([])], { shapes: [[8, 9]] }),
  prim("pad negative only", "pad", { config: [[0, 0, 0], [-2, -1, 0]] }, (r) => [r.f([2, 5]), r.f([])], { shapes: [[2, 2]] }),
  prim("pad negative eating interior", "pad", { config: [[-2, -1, 2]] }, (r) => [r.f([3]), r.f([])], { shapes: [[4]] }),
  prim("pad size-0 operand", "pad", { config: [[1, 1, 2], [0, 1, 0]] }, (r) => [r.f([0, 2]), r.f([])], { shapes: [[2, 3]] }),
  prim("concatenate axis 0 with size-0", "concatenate", { axis: 0 }, (r) => [r.f([2, 3]), r.f([1, 3]), r.f([0, 3])], { shapes: [[3, 3]] }),
  prim("concatenate axis 1", "concatenate", { axis: 1 }, (r) => [r.f([2, 1]), r.f([2, 2])], { shapes: [[2, 3]] }),
  prim("dynamic_slice clamped start", "dynamic_slice", { sizes: [2, 3] }, (r) => [r.f([4, 5]), r.i([], 0, 3), r.i([], 2, 6)], { shapes: [[2, 3]] }),
  prim("dynamic_slice negative start", "dynamic_slice", { sizes: [1, 5] }, (r) => [r.f([4, 5]), r.i([], -3, 0), r.i([], 0, 2)], { shapes: [[1, 5]] }),
  prim("dynamic_update_slice clamped", "dynamic_update_slice", {}, (r) => [r.f([4, 5]), r.f([2, 2]), r.i([], 1, 4), r.i([], -1, 5)], { shapes: [[4, 5]] }),
  prim("dynamic_update_slice size-0 update", "dynamic_update_slice", {}, (r) => [r.f([3]), r.f([0]), r.i([], 0, 3)], { shapes: [[3]] }),
  prim("iota int32 [3,4] dim 1", "iota", { dtype: "int32", shape: [3, 4], dimension: 1 }, () => [], {
    shapes: [[3, 4]], skip: { vmap: "iota has no operands, so nothing can be mapped" } }),
  prim("iota float64 [0,2]", "iota", { dtype: "float64", shape: [0, 2], dimension: 0 }, () => [], {
    shapes: [[0, 2]], skip: { vmap: "iota has no operands, so nothing can be mapped" } }),
];

runCases(test, cases);

test("iota by hand", () => {
  close(list(l.iota("int32", [2, 3], 1)), [0, 1, 2, 0, 1, 2], 0, "iota dim 1");
  close(list(l.iota("int32", [2, 3], 0)), [0, 0, 0, 1, 1, 1], 0, "iota dim 0");
});

/** jit of compositions the lowering fuses into strided loads, against eager evaluation. */
const compositions: [string, (x: DeviceArray, y: DeviceArray) => DeviceArray, number[], number[]][] = [
  ["slice(transpose(exp(x)))", (x) => l.slice(l.transpose(l.exp(x), [1, 0, 2]), [1, 0, 1], [3, 2, 4], [1, 2, 2]), [2, 3, 4], [1]],
  ["rev(slice(x)) (a negative-stride slice)", (x) => l.rev(l.slice(x, [0, 1], [4, 6], [2, 2]), [0, 1]), [5, 6], [1]],
  ["slice(rev(sin(x)))", (x) => l.slice(l.rev(l.sin(x), [1]), [0, 1], [3, 5], [2, 3]), [3, 6], [1]],
  ["reduce_sum of a broadcast", (x) => l.reduceSum(l.broadcastInDim(x, [4, 3, 2], [1, 2]), [0, 2]), [3, 1], [1]],
  ["reduce_max of a broadcast times y", (x, y) => l.reduceMax(l.mul(l.broadcastInDim(x, [3, 4], [0]), y), [1]), [3], [3, 4]],
  ["reduce_sum of a transposed slice", (x) => l.reduceSum(l.slice(l.transpose(l.tanh(x), [1, 0]), [1, 0], [4, 3], [2, 1]), [0]), [3, 4], [1]],
  ["reshape then transpose of an elementwise chain", (x, y) => l.transpose(l.reshape(l.add(l.exp(x), y), [3, 2, 2]), [2, 0, 1]), [2, 6], [6]],
  ["broadcast of a scalar into a chain", (x, y) => l.mul(l.add(x, l.broadcastInDim(l.reduceSum(y, [0]), [2, 3], [])), x), [2, 3], [4]],
  ["transpose of a broadcast of a slice", (x) => l.transpose(l.broadcastInDim(l.slice(x, [1], [4], [2]), [2, 3], [0]), [1, 0]), [5], [1]],
  ["multi-use expensive value", (x) => { const e = l.exp(l.sin(l.cos(l.tanh(l.log(l.abs(x)))))); return l.add(l.rev(e, [0]), l.transpose(e, [1, 0])); }, [3, 3], [1]],
  ["reduction over a size-0 axis", (x) => l.reduceSum(l.exp(x), [0]), [0, 3], [1]],
  ["pad then slice", (x, y) => l.slice(l.pad(l.exp(x), l.reshape(y, []), [[1, -1, 1], [2, 0, 0]]), [0, 1], [4, 5], [3, 2]), [3, 3], [1]],
];
for (const [name, f, sx, sy] of compositions) {
  test(`jit vs eager: ${name}`, () => {
    const r = new Rand(3);
    const x = r.f(sx), y = r.f(sy);
    const eager = f(x, y);
    const got = jit(f)(x, y);
    assert.deepEqual([...got.shape], [...eager.shape]);
    close(list(got), list(eager), 1e-12, name);
  });
}

test("jit vs eager: the same input read through two views", () => {
  const x = new Rand(4).f([3, 3]);
  const f = (a: DeviceArray) => l.sub(l.transpose(a, [1, 0]), l.rev(a, [0, 1]));
  close(list(jit(f)(x)), list(f(x)), 1e-12, "two views");
  void lax; void i32;
});
