// gather and scatter on webgpu against the reference backend, in every form the engine makes
// of them: the primitives (np.take along an axis with indices of any rank and integer dtype,
// clamped; scatter in every mode, duplicates applied in order, out-of-range updates dropped),
// operands of every dtype, and the multi-axis forms the numpy layer builds from them (x[i, j],
// x[:, i, j], non-adjacent advanced axes, takeAlongAxis, x.at[i, j].op(v)), their gradients,
// vmap with batched operands and indices, and jit. Skips only without an adapter.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { np, grad, jit, vmap, type DeviceArray } from "../src/index.js";
import type { DType } from "../src/dtype.js";
import type { ScatterMode } from "../src/ir/primitives.js";
import { aval, randomArray, rng } from "./helpers/random-arrays.js";
import { be, both, checkPrim, skip } from "./helpers/webgpu-oracle.js";

const r = rng(23);
const DTYPES: DType[] = ["float32", "float16", "int32", "uint32", "int8", "uint8", "bool"];
const MODES: ScatterMode[] = ["set", "add", "mul", "min", "max"];
/** Values of a dtype in ±100 (unsigned: 0..100): products of two stay exact in the reference's doubles. */
const values = (dt: DType, shape: number[]) => randomArray(dt, shape, r, dt.startsWith("uint") ? 0 : -100, 100);
const ints = (shape: number[], lo: number, hi: number, dt: DType = "int32") => randomArray(dt, shape, r, lo, hi);

describe("webgpu gather and scatter primitives", { skip }, () => {
  test("gather: indices of rank 0..2 on every axis, every operand dtype, index dtypes, clamping", async () => {
    for (const dt of DTYPES) {
      const shape = [4, 5, 6], x = values(dt, shape);
      for (const axis of [0, 1, 2]) for (const ishape of [[], [7], [3, 2]]) {
        const ind = ints(ishape, -3, shape[axis]! + 3);
        const out = [...shape.slice(0, axis), ...ishape, ...shape.slice(axis + 1)];
        await checkPrim("gather", { axis }, [x, ind], [aval(shape, dt), aval(ishape, "int32")], [aval(out, dt)], `gather ${dt} axis ${axis} indices [${ishape}]`);
      }
    }
    for (const idt of ["int8", "uint8", "uint32", "int16"] as DType[]) {
      const x = randomArray("float32", [9, 3], r), ind = ints([5], 0, 12, idt);
      await checkPrim("gather", { axis: 0 }, [x, ind], [aval([9, 3], "float32"), aval([5], idt)], [aval([5, 3], "float32")], `gather with ${idt} indices`);
    }
  });
  test("scatter: every mode and dtype, indices of rank 0..2, duplicates, dropped out-of-range updates", async () => {
    for (const dt of DTYPES) for (const mode of MODES) {
      // The reference's bool add leaves 2 where two trues meet (not a bool): checked on its own below.
      if (dt === "bool" && mode === "add") continue;
      const shape = [5, 6], x = values(dt, shape);
      for (const axis of [0, 1]) for (const ishape of [[], [4], [2, 3]]) {
        const ind = ints(ishape, -2, shape[axis]! + 2);
        if (ind.length > 1) ind[1] = ind[0]!; // a duplicate: applied in order (set: the last wins)
        const ushape = [...shape.slice(0, axis), ...ishape, ...shape.slice(axis + 1)];
        const u = values(dt, ushape);
        await checkPrim("scatter", { axis, mode }, [x, ind, u], [aval(shape, dt), aval(ishape, "int32"), aval(ushape, dt)], [aval(shape, dt)], `scatter ${mode} ${dt} axis ${axis} indices [${ishape}]`);
      }
    }
  });
  test("scatter: int8 sums and products wrap; NaN in min/max updates propagates", async () => {
    // int8 is held widened on the host (Int32Array), as typedArrayFor makes it.
    const x = new Int32Array([100, -100, 5, 7]), ind = new Int32Array([0, 0, 1, 1]), u = new Int32Array([100, 27, -100, -3]);
    for (const mode of ["add", "mul"] as ScatterMode[]) {
      await checkPrim("scatter", { axis: 0, mode }, [x, ind, u], [aval([4], "int8"), aval([4], "int32"), aval([4], "int8")], [aval([4], "int8")], `int8 ${mode} wraps`);
    }
    const f = new Float32Array([1, 2, 3]), fu = new Float32Array([NaN, 0.5, -1]);
    for (const mode of ["min", "max"] as ScatterMode[]) {
      await checkPrim("scatter", { axis: 0, mode }, [f, new Int32Array([0, 1, 1]), fu], [aval([3], "float32"), aval([3], "int32"), aval([3], "float32")], [aval([3], "float32")], `NaN ${mode}`);
    }
  });
  test("scatter add on bool is a logical or (duplicates included)", async () => {
    const x = new Uint8Array([0, 1, 0, 1]), ind = new Int32Array([0, 0, 1, 2, 2, 9]), u = new Uint8Array([1, 1, 1, 0, 0, 1]);
    const bufs = [be.upload(x, aval([4], "bool")), be.upload(ind, aval([6], "int32")), be.upload(u, aval([6], "bool"))];
    const [o] = be.execute("scatter", { axis: 0, mode: "add" }, bufs, [aval([4], "bool"), aval([6], "int32"), aval([6], "bool")], [aval([4], "bool")]);
    assert.deepEqual(Array.from(await be.download(o!, aval([4], "bool"))), [1, 1, 0, 1]);
    for (const b of [...bufs, o!]) be.free(b);
  });
  test("many updates over a large operand (more than one workgroup of columns and of updates)", async () => {
    const x = randomArray("float32", [300, 40], r), ind = ints([700], -5, 305), u = randomArray("float32", [700, 40], r);
    for (const mode of ["add", "set", "max"] as ScatterMode[]) {
      await checkPrim("scatter", { axis: 0, mode }, [x, ind, u], [aval([300, 40], "float32"), aval([700], "int32"), aval([700, 40], "float32")], [aval([300, 40], "float32")], `large scatter ${mode}`);
    }
    await checkPrim("gather", { axis: 0 }, [x, ind], [aval([300, 40], "float32"), aval([700], "int32")], [aval([700, 40], "float32")], "large gather");
  });
});

describe("webgpu multi-axis indexing built on gather/scatter", { skip }, () => {
  const x = np.array(Array.from(randomArray("float32", [4, 5, 6], r))).reshape([4, 5, 6]);
  const i = np.array([3, 0, -1, 2], { dtype: "int32" }), j = np.array([[1, 4], [0, 2]], { dtype: "int32" });
  const k = np.array([5, 0, 2, 1], { dtype: "int32" });
  test("x[i, j], x[:, i, j], non-adjacent advanced axes, takeAlongAxis", async () => {
    await both((a) => [a.get(i, np.array([1, 4, 0, 2], { dtype: "int32" })), a.get(":", np.array([1, 0], { dtype: "int32" }), j), a.get(i, ":", k)], [x], "advanced indexing");
    const order = np.argsort(x, { axis: 2 });
    await both((a) => [np.takeAlongAxis(a, order, 2), np.takeAlongAxis(a, np.argsort(a, { axis: 0 }), 0)], [x], "takeAlongAxis");
  });
  test("x.at[i, j].op(v) in every mode, with duplicates", async () => {
    const ii = np.array([0, 3, 0, 1], { dtype: "int32" }), jj = np.array([2, 4, 2, 0], { dtype: "int32" });
    const v = np.array([[1.5], [-2], [0.25], [3]]).reshape([4, 1]);
    await both((a) => [a.at(ii, jj).set(v), a.at(ii, jj).add(v), a.at(ii, jj).mul(v), a.at(ii, jj).min(v), a.at(ii, jj).max(v)], [x], "at[i, j]");
    await both((a) => a.at(":", ii, jj).add(1), [x], "at[:, i, j]");
  });
  test("gradients, vmap with batched operands and indices, jit", async () => {
    const loss = (a: DeviceArray) => a.get(i, np.array([1, 4, 0, 1], { dtype: "int32" })).square().sum().add(a.at(i, k.get("0:4"), 0).add(2).sum());
    await both((a) => grad(loss)(a) as DeviceArray, [x], "grad of gather and scatter");
    const idx = np.array([[1, 0, 3], [2, 2, 0], [3, 1, 1], [0, 0, 2]], { dtype: "int32" });
    await both((a, b) => vmap((row: DeviceArray, ix: DeviceArray) => np.take(row, ix, 0))(a, b) as DeviceArray, [x, idx], "vmap(take), both batched");
    await both((a, b) => vmap((row: DeviceArray, ix: DeviceArray) => row.at(ix).add(1))(a, b) as DeviceArray, [x, idx], "vmap(at.add), both batched");
    await both((a) => jit((b: DeviceArray) => [b.get(i, k.get("0:4")), b.at(i, ":", k).max(0)])(a) as DeviceArray[], [x], "jit");
  });
});
