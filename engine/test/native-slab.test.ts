// Small native-backend buffers are slices of shared slab ArrayBuffers (backend/native/slab.ts):
// slices are aligned and independent, freeing one leaves its neighbours intact, reads and the
// reference fallback see only their slice, jit outputs of one call survive the next, and slabs
// go back to memory with their last slice; larger heap buffers start on a cache line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ShapedArray } from "../src/ir/aval.js";
import type { DType, TypedArray } from "../src/dtype.js";
import { NativeBuffer } from "../src/backend/native/backend.js";
import { SLAB_BYTES, SMALL_MAX_BYTES } from "../src/backend/native/slab.js";
import { referenceImpls } from "../src/backend/reference/ops.js";
import { np, jit, defaultBackendName, type DeviceArray } from "../src/index.js";
import { assertClose, native, randomArray, rng, skip } from "./native-helpers.js";

const negated = (x: TypedArray) => x.map((v) => -v);

test("small outputs are 64-byte-aligned slices of shared slabs; freeing one leaves the others intact", { skip }, () => {
  const be = native!, r = rng(7);
  const cases: { data: TypedArray; aval: ShapedArray; out: NativeBuffer }[] = [];
  for (let i = 0; i < 300; i++) {
    const dtype: DType = i % 3 === 0 ? "float64" : i % 3 === 1 ? "float32" : "int32";
    const n = 1 + (i * 37) % (SMALL_MAX_BYTES / 8);
    const aval = new ShapedArray([n], dtype);
    const data = randomArray(dtype, [n], r);
    const out = be.execute("neg", {}, [be.upload(data, aval)], [aval], [aval])[0] as NativeBuffer;
    cases.push({ data, aval, out });
  }
  for (const { out } of cases) assert.equal(out.ptr % 64, 0, "slices start on a cache line");
  const slabs = new Set(cases.map((c) => c.out.ab));
  assert.ok(slabs.size > 1 && slabs.size < cases.length / 4, `300 outputs share a few slabs (${slabs.size})`);
  // Free every other output (as dispose() does), then read all the rest.
  cases.forEach((c, i) => { if (i % 2) be.free(c.out); });
  cases.forEach((c, i) => {
    if (i % 2) { assert.throws(() => be.downloadSync(c.out, c.aval), /freed/); return; }
    const got = be.downloadSync(c.out, c.aval);
    assert.equal(got.length, c.aval.size, "a read returns its slice only");
    assert.deepEqual(Array.from(got), Array.from(negated(c.data)));
  });
});

test("the reference fallback reads a slab slice at its offset", { skip }, () => {
  // float64 convolutions run the reference kernel on views of the native buffers.
  const be = native!, r = rng(11);
  const lhs = new ShapedArray([1, 2, 5], "float64"), rhs = new ShapedArray([3, 2, 2], "float64"), out = new ShapedArray([1, 3, 4], "float64");
  const params = { strides: [1], padding: [[0, 0]], lhsDilation: [1], rhsDilation: [1], featureGroupCount: 1 };
  // Occupy the slab first so that the operands do not start at offset 0.
  be.upload(randomArray("float64", [3], r), new ShapedArray([3], "float64"));
  const x = randomArray("float64", lhs.shape, r), w = randomArray("float64", rhs.shape, r);
  const bx = be.upload(x, lhs) as NativeBuffer, bw = be.upload(w, rhs) as NativeBuffer;
  assert.ok(bx.inSlab && bx.offset > 0 && bw.inSlab, "the operands are slab slices past its start");
  const got = be.downloadSync(be.execute("conv_general_dilated", params, [bx, bw], [lhs, rhs], [out])[0]!, out);
  const want = referenceImpls.conv_general_dilated([x, w], params as never, [lhs, rhs], [out])[0]!;
  assertClose(got, want, 1e-12, 1e-12, "float64 conv on slab slices");
});

test("a jitted function's small outputs survive its next call", () => {
  const f = jit((x: DeviceArray) => [x.add(1), x.mul(2), x.sum()]);
  const results = [1, 2, 3, 4].map((v) => f(np.full([5], v, "float32")) as DeviceArray[]);
  results.forEach((outs, i) => {
    const v = i + 1;
    assert.deepEqual(Array.from(outs[0]!.dataSync()), [v + 1, v + 1, v + 1, v + 1, v + 1]);
    assert.deepEqual(Array.from(outs[1]!.dataSync()), [2 * v, 2 * v, 2 * v, 2 * v, 2 * v]);
    assert.equal(outs[2]!.item(), 5 * v);
  });
  results[1]![0]!.dispose();
  assert.deepEqual(Array.from(results[2]![0]!.dataSync()), [4, 4, 4, 4, 4], "a neighbour's dispose leaves it intact");
});

test("slabs go back to memory once no array holds a slice of them", async () => {
  if (defaultBackendName() !== "native") return;
  // The test runner starts node with --expose-gc (scripts/run-tests.mjs). V8 sweeps array
  // buffers concurrently: collect, then give the sweeper a moment, a few times.
  const gc = (globalThis as { gc?: () => void }).gc!;
  const settledArrayBuffers = async () => {
    for (let i = 0; i < 3; i++) { gc(); await new Promise((r) => setTimeout(r, 10)); }
    return process.memoryUsage().arrayBuffers;
  };
  const a = np.ones([16], "float32");
  const keep: DeviceArray[] = [];
  const ab0 = await settledArrayBuffers();
  // 400,000 outputs of 64 bytes each: 25 MiB of slabs if none were reclaimed.
  for (let i = 0; i < 400_000; i++) {
    const y = a.add(i);
    if (i % 40_000 === 0) keep.push(y);
  }
  const grown = await settledArrayBuffers() - ab0;
  // The kept arrays pin at most one slab each; everything else must be gone.
  assert.ok(grown < keep.length * (SLAB_BYTES + 64) + (2 << 20), `arrayBuffers grew by ${grown} bytes`);
  keep.forEach((y, k) => assert.equal(y.dataSync()[0], 1 + k * 40_000));
});

test("larger heap buffers start on a cache line and read back exactly their bytes", { skip }, () => {
  const be = native!, r = rng(5);
  for (const n of [300, 1000, 4097, 100_000]) {
    const aval = new ShapedArray([n], "float32");
    const data = randomArray("float32", [n], r);
    const up = be.upload(data, aval) as NativeBuffer;
    const out = be.execute("neg", {}, [up], [aval], [aval])[0] as NativeBuffer;
    for (const b of [up, out]) {
      assert.equal(b.ptr % 64, 0, `${n} floats: aligned`);
      assert.equal(b.inSlab, false);
    }
    assert.deepEqual(Array.from(be.downloadSync(out, aval)), Array.from(negated(data)));
    const ab = out.ab!;
    be.free(out);
    assert.equal(ab.byteLength, 0, "dispose detaches a buffer's own ArrayBuffer at once");
  }
});
