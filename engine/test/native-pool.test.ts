// The native backend's pool of reusable large blocks (backend/native/pool.ts): a block freed by
// dispose() or by the collector serves the next output of its size class; values stay those of
// the reference kernels under reuse; a block still held by any buffer object is never handed
// out; the pool holds at most its cap.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ShapedArray } from "../src/ir/aval.js";
import { borrowBuffer } from "../src/array.js";
import { NativeBuffer, type NativeBackend } from "../src/backend/native/backend.js";
import { BlockPool, POOL_MIN_BYTES, sizeClass } from "../src/backend/native/pool.js";
import { referenceImpls } from "../src/backend/reference/ops.js";
import { np, getBackend, defaultBackendName } from "../src/index.js";
import { assertClose, native, randomArray, rng, skip } from "./native-helpers.js";

// The test runner starts node with --expose-gc (scripts/run-tests.mjs).
const gc = (globalThis as { gc?: () => void }).gc;
const collect = async () => {
  for (let i = 0; i < 3; i++) { gc!(); await new Promise((r) => setTimeout(r, 10)); }
};
const N = (3 << 20) / 4;  // 3 MiB of float32: a pooled size
const av = new ShapedArray([N], "float32");
const neg = (be: NativeBackend, b: NativeBuffer) => be.execute("neg", {}, [b], [av], [av])[0] as NativeBuffer;

test("size classes: an eighth of a power of two, never smaller than asked, <= 12.5% slack", () => {
  for (const bytes of [POOL_MIN_BYTES, POOL_MIN_BYTES + 1, 3 << 20, (16 << 20) - 4, 16 << 20, 12345678, 64 << 20]) {
    const c = sizeClass(bytes);
    assert.ok(c >= bytes && c <= bytes * 1.125 + 64, `${bytes} -> ${c}`);
    assert.equal(c % 64, 0);
  }
  assert.equal(sizeClass(16 << 20), 16 << 20, "a power of two is its own class");
  assert.equal(sizeClass((16 << 20) + 1), 18 << 20);
});

test("a disposed output's block serves the next output of its class, and values stay the reference's", { skip }, () => {
  const be = native!, r = rng(3);
  const x = randomArray("float32", [N], r);
  const bx = be.upload(x, av) as NativeBuffer;
  assert.ok(bx.block, "a 3 MiB buffer is a pool block");
  const want = referenceImpls.neg([x], {} as never, [av], [av])[0]!;
  const y = neg(be, bx);
  const ptr = y.ptr, s0 = be.poolStats();
  be.free(y);
  assert.equal(be.poolStats().heldBlocks, s0.heldBlocks + 1, "the freed block is held");
  const z = neg(be, bx);
  const s1 = be.poolStats();
  assert.equal(s1.hits, s0.hits + 1, "the next output of the class was a hit");
  assert.equal(z.ptr, ptr, "it is the same memory");
  assert.equal(z.ptr % 64, 0);
  assertClose(be.downloadSync(z, av), want, 0, 0, "neg into a reused block");
  // A different size in the same class reuses it too, and reads only its own bytes.
  be.free(z);
  const m = N - 1000, am = new ShapedArray([m], "float32");
  const bm = be.upload(x.subarray(0, m), am) as NativeBuffer;
  assert.equal(bm.ptr, ptr, "a smaller array of the same class takes the block");
  assert.deepEqual(be.downloadSync(bm, am), x.subarray(0, m));
  for (const b of [bx, bm]) be.free(b);
});

test("a loop of eager ops with dispose() runs on reused blocks and matches the reference", { skip: skip || defaultBackendName() !== "native" }, () => {
  const be = getBackend() as NativeBackend, r = rng(5);
  const host = randomArray("float32", [N], r);
  const x = np.array(host);
  // The oracle: the reference kernels on host arrays.
  const half = new Float32Array(N).fill(0.5), one = new Float32Array(N).fill(1);
  const ref = (p: "tanh" | "mul" | "add", ins: Float32Array[]) => referenceImpls[p](ins, {} as never, ins.map(() => av), [av])[0] as Float32Array;
  let want: Float32Array = host, cur = x;
  const h0 = be.poolStats().hits;
  for (let i = 0; i < 20; i++) {
    let next;
    if (i % 2) {
      const t = cur.mul(0.5);
      next = t.add(1);
      t.dispose();
      want = ref("add", [ref("mul", [want, half]), one]);
    } else {
      next = np.tanh(cur);
      want = ref("tanh", [want]);
    }
    if (cur !== x) cur.dispose();
    cur = next;
  }
  const hits = be.poolStats().hits - h0;
  assert.ok(hits >= 25, `outputs reused blocks (${hits} hits of 30 outputs)`);
  assertClose(cur.dataSync(), want, 1e-6, 1e-6, "20 ops on reused blocks");
});

test("a disposed array's block is not reachable through another holder of its buffer", { skip: skip || defaultBackendName() !== "native" }, () => {
  const be = getBackend() as NativeBackend;
  const a = np.full([N], 1, "float32");
  const buf = a._buffer as NativeBuffer;
  const other = borrowBuffer(be, buf, a.aval);  // a second array over the same buffer
  const copy = a.dataSync();  // reads are copies
  a.dispose();
  const b = np.full([N], 7, "float32");  // takes the block a gave back
  assert.equal((b._buffer as NativeBuffer).block !== undefined, true);
  assert.throws(() => other.dataSync(), /freed|disposed/, "the other holder cannot read the reused memory");
  assert.equal(copy[0], 1, "an earlier read keeps its values");
  assert.equal(copy[N - 1], 1);
  assert.equal(b.dataSync()[0], 7);
  b.dispose();
});

test("a collected array's block comes back, but not while another array holds its buffer", { skip: skip || !gc || defaultBackendName() !== "native" }, async () => {
  const be = getBackend() as NativeBackend;
  await collect();
  let a: ReturnType<typeof np.full> | undefined = np.full([N], 2, "float32");
  let other: ReturnType<typeof borrowBuffer> | undefined = borrowBuffer(be, a._buffer, a.aval);
  const ptr = (a._buffer as NativeBuffer).ptr;
  const g0 = be.poolStats().returnedByGC;
  a = undefined;
  await collect();
  assert.equal(be.poolStats().returnedByGC, g0, "the borrowed buffer keeps its block out of the pool");
  // New arrays of the same class do not get that memory, and the holder still reads its values.
  const fresh = [np.full([N], 9, "float32"), np.full([N], 9, "float32")];
  for (const f of fresh) assert.notEqual((f._buffer as NativeBuffer).ptr, ptr);
  assert.equal(other!.dataSync()[N - 1], 2);
  other = undefined;
  await collect();
  assert.ok(be.poolStats().returnedByGC > g0, "once nothing holds it, the block comes back");
  for (const f of fresh) f.dispose();
});

test("the pool holds at most its cap, releasing the least recently returned blocks", { skip }, () => {
  const addon = native!.addon, cap = 4 << 20;
  const released: ArrayBuffer[] = [];
  const pool = new BlockPool(cap, (ab) => addon.addressOf(ab), (n) => new ArrayBuffer(n), (ab) => { released.push(ab); addon.detach(ab); });
  const owners = Array.from({ length: 10 }, () => ({}));
  const blocks = owners.map((o) => { const b = pool.take(1 << 20); pool.track(b, o); return b; });
  assert.equal(pool.stats().trackedBytes, cap, "only up to the cap of live blocks is tracked");
  blocks.forEach((b, i) => pool.giveBack(b, owners[i]!));
  const s = pool.stats();
  assert.equal(s.heldBytes, cap);
  assert.equal(s.heldBlocks, 4);
  assert.equal(s.releasedBytes, 6 << 20);
  assert.deepEqual(released, blocks.slice(0, 6).map((b) => b.ab), "the oldest six went back to the system");
  assert.equal(blocks[0]!.ab.byteLength, 0, "a released block is detached");
  // The most recently returned block of a class is handed out first (warmest in cache).
  assert.equal(pool.take(1 << 20), blocks[9]);
  assert.equal(pool.stats().hits, 1);
  assert.equal(pool.releaseIdle(0), false, "idle blocks are all released");
  assert.equal(pool.stats().heldBytes, 0);
  // A block larger than the whole cap is never held.
  const big = pool.take(8 << 20);
  pool.giveBack(big, {});
  assert.equal(pool.stats().heldBlocks, 0);
});
