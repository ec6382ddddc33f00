// WebGPU pipelines: shaders take their sizes and strides from a uniform buffer, so a second
// shape of the same kernel structure reuses the first one's pipeline (counted by
// pipelineCacheStats) and still computes the reference's values; and reductions combine a
// workgroup's partial results with subgroup operations where the adapter has `subgroups`, or in
// workgroup memory where it has not, both checked against the reference backend.
// Skips only when no adapter can be found (TENSORLENS_REQUIRE_WEBGPU=1 makes that a failure).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { np, nn, jit, devicePut, getBackend, type DeviceArray } from "../src/index.js";
import type { ShapedArray } from "../src/ir/aval.js";
import type { Primitive } from "../src/ir/primitives.js";
import type { DType, TypedArray } from "../src/dtype.js";
import { WebGPUBackend } from "../src/backend/webgpu/backend.js";
import { acquireGpu } from "../src/backend/webgpu/device.js";
import { aval, randomArray, rng } from "./helpers/random-arrays.js";
import { referenceImpls, type DataPrimitive, type Impl } from "../src/backend/reference/ops.js";
import { adapter, assertClose, be, checkPrim, skip } from "./helpers/webgpu-oracle.js";

const hasSubgroups = adapter?.features.includes("subgroups") ?? false;
if (adapter) console.log(`# webgpu adapter: ${adapter.adapter}; subgroups: ${hasSubgroups}`);

/** One primitive on a webgpu backend against the reference kernels. */
const check = (b: WebGPUBackend, prim: Primitive, params: any, inputs: TypedArray[], inAvals: ShapedArray[], outAvals: ShapedArray[], what: string) =>
  checkPrim(prim, params, inputs, inAvals, outAvals, what, 1e-4, 1e-5, b);

const r = rng(7);
const f32 = (shape: number[], lo = -3, hi = 3) => randomArray("float32", shape, r, lo, hi);
const i32 = (values: number[]) => new Int32Array(values);

/** A primitive at one shape: its inputs, their avals, its output avals. */
interface Case { params: any; inputs: TypedArray[]; ins: ShapedArray[]; outs: ShapedArray[] }
const unary = (shape: number[], out: number[], params: any = {}): Case => ({ params, inputs: [f32(shape)], ins: [aval(shape, "float32")], outs: [aval(out, "float32")] });
const dot = (sa: number[], sb: number[], out: number[]): Case => ({
  params: { dimensionNumbers: { contract: [[1], [0]], batch: [[], []] }, preferredElementType: null },
  inputs: [f32(sa), f32(sb)], ins: [aval(sa, "float32"), aval(sb, "float32")], outs: [aval(out, "float32")],
});

/** Each structure at two shapes: the second must compile nothing. */
const STRUCTURES: [string, Primitive, Case, Case][] = [
  ["broadcasting add", "add",
    { params: {}, inputs: [f32([3, 1]), f32([1, 4])], ins: [aval([3, 1], "float32"), aval([1, 4], "float32")], outs: [aval([3, 4], "float32")] },
    { params: {}, inputs: [f32([6, 1]), f32([1, 9])], ins: [aval([6, 1], "float32"), aval([1, 9], "float32")], outs: [aval([6, 9], "float32")] }],
  ["transpose", "transpose", unary([2, 3, 4], [4, 2, 3], { permutation: [2, 0, 1] }), unary([3, 5, 2], [2, 3, 5], { permutation: [2, 0, 1] })],
  ["strided slice", "slice", unary([6, 7], [2, 3], { start: [1, 0], limit: [5, 7], strides: [2, 3] }), unary([9, 11], [3, 4], { start: [2, 1], limit: [9, 11], strides: [3, 3] })],
  ["reduction, a thread per output", "reduce_sum", unary([3, 4, 5], [3, 5], { axes: [1] }), unary([2, 6, 7], [2, 7], { axes: [1] })],
  ["reduction, a workgroup per output", "reduce_max", unary([3, 1000], [3], { axes: [1] }), unary([5, 700], [5], { axes: [1] })],
  ["matmul", "dot_general", dot([70, 33], [33, 65], [70, 65]), dot([20, 17], [17, 9], [20, 9])],
  ["cumsum", "cumsum", unary([4, 9], [4, 9], { axis: 1, reverse: true }), unary([3, 12], [3, 12], { axis: 1, reverse: true })],
  ["sort", "sort", unary([3, 11], [3, 11], { dimension: 1, numKeys: 1 }), unary([5, 6], [5, 6], { dimension: 1, numKeys: 1 })],
  ["pad", "pad",
    { params: { config: [[1, 2, 1], [-1, 1, 0]] }, inputs: [f32([3, 4]), new Float32Array([9])], ins: [aval([3, 4], "float32"), aval([], "float32")], outs: [aval([8, 4], "float32")] },
    { params: { config: [[0, 1, 2], [2, -1, 0]] }, inputs: [f32([2, 5]), new Float32Array([7])], ins: [aval([2, 5], "float32"), aval([], "float32")], outs: [aval([5, 6], "float32")] }],
  ["gather", "gather",
    { params: { axis: 1 }, inputs: [f32([5, 6]), i32([5, 0, 2, 9, -3])], ins: [aval([5, 6], "float32"), aval([5], "int32")], outs: [aval([5, 5], "float32")] },
    { params: { axis: 1 }, inputs: [f32([3, 8]), i32([7, 1, 1])], ins: [aval([3, 8], "float32"), aval([3], "int32")], outs: [aval([3, 3], "float32")] }],
  ["conv", "conv_general_dilated",
    { params: { strides: [2, 1], padding: [[1, 1], [0, 2]], lhsDilation: [1, 2], rhsDilation: [2, 1], featureGroupCount: 2 }, inputs: [f32([2, 4, 7, 5]), f32([6, 2, 2, 3])], ins: [aval([2, 4, 7, 5], "float32"), aval([6, 2, 2, 3], "float32")], outs: [aval([2, 6, 3, 10], "float32")] },
    { params: { strides: [1, 1], padding: [[0, 0], [1, 1]], lhsDilation: [1, 1], rhsDilation: [1, 1], featureGroupCount: 1 }, inputs: [f32([1, 3, 5, 4]), f32([2, 3, 3, 3])], ins: [aval([1, 3, 5, 4], "float32"), aval([2, 3, 3, 3], "float32")], outs: [aval([1, 2, 3, 4], "float32")] }],
];

describe("webgpu pipelines are keyed by structure, not sizes", { skip }, () => {
  for (const [name, prim, first, second] of STRUCTURES) {
    test(`${name}: a second shape reuses the pipeline and is correct`, async () => {
      await check(be, prim, first.params, first.inputs, first.ins, first.outs, `${name} ${first.ins.map((a) => a.shape).join(" ")}`);
      const before = be.pipelineCacheStats();
      await check(be, prim, second.params, second.inputs, second.ins, second.outs, `${name} ${second.ins.map((a) => a.shape).join(" ")}`);
      const after = be.pipelineCacheStats();
      assert.equal(after.compiled - before.compiled, 0, "no pipeline compiled for the second shape");
      assert.ok(after.hits > before.hits, "the cached pipeline was used");
    });
  }

  test("a jitted function traced at a second shape compiles a program but no pipeline", async () => {
    const f = jit((x: DeviceArray, w: DeviceArray) => nn.softmax(np.matmul(x, w).mul(0.5), -1).sum(0));
    const run = async (m: number, k: number, n: number) => {
      const x = np.array(Array.from(f32([m, k]))).reshape([m, k]), w = np.array(Array.from(f32([k, n]))).reshape([k, n]);
      const got = await f(devicePut(x, "webgpu"), devicePut(w, "webgpu")).data();
      assertClose(got, f(devicePut(x, "reference"), devicePut(w, "reference")).dataSync(), `jit at [${m},${k}]x[${k},${n}]`);
    };
    await run(8, 16, 4);
    const before = be.pipelineCacheStats();
    await run(5, 9, 3);
    assert.equal(be.pipelineCacheStats().compiled - before.compiled, 0, "the new shape's steps reuse every pipeline");
  });
});

/** A backend on its own device that is told the adapter has no subgroups (as adapters without them are). */
function withoutSubgroups(): WebGPUBackend {
  return new WebGPUBackend(async () => {
    const g = await acquireGpu();
    return { ...g, features: new Set([...g.features].filter((f) => f !== "subgroups")) };
  });
}

/** The workgroup-per-output reduction path, every op, NaN in the float max/min. */
const REDUCTIONS: [Primitive, DType][] = [
  ["reduce_sum", "float32"], ["reduce_max", "float32"], ["reduce_min", "float32"], ["reduce_prod", "float32"],
  ["reduce_sum", "int32"], ["reduce_max", "int32"], ["reduce_min", "uint32"], ["reduce_and", "bool"], ["reduce_or", "bool"], ["reduce_sum", "float16"],
];
async function reductions(b: WebGPUBackend, path: string) {
  for (const [shape, axes] of [[[3, 1000], [1]], [[700, 3], [0]], [[2, 5, 90], [0, 2]]] as [number[], number[]][]) {
    for (const [prim, dt] of REDUCTIONS) {
      const x = randomArray(dt, shape, r, prim === "reduce_prod" ? 0.99 : -3, prim === "reduce_prod" ? 1.01 : 3);
      if (prim === "reduce_max" && dt === "float32") x[shape[1]! + 17] = NaN; // one output's lanes meet a NaN
      if (dt === "bool" && prim === "reduce_and") x.fill(1, 0, x.length / 2);
      const out = shape.filter((_, i) => !axes.includes(i));
      const what = `${path}: ${prim} ${dt} [${shape}] axes ${axes}`;
      const impl = referenceImpls[prim as DataPrimitive] as Impl<DataPrimitive>;
      const want = impl([x.slice()], { axes }, [aval(shape, dt)], [aval(out, dt)]);
      const buf = b.upload(x, aval(shape, dt));
      const [o] = b.execute(prim, { axes }, [buf], [aval(shape, dt)], [aval(out, dt)]);
      const got = await b.download(o!, aval(out, dt));
      b.free(buf); b.free(o!);
      assertClose(got, want[0]!, what, dt === "float16" ? 2e-3 : 1e-4, dt === "float16" ? 1e-2 : 1e-4);
    }
  }
}
/** The WGSL of the pipelines a backend compiled (white-box: which reduction path ran). */
const codes = (b: WebGPUBackend) => [...(b as unknown as { pipelines: Map<string, unknown> }).pipelines.keys()];

describe("webgpu reductions: subgroup and workgroup-memory paths", { skip }, () => {
  test("with subgroups (where the adapter has them): equal to the reference", { skip: hasSubgroups ? false : "the adapter has no subgroups feature" }, async () => {
    await reductions(be, "subgroups");
    assert.ok(codes(be).some((c) => c.includes("enable subgroups;") && c.includes("subgroupShuffleDown")), "the subgroup path ran");
  });
  test("without subgroups: the workgroup-memory tree, equal to the reference", async () => {
    const plain = withoutSubgroups();
    await plain.ready();
    await reductions(plain, "workgroup memory");
    const cs = codes(plain);
    assert.ok(cs.some((c) => c.includes("var<workgroup> partial")), "the workgroup path ran");
    assert.ok(!cs.some((c) => c.includes("subgroup")), "no subgroup operation without the feature");
  });
});
