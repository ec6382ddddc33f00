// sort on webgpu (a bitonic sort of indices, webgpu/sort.ts) against the reference backend:
// every dtype the engine sorts, stable ties, NaN last and -0 equal to 0, lengths that are not
// powers of two, within one workgroup tile and past it (global passes), many lanes on any
// axis, several keys and payloads; and the API built on it (np.sort/argsort, descending,
// lax.topK, jit). Skips only without an adapter (TENSORLENS_REQUIRE_WEBGPU=1 makes that a failure).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, jit, type DeviceArray } from "../src/index.js";
import type { DType, TypedArray } from "../src/dtype.js";
import { aval, randomArray, rng } from "./helpers/random-arrays.js";
import { be, both, checkPrim, skip } from "./helpers/webgpu-oracle.js";

const r = rng(11);

/** Keys of a dtype with many ties (a small range) and, for floats, NaN, infinities and both zeros. */
function keys(dt: DType, shape: number[]): TypedArray {
  const x = randomArray(dt, shape, r, dt === "uint32" || dt === "uint8" ? 0 : -4, 4);
  if (dt.startsWith("float") || dt === "bfloat16") [NaN, -0, 0, Infinity, -Infinity, NaN, 1, 1].forEach((v, i) => { if (i * 5 < x.length) x[i * 5] = v; });
  return x;
}
const sortOf = async (dt: DType, shape: number[], dimension: number, what: string) => {
  const k = keys(dt, shape), payload = new Int32Array(k.length).map((_, i) => i);
  const av = [aval(shape, dt), aval(shape, "int32")];
  await checkPrim("sort", { dimension, numKeys: 1 }, [k, payload], av, av, `${what}: sort ${dt} [${shape}] axis ${dimension}`);
};

describe("webgpu sort primitive", { skip }, () => {
  test("every dtype, stable on ties (the payload is each element's position), NaN last", async () => {
    for (const dt of ["float32", "float16", "bfloat16", "int32", "uint32", "int8", "uint8", "bool"] as DType[]) await sortOf(dt, [5, 37], 1, "dtypes");
  });
  test("lengths within a tile, not powers of two, any axis, many lanes", async () => {
    for (const [shape, dim] of [[[1], 0], [[2], 0], [[7], 0], [[300, 3], 0], [[3, 5, 9], 1], [[200, 6], 1], [[4, 1, 2], 1]] as [number[], number][]) {
      await sortOf("float32", shape, dim, "tile");
    }
  });
  test("lanes longer than a workgroup tile run global passes", async () => {
    const before = be.stats.dispatches;
    await sortOf("float32", [3, 1500], 1, "global");
    assert.ok(be.stats.dispatches - before > 4, "more than the tile pass and the permutations ran (global compare-exchange passes)");
    await sortOf("int32", [1100, 2], 0, "global, strided lanes");
    await sortOf("float32", [2049], 0, "global, just past a power of two");
  });
  test("several keys, then payloads of other dtypes", async () => {
    const shape = [4, 600];
    const k0 = randomArray("int32", shape, r, 0, 3), k1 = keys("float32", shape), v0 = randomArray("float32", shape, r), v1 = randomArray("bool", shape, r);
    const av = [aval(shape, "int32"), aval(shape, "float32"), aval(shape, "float32"), aval(shape, "bool")];
    await checkPrim("sort", { dimension: 1, numKeys: 2 }, [k0, k1, v0, v1], av, av, "two keys, two payloads");
  });
  test("an empty axis", async () => {
    await checkPrim("sort", { dimension: 1, numKeys: 1 }, [new Float32Array(0)], [aval([3, 0], "float32")], [aval([3, 0], "float32")], "empty");
  });
});

describe("webgpu sorting through the API", { skip }, () => {
  const x = np.array(Array.from(keys("float32", [6, 700]))).reshape([6, 700]);
  const ties = np.array(Array.from(randomArray("int32", [3, 530], r, 0, 5)), { dtype: "int32" }).reshape([3, 530]);
  test("np.sort, np.argsort (stable), descending, axis 0", async () => {
    await both((a) => [np.sort(a, { axis: 1 }), np.argsort(a, { axis: 1 }), np.sort(a, { axis: 0 }), np.argsort(a, { axis: 0 })], [x], "sort/argsort");
    await both((a) => [np.sort(a, { axis: 1, descending: true }), np.argsort(a, { axis: 1, descending: true })], [ties], "descending, ties");
    await both((a) => np.argsort(a, { axis: -1 }), [ties], "argsort, ties keep their order");
  });
  test("lax.topK and a jitted sort", async () => {
    const finite = np.array(Array.from(randomArray("float32", [5, 600], r))).reshape([5, 600]);
    await both((a) => lax.topK(a, 9), [finite], "topK");
    await both((a) => lax.topK(a, 4), [ties], "topK on ties (lower index first)");
    await both((a) => jit((b: DeviceArray) => np.sort(b.mul(2), { axis: 1 }))(a), [x], "jit(sort)");
  });
});
