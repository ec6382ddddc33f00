// Reductions of a huge extent to few outputs on webgpu (webgpu/two-pass.ts: chunks' partial
// results, then a pass combining them) against the reference backend: every reduction and the
// dtypes the engine reduces, one output and a few, contiguous and strided extents, NaN
// propagation in float max/min (a NaN in one chunk only), with and without subgroups, and a
// fused (jitted) expression feeding the first pass. Sizes are just past the point where the
// reduction splits (a few workgroups' reach), since CI runs on lavapipe.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { np, jit, type DeviceArray } from "../src/index.js";
import type { Primitive } from "../src/ir/primitives.js";
import type { DType } from "../src/dtype.js";
import { WebGPUBackend } from "../src/backend/webgpu/backend.js";
import { acquireGpu } from "../src/backend/webgpu/device.js";
import { referenceImpls, type DataPrimitive, type Impl } from "../src/backend/reference/ops.js";
import { aval, randomArray, rng } from "./helpers/random-arrays.js";
import { assertClose, be, both, skip } from "./helpers/webgpu-oracle.js";

const r = rng(5);
const CASES: [Primitive, DType][] = [
  ["reduce_sum", "float32"], ["reduce_sum", "float16"], ["reduce_sum", "int32"], ["reduce_sum", "uint32"], ["reduce_sum", "int8"],
  ["reduce_max", "float32"], ["reduce_min", "float32"], ["reduce_max", "int32"], ["reduce_min", "uint32"], ["reduce_max", "bfloat16"],
  ["reduce_prod", "float32"], ["reduce_and", "bool"], ["reduce_or", "bool"], ["reduce_and", "int32"],
];
/** [shape, axes]: one output of 20000, three of 9000, two strided ones, and both axes of a 2-D array. */
const SHAPES: [number[], number[]][] = [[[20000], [0]], [[3, 9000], [1]], [[9000, 2], [0]], [[150, 100], [0, 1]], [[3, 10, 1500], [0, 2]]];

function input(prim: Primitive, dt: DType, shape: number[]) {
  const prod = prim === "reduce_prod";
  const x = randomArray(dt, shape, r, prod ? 0.9995 : dt === "int8" ? -100 : 0, prod ? 1.0005 : dt === "int8" ? 100 : 3);
  // reduce_and: mostly true, so the result is not decided by the first chunk alone.
  if (prim === "reduce_and") { x.fill(1); x[Math.floor(x.length * 0.8)] = 0; }
  if (prim === "reduce_or") { x.fill(0); x[Math.floor(x.length * 0.7)] = 1; }
  // A NaN deep inside the first output's extent (a later chunk), none in the others'.
  if ((prim === "reduce_max" || prim === "reduce_min") && dt.startsWith("float")) x[shape.length === 2 && shape[1] === 2 ? 2 * 7001 : 7001] = NaN;
  return x;
}

async function reductions(b: WebGPUBackend, path: string) {
  for (const [shape, axes] of SHAPES) for (const [prim, dt] of CASES) {
    const out = shape.filter((_, i) => !axes.includes(i));
    const x = input(prim, dt, shape);
    const impl = referenceImpls[prim as DataPrimitive] as Impl<DataPrimitive>;
    const want = impl([x.slice()], { axes }, [aval(shape, dt)], [aval(out, dt)]);
    const buf = b.upload(x, aval(shape, dt));
    const before = b.stats.dispatches;
    const [o] = b.execute(prim, { axes }, [buf], [aval(shape, dt)], [aval(out, dt)]);
    const got = await b.download(o!, aval(out, dt));
    assert.equal(b.stats.dispatches - before, 2, `${path}: ${prim} [${shape}] ran as two passes`);
    b.free(buf); b.free(o!);
    const half = dt === "float16" || dt === "bfloat16";
    assertClose(got, want[0]!, `${path}: ${prim} ${dt} [${shape}] axes ${axes}`, half ? 2e-3 : 1e-4, half ? 1e-2 : 1e-5);
  }
}

/** A backend on its own device that is told the adapter has no subgroups. */
function withoutSubgroups(): WebGPUBackend {
  return new WebGPUBackend(async () => {
    const g = await acquireGpu();
    return { ...g, features: new Set([...g.features].filter((f) => f !== "subgroups")) };
  });
}

describe("webgpu two-pass reductions", { skip }, () => {
  test("every reduction and dtype, one and a few outputs, NaN propagation", async () => {
    await reductions(be, "default");
  });
  test("without subgroups (the workgroup-memory tree in both passes)", async () => {
    const plain = withoutSubgroups();
    await plain.ready();
    await reductions(plain, "workgroup memory");
  });
  test("a fused expression feeding the first pass; smaller extents stay one pass", async () => {
    const x = np.array(Array.from(randomArray("float32", [30000], r, -1, 1)));
    await both((a) => jit((b: DeviceArray) => [np.exp(b.mul(0.5)).sum(), np.abs(b).max(), b.reshape([3, 10000]).mean(1)])(a) as DeviceArray[], [x], "jit fused reductions");
    const small = randomArray("float32", [2, 1000], r);
    const before = be.stats.dispatches;
    const [o] = be.execute("reduce_sum", { axes: [1] }, [be.upload(small, aval([2, 1000], "float32"))], [aval([2, 1000], "float32")], [aval([2], "float32")]);
    await be.download(o!, aval([2], "float32"));
    assert.equal(be.stats.dispatches - before, 1, "a workgroup per output, one pass");
  });
});
