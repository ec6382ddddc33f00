// tensorlens.random against an independent oracle: scripts/prng_reference.py (numpy, written
// from the Threefry spec and JAX's counter layouts) wrote fixtures/prng/reference.json.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { random, lax, np, config, jit, vmap, DeviceArray } from "tensorlens";

const ref = JSON.parse(readFileSync(fileURLToPath(new URL("./fixtures/prng/reference.json", import.meta.url)), "utf8"));
type Scheme = "partitionable" | "original";

/** Runs `f` with the given threefry scheme (and x64 flag), restoring the flags afterwards. */
function withFlags<T>(flags: { scheme?: Scheme; x64?: boolean }, f: () => T): T {
  const before = { p: config.read("threefryPartitionable"), x64: config.read("enableX64") };
  try {
    if (flags.scheme) config.update("threefryPartitionable", flags.scheme === "partitionable");
    if (flags.x64 !== undefined) config.update("enableX64", flags.x64);
    return f();
  } finally {
    config.update("threefryPartitionable", before.p);
    config.update("enableX64", before.x64);
  }
}

const list = (x: DeviceArray) => x.tolist() as unknown;
const f32FromBits = (bits: number[]) => Array.from(new Float32Array(Uint32Array.from(bits).buffer));
const f32Bits = (x: DeviceArray) => Array.from(new Uint32Array(Float32Array.from((x.dataSync() as Float32Array)).buffer));

/** Distance in float32 units in the last place (same-sign floats: difference of bit patterns). */
function ulps(a: number, b: number) {
  const [x, y] = [a, b].map((v) => { const u = new Uint32Array(Float32Array.of(v).buffer)[0]!; return u & 0x80000000 ? 0x80000000 - u : u; });
  return Math.abs(x! - y!);
}
function assertUlps(actual: DeviceArray, expectedBits: unknown[], maxUlps: number) {
  assert.equal(actual.dtype, "float32");
  const a = Array.from(actual.dataSync() as Float32Array), e = f32FromBits(expectedBits.flat(4) as number[]);
  assert.equal(a.length, e.length);
  const worst = Math.max(...a.map((v, i) => ulps(v, e[i]!)));
  assert.ok(worst <= maxUlps, `worst difference ${worst} ulps (allowed ${maxUlps}): got ${a.slice(0, 6)} want ${e.slice(0, 6)}`);
}

describe("threefry2x32 primitive", () => {
  test("Random123 known answers (threefry2x32_20), eager and under jit", () => {
    for (const { key, ctr, out } of ref.kat as { key: number[]; ctr: number[]; out: number[] }[]) {
      const u = (v: number) => np.array(v, "uint32");
      const [y0, y1] = lax.threefry2x32(u(key[0]!), u(key[1]!), u(ctr[0]!), u(ctr[1]!));
      assert.deepEqual([y0.item(), y1.item()], out);
      const j = jit((a: DeviceArray, b: DeviceArray, c: DeviceArray, d: DeviceArray) => lax.threefry2x32(a, b, c, d));
      const [z0, z1] = j(u(key[0]!), u(key[1]!), u(ctr[0]!), u(ctr[1]!)) as DeviceArray[];
      assert.deepEqual([z0!.item(), z1!.item()], out);
    }
  });
  test("the three Random123 vectors in one broadcast call", () => {
    const col = (i: number, f: "key" | "ctr") => np.array(ref.kat.map((k: Record<string, number[]>) => k[f]![i]!), "uint32");
    const [y0, y1] = lax.threefry2x32(col(0, "key"), col(1, "key"), col(0, "ctr"), col(1, "ctr"));
    assert.deepEqual(list(y0), ref.kat.map((k: { out: number[] }) => k.out[0]));
    assert.deepEqual(list(y1), ref.kat.map((k: { out: number[] }) => k.out[1]));
  });
});

describe("random: the issue's known answers", () => {
  test("partitionable (default): split(key(0)) and uniform(key(0), [4])", () => {
    withFlags({ scheme: "partitionable" }, () => {
      assert.deepEqual(list(random.keyData(random.split(random.key(0)))), [[1797259609, 2579123966], [928981903, 3453687069]]);
      const u = random.uniform(random.key(0), [4]).tolist() as number[];
      [0.947667, 0.9785799, 0.3322915, 0.4686685].forEach((v, i) => assert.ok(Math.abs(u[i]! - v) < 1e-7, `${u[i]} vs ${v}`));
    });
  });
  test("the default scheme is partitionable unless TENSORLENS_THREEFRY_PARTITIONABLE=0", () => {
    assert.equal(config.read("threefryPartitionable"), process.env.TENSORLENS_THREEFRY_PARTITIONABLE !== "0");
  });
  test("legacy scheme: split(key(0)), and normal(PRNGKey(0)) = -0.20584226 as in JAX's docs", () => {
    withFlags({ scheme: "original" }, () => {
      assert.deepEqual(list(random.split(random.PRNGKey(0))), [[4146024105, 967050713], [2718843009, 1272950319]]);
      // JAX's float32 erf_inv is a polynomial; ours is accurate: allow a few ulps.
      assert.ok(ulps(random.normal(random.PRNGKey(0)).item() as number, -0.20584226) <= 4);
    });
  });
  test("iterating a split gives keys: const [k1, k2] = random.split(key)", () => {
    const [k1, k2] = random.split(random.key(0));
    assert.deepEqual(list(k1!), (random.split(random.key(0)).tolist() as number[][])[0]);
    assert.equal(k2!.dtype, "uint32");
    assert.deepEqual(k2!.shape, [2]);
  });
});

describe("random: seeds", () => {
  test("32-bit mode: the seed narrowed to 32 bits, high word 0 (JAX's x32 behaviour)", () => {
    withFlags({ x64: false }, () => {
      for (const [s, words] of Object.entries(ref.seeds_x32 as Record<string, number[]>)) assert.deepEqual(list(random.key(Number(s))), words, `seed ${s}`);
    });
  });
  test("with enableX64: int64 seeds bit-cast to [hi, lo]", () => {
    withFlags({ x64: true }, () => {
      for (const [s, words] of Object.entries(ref.seeds_x64 as Record<string, number[]>)) assert.deepEqual(list(random.key(BigInt(s))), words, `seed ${s}`);
      assert.deepEqual(list(random.key(-1)), [4294967295, 4294967295]);
      assert.deepEqual(list(random.PRNGKey(2 ** 32 + 5)), [1, 5]);
    });
  });
  test("array seeds trace: vmap(random.key) over int32 seeds", () => {
    const keys = vmap((s: DeviceArray) => random.key(s))(np.array([0, 42, -1], "int32"));
    assert.deepEqual(list(keys), [[0, 0], [0, 42], [0, 4294967295]]);
  });
  test("bad seeds and keys are rejected with messages", () => {
    assert.throws(() => random.key(1.5), /random.key: the seed must be an integer; got 1.5/);
    assert.throws(() => random.normal(random.split(random.key(0), 8), [3]), /random.normal: expected a single key of shape \[2\], got a key array of shape \[8, 2\]; use vmap for batching/);
    assert.throws(() => random.uniform(np.array([1, 2]) as DeviceArray), /random.uniform: a PRNG key has dtype uint32, got float32/);
    assert.throws(() => random.uniform(random.key(0), [2], "int32"), /random.uniform: dtype must be a float dtype, got int32/);
  });
});

for (const scheme of ["partitionable", "original"] as const) {
  describe(`random vs the reference script, ${scheme} scheme`, () => {
    const r = ref[scheme];
    const run = <T>(f: () => T) => withFlags({ scheme }, f);
    const k0 = () => random.key(0), k42 = () => random.key(42);
    test("split, foldIn, bits (bit for bit)", () => run(() => {
      assert.deepEqual(list(random.split(k0())), r.split_key0);
      assert.deepEqual(list(random.split(k42(), 5)), r.split_key42_num5);
      assert.deepEqual(list(random.split(k42(), 1)), r.split_key42_num1);
      assert.deepEqual(list(random.foldIn(k0(), 7)), r.fold_in_key0_7);
      assert.deepEqual(list(random.foldIn(k42(), 123456789)), r.fold_in_key42_123456789);
      assert.deepEqual(list(random.foldIn(k42(), -1)), r.fold_in_key42_neg1);
      assert.deepEqual(list(random.bits(k0(), [3, 5])), r.bits_key0_shape3x5);
      assert.deepEqual(list(random.bits(k42(), [7])), r.bits_key42_shape7);
      assert.deepEqual(list(random.bits(k42())), r.bits_key42_scalar[0] ?? r.bits_key42_scalar);
      let k = k0();
      const subs = [];
      for (let i = 0; i < 3; i++) { const [a, b] = random.split(k); k = a!; subs.push(list(b!)); }
      assert.deepEqual(subs, r.split_chain_key0);
    }));
    test("uniform (bit for bit, float32; float16; float64 under x64)", () => run(() => {
      assert.deepEqual(f32Bits(random.uniform(k0(), [4])), r.uniform_key0_4);
      assert.deepEqual(f32Bits(random.uniform(k42(), [2, 3], "float32", -2, 5)), r.uniform_key42_2x3_minus2_5.flat());
      assert.deepEqual(random.uniform(k42(), [7], "float16").tolist(), r.uniform16_key42_7);
      withFlags({ x64: true }, () => {
        const u = random.uniform(k0(), [5]);
        assert.equal(u.dtype, "float64");
        assert.deepEqual(u.tolist(), r.uniform64_key0_5);
      });
    }));
    test("normal and truncatedNormal (within 4 ulps: erf_inv rounding)", () => run(() => {
      assertUlps(random.normal(k0(), [16]), r.normal_key0_16, 4);
      assertUlps(random.normal(k42(), [3, 3]), r.normal_key42_3x3, 4);
      assertUlps(random.truncatedNormal(k0(), -1, 2, [10]), r.truncated_normal_key0_m1_2_10, 4);
    }));
    test("randint (two draws, bit for bit) and permutation", () => run(() => {
      assert.deepEqual(list(random.randint(k0(), [10], 0, 10)), r.randint_key0_10_0_10);
      assert.deepEqual(list(random.randint(k42(), [8], -5, 100000)), r.randint_key42_8_m5_100000);
      assert.deepEqual(list(random.randint(k42(), [6], -2000000000, 2000000000)), r.randint_key42_6_big);
      assert.deepEqual(list(random.permutation(k0(), 10)), r.permutation_key0_10);
      assert.deepEqual(list(random.permutation(k42(), 2000)), r.permutation_key42_2000); // two sort rounds
    }));
    test("jit and vmap agree with eager in this scheme", () => run(() => {
      const keys = random.split(k42(), 4);
      const rowsK = Array.from(keys) as DeviceArray[];
      const loop = rowsK.map((k) => list(random.randint(k, [5], -7, 1 << 30)));
      assert.deepEqual(list(vmap((k: DeviceArray) => random.randint(k, [5], -7, 1 << 30))(keys)), loop);
      assert.deepEqual(list(jit((k: DeviceArray) => random.randint(k, [5], -7, 1 << 30))(rowsK[0]!)), loop[0]);
      assert.deepEqual(list(jit((k: DeviceArray) => random.split(k, 3))(k0())), list(random.split(k0(), 3)));
      // Spans beyond 2^31 wrap int32 additions: the fused (jit) kernels must wrap, not clamp.
      assert.deepEqual(list(jit((k: DeviceArray) => random.randint(k, [6], -2000000000, 2000000000))(k42())), r.randint_key42_6_big);
    }));
  });
}

describe("random: transformations", () => {
  test("jit(random.normal) == eager, and jit of uniform/permutation/foldIn", () => {
    const key = random.key(7);
    assert.deepEqual(list(jit((k: DeviceArray) => random.normal(k, [5, 3]))(key)), list(random.normal(key, [5, 3])));
    assert.deepEqual(list(jit((k: DeviceArray) => random.uniform(k, [4], "float32", -1, 3))(key)), list(random.uniform(key, [4], "float32", -1, 3)));
    assert.deepEqual(list(jit((k: DeviceArray) => random.permutation(k, 12))(key)), list(random.permutation(key, 12)));
    assert.deepEqual(list(jit((k: DeviceArray) => random.foldIn(k, 3))(key)), list(random.foldIn(key, 3)));
  });
  test("vmap over split keys == a loop over them", () => {
    const keys = random.split(random.key(0), 8);
    const rows = Array.from(keys) as DeviceArray[];
    assert.deepEqual(list(vmap((k: DeviceArray) => random.normal(k, [3]))(keys)), rows.map((k) => list(random.normal(k, [3]))));
    assert.deepEqual(list(vmap((k: DeviceArray) => random.split(k))(keys)), rows.map((k) => list(random.split(k))));
    assert.deepEqual(list(vmap((k: DeviceArray) => random.bernoulli(k, 0.3, [4]))(keys)), rows.map((k) => list(random.bernoulli(k, 0.3, [4]))));
    assert.deepEqual(list(vmap((k: DeviceArray) => random.categorical(k, np.array([0.1, 2, -1])))(keys)), rows.map((k) => list(random.categorical(k, np.array([0.1, 2, -1])))));
  });
  test("vmap of foldIn over data == a loop", () => {
    const key = random.key(3);
    const data = np.array([0, 1, 2, 99], "int32");
    assert.deepEqual(list(vmap((d: DeviceArray) => random.foldIn(key, d))(data)), [0, 1, 2, 99].map((d) => list(random.foldIn(key, d))));
  });
});

describe("random: distributions over many draws", () => {
  const key = random.key(2024);
  const stats = (x: DeviceArray) => {
    const a = Array.from(x.dataSync() as ArrayLike<number>, Number);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    return { a, mean, var: a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length };
  };
  const N = 20000;
  test("normal: mean 0, variance 1", () => {
    const s = stats(random.normal(key, [N]));
    assert.ok(Math.abs(s.mean) < 0.03 && Math.abs(s.var - 1) < 0.04, JSON.stringify({ m: s.mean, v: s.var }));
  });
  test("uniform: in [min, max), mean and variance of U(-1, 3)", () => {
    const s = stats(random.uniform(key, [N], "float32", -1, 3));
    assert.ok(s.a.every((v) => v >= -1 && v < 3));
    assert.ok(Math.abs(s.mean - 1) < 0.04 && Math.abs(s.var - 16 / 12) < 0.05, JSON.stringify({ m: s.mean, v: s.var }));
  });
  test("bernoulli rate", () => {
    const b = random.bernoulli(key, 0.3, [N]);
    assert.equal(b.dtype, "bool");
    assert.ok(Math.abs(stats(b).mean - 0.3) < 0.015);
  });
  test("randint: range and uniformity (chi-square, 9 degrees of freedom)", () => {
    const { a } = stats(random.randint(key, [N], -3, 7));
    assert.ok(a.every((v) => Number.isInteger(v) && v >= -3 && v < 7));
    const counts = new Array(10).fill(0);
    for (const v of a) counts[v + 3]++;
    const chi2 = counts.reduce((s, c) => s + (c - N / 10) ** 2 / (N / 10), 0);
    assert.ok(chi2 < 27.9, `chi2 ${chi2} (p < 0.001 at 27.9)`);
    assert.ok((random.randint(key, [100], 5, 5).tolist() as number[]).every((v) => v === 5), "maxval <= minval gives minval");
  });
  test("truncatedNormal stays in the open interval; exponential, gumbel, laplace, logistic moments", () => {
    const t = stats(random.truncatedNormal(key, -0.5, 1, [N]));
    assert.ok(t.a.every((v) => v > -0.5 && v < 1));
    assert.ok(Math.abs(t.mean - 0.1982) < 0.02, `${t.mean}`); // mean of N(0,1) truncated to (-0.5, 1)
    const e = stats(random.exponential(key, [N]));
    assert.ok(Math.abs(e.mean - 1) < 0.04 && e.a.every((v) => v >= 0));
    const g = stats(random.gumbel(key, [N]));
    assert.ok(Math.abs(g.mean - 0.5772) < 0.04 && Math.abs(g.var - Math.PI ** 2 / 6) < 0.12);
    const lp = stats(random.laplace(key, [N]));
    assert.ok(Math.abs(lp.mean) < 0.04 && Math.abs(lp.var - 2) < 0.12);
    const lg = stats(random.logistic(key, [N]));
    assert.ok(Math.abs(lg.mean) < 0.06 && Math.abs(lg.var - Math.PI ** 2 / 3) < 0.2);
  });
  test("categorical frequencies follow softmax(logits); batch axis and shape", () => {
    const logits = np.log(np.array([0.2, 0.5, 0.3]));
    const { a } = stats(random.categorical(key, logits, -1, [N]));
    [0.2, 0.5, 0.3].forEach((p, i) => assert.ok(Math.abs(a.filter((v) => v === i).length / N - p) < 0.015));
    const batch = random.categorical(key, np.array([[0, -100], [-100, 0], [0, -100]]), 1, [4, 3]);
    assert.deepEqual(batch.shape, [4, 3]);
    assert.deepEqual(batch.tolist(), Array(4).fill([0, 1, 0]));
    assert.deepEqual(random.categorical(key, np.array([[0, -100, 0], [-100, 0, -100]]), 0).tolist(), [0, 1, 0]);
  });
  test("permutation and choice", () => {
    const p = random.permutation(key, 50).tolist() as number[];
    assert.deepEqual([...p].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
    assert.notDeepEqual(p, Array.from({ length: 50 }, (_, i) => i));
    const rows = random.permutation(key, np.arange(12).reshape([4, 3])).tolist() as number[][];
    assert.deepEqual(rows.map((r) => r[0]! / 3).sort(), [0, 1, 2, 3]); // rows kept whole
    assert.deepEqual(random.shuffle(key, np.arange(6)).tolist(), random.permutation(key, np.arange(6)).tolist());
    const c = random.choice(key, 10, [6], false).tolist() as number[];
    assert.equal(new Set(c).size, 6);
    assert.deepEqual(random.choice(key, np.array([5, 6, 7]), [2, 2]).shape, [2, 2]);
    const w = stats(random.choice(key, 3, [N], true, np.array([0.1, 0, 0.9])));
    assert.ok(!w.a.includes(1) && Math.abs(w.a.filter((v) => v === 2).length / N - 0.9) < 0.015);
    const nr = random.choice(key, 4, [3], false, np.array([0.25, 0, 0.5, 0.25])).tolist() as number[];
    assert.equal(new Set(nr).size, 3);
    assert.ok(!nr.includes(1));
  });
});
