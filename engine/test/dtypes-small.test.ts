// int8, uint8, int16 and bfloat16 against numpy (scripts/gen_dtype_fixtures.py): wrapping
// arithmetic, casts between every pair of dtypes, JAX's promotion table, bfloat16 rounding (the
// oracle rounds float32 bits to nearest even) and reductions, eagerly and under jit, on every
// backend that starts here; webgpu too when an adapter is found (TENSORLENS_REQUIRE_WEBGPU=1
// makes its absence a failure). Values are read with `await x.data()`, which every backend takes.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { np, lax, jit, grad, config, setDefaultBackend, defaultBackendName, getBackend, safetensors, DeviceArray, type DType } from "../src/index.js";
import { SHORT_NAME, defaultFloat, parseDType, roundToBfloat16, x64Enabled } from "../src/dtype.js";
import type { WebGPUBackend } from "../src/backend/webgpu/backend.js";
import { backends } from "./helpers/backends.js";
import { decodeNum, loadFixture } from "./helpers/fixtures.js";

config.update("enableX64", true);
type Val = number | string | boolean | null;
const F = loadFixture<any>("dtypes-small.json");
const fns = np as unknown as Record<string, (...a: any[]) => DeviceArray>;
const camel = (s: string) => s.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
const arr = (data: Val[], d: string) => np.array(data.map((v) => decodeNum(v as number | string | boolean)), d as DType);

async function values(x: DeviceArray): Promise<number[]> { return Array.from(await x.data(), Number); }

/** Exact equality (NaN equals NaN, -0 is not 0), skipping expected nulls (undefined in numpy). */
async function same(x: DeviceArray, want: Val[], what: string, dtype?: string) {
  if (dtype) assert.equal(x.dtype, dtype, `${what}: dtype`);
  const got = await values(x);
  want.forEach((w, i) => {
    if (w === null) return;
    const e = decodeNum(w), g = got[i]!;
    assert.ok(Object.is(g, e) || (g === 0 && e === 0 && !isFloatDType(x.dtype)), `${what}: element ${i}: ${g}, numpy ${e}`);
  });
}
const isFloatDType = (d: string) => d.startsWith("float") || d === "bfloat16";
const bf16Close = (g: number, e: number) => Object.is(g, e) || Math.abs(g - e) <= 2 ** -7 * Math.abs(e);

/** Whether a case can run here: float64 only with x64 on (webgpu runs without: WGSL has no float64). */
const runs = (...ds: string[]) => x64Enabled() || !ds.includes("float64");

/** The cases, each run eagerly and under jit on the current default backend. */
const suites: Record<string, () => Promise<void>> = {
  "int8/uint8/int16 arithmetic wraps as numpy": async () => {
    for (const c of F.arith) {
      const f = (...xs: DeviceArray[]) => (c.scalar !== undefined ? fns[camel(c.fn)]!(xs[0], c.scalar) : fns[camel(c.fn)]!(...xs));
      const args = c.args.map((a: Val[]) => arr(a, c.dtype));
      const what = `${c.fn}(${c.dtype}${c.scalar !== undefined ? `, ${c.scalar}` : ""})`;
      await same(f(...args), c.out, what, c.outDtype);
      await same(jit(f)(...args), c.out, `${what} under jit`, c.outDtype);
    }
  },
  "bfloat16 arithmetic rounds each result": async () => {
    for (const c of F.bfloat16) {
      const args = c.args.map((a: Val[]) => arr(a, "bfloat16"));
      const f = (...xs: DeviceArray[]) => (c.fn === "sqrt" ? np.sqrt(np.abs(xs[0]!)) : fns[c.fn]!(...xs));
      for (const [how, r] of [["eager", f(...args)], ["jit", jit(f)(...args)]] as const) {
        assert.equal(r.dtype, "bfloat16", `${c.fn} ${how}: dtype`);
        const got = await values(r);
        // Every value is a bfloat16 (rounding twice changes nothing) ...
        got.forEach((g, i) => assert.ok(Object.is(roundToBfloat16(g), g), `${c.fn} ${how}: element ${i} = ${g} is not a bfloat16`));
        // ... and the one numpy's float32 result rounds to: exact for + - * /, within an ulp for the transcendentals.
        const exact = ["add", "subtract", "multiply", "divide"].includes(c.fn);
        c.out.forEach((w: Val, i: number) => {
          const e = decodeNum(w as number), g = got[i]!;
          assert.ok(exact ? Object.is(g, e) : bf16Close(g, e), `${c.fn} ${how}: element ${i}: ${g}, oracle ${e}`);
        });
      }
    }
  },
  "bfloat16 rounding: round to nearest even on the upper 16 bits": async () => {
    const { in: xs, out } = F.rounding;
    await same(arr(xs, "float32").astype("bfloat16"), out, "float32 -> bfloat16 (convert)", "bfloat16");
    await same(arr(xs, "bfloat16"), out, "np.array(..., bfloat16)", "bfloat16");
    await same(jit((x: DeviceArray) => x.astype("bfloat16"))(arr(xs, "float32")), out, "float32 -> bfloat16 under jit");
  },
  "casts between every pair of dtypes": async () => {
    for (const c of F.casts) {
      if (!runs(c.from, c.to)) continue;
      const x = arr(c.in, c.from);
      const what = `${c.from} -> ${c.to}`;
      await same(np.astype(x, c.to), c.out, what, c.to);
      await same(jit((a: DeviceArray) => a.astype(c.to))(x), c.out, `${what} under jit`, c.to);
    }
  },
  "reductions: sums of small ints accumulate in int32 (uint8 in uint32), max keeps the dtype": async () => {
    for (const c of F.reductions) {
      const x = np.reshape(arr(c.in, c.dtype), c.shape);
      const opts = { ...(c.axis === null ? {} : { axis: c.axis }), ...(c.sumDtype ? { dtype: c.sumDtype } : {}) };
      const f = (a: DeviceArray) => fns[c.fn]!(a, opts);
      const what = `${c.fn}(${c.dtype}, ${JSON.stringify(opts)})`;
      for (const [how, r] of [["eager", f(x)], ["jit", jit(f)(x)]] as const) {
        if (c.fn === "mean") {
          assert.equal(r.dtype, defaultFloat(), `${what} ${how}: the default float`);
          const got = await values(r);
          c.out.forEach((e: number, i: number) => assert.ok(Math.abs(got[i]! - e) <= 1e-6 * (1 + Math.abs(e)), `${what} ${how}: ${got[i]} vs ${e}`));
        } else if (c.dtype === "bfloat16") {
          assert.equal(r.dtype, "bfloat16");
          const got = await values(r);
          assert.ok(bf16Close(got[0]!, decodeNum(c.out[0])), `${what} ${how}: ${got[0]} vs ${c.out[0]}`);
        } else await same(r, c.out, `${what} ${how}`, c.outDtype);
      }
    }
  },
  "iota wraps in a small int dtype, as XLA's (the oracle: k modulo 2^bits)": async () => {
    for (const [d, bits, signed] of [["int8", 8, true], ["uint8", 8, false], ["int16", 16, true]] as const) {
      const n = 2 ** bits + 5;
      const want = Array.from({ length: n }, (_, k) => (signed && k % 2 ** bits >= 2 ** (bits - 1) ? (k % 2 ** bits) - 2 ** bits : k % 2 ** bits));
      await same(lax.iota(d, [n]), want, `iota ${d}`, d);
      await same(jit(() => lax.iota(d, [n]))(), want, `iota ${d} under jit`, d);
    }
  },
  "promotion follows JAX's table, in arithmetic too": async () => {
    for (const [a, b, want] of F.promotion as [string, string, string][]) {
      if (!runs(a, b)) continue;
      assert.equal(np.promoteTypes(a as DType, b as DType), want, `promote_types(${a}, ${b})`);
      assert.equal(np.add(np.zeros([2], a as DType), np.zeros([2], b as DType)).dtype, want, `${a} + ${b}`);
    }
    // A JS number is weakly typed: it takes the array's dtype unless its kind is higher.
    assert.equal(np.add(np.zeros([2], "int8"), 1).dtype, "int8");
    assert.equal(np.add(np.zeros([2], "int16"), true).dtype, "int16");
    assert.equal(np.multiply(np.zeros([2], "bfloat16"), 2.5).dtype, "bfloat16");
    assert.equal(np.add(np.zeros([2], "uint8"), 1.5).dtype, defaultFloat());
  },
};

describe("small dtypes on every backend", () => {
  const names = backends();
  let was = "reference";
  before(() => { was = defaultBackendName(); });
  after(() => setDefaultBackend(was));
  for (const b of names) {
    for (const [name, run] of Object.entries(suites)) it(`${name} (${b})`, async () => { setDefaultBackend(b); await run(); });
  }
});

const ready = await (getBackend("webgpu") as WebGPUBackend).ready().then(() => true, (e: Error) => e.message);
if (ready !== true && process.env.TENSORLENS_REQUIRE_WEBGPU === "1") throw new Error(`TENSORLENS_REQUIRE_WEBGPU=1 but ${ready}`);
describe("small dtypes on webgpu", { skip: ready === true ? false : `no WebGPU adapter: ${ready}` }, () => {
  let was = "reference";
  before(() => { was = defaultBackendName(); setDefaultBackend("webgpu"); });
  after(() => setDefaultBackend(was));
  // float64 is not on webgpu (WGSL has none): its casts and promotions run on the other backends.
  for (const [name, run] of Object.entries(suites)) {
    it(name, async () => {
      config.update("enableX64", false);
      try { await run(); } finally { config.update("enableX64", true); }
    });
  }
});

describe("small dtypes: names, limits, gradients", () => {
  it("parse by their names and short names, print short names", () => {
    for (const [d, s] of [["int8", "i8"], ["uint8", "u8"], ["int16", "i16"], ["bfloat16", "bf16"]] as const) {
      assert.equal(parseDType(d), d);
      assert.equal(parseDType(s), d);
      assert.equal(SHORT_NAME[d], s);
      assert.match(String(np.zeros([2, 3], d).aval), new RegExp(`^${s}\\[2,3\\]`));
    }
  });
  it("iinfo and finfo as numpy's", () => {
    assert.deepEqual([np.iinfo("int8").min, np.iinfo("int8").max, np.iinfo("int8").bits], [-128, 127, 8]);
    assert.deepEqual([np.iinfo("uint8").min, np.iinfo("uint8").max], [0, 255]);
    assert.deepEqual([np.iinfo("int16").min, np.iinfo("int16").max, np.iinfo("int16").bits], [-32768, 32767, 16]);
    const bf = np.finfo("bfloat16"); // ml_dtypes' finfo(bfloat16)
    assert.deepEqual([bf.bits, bf.eps, bf.max, bf.tiny, bf.nmant], [16, 2 ** -7, 3.3895313892515355e38, 2 ** -126, 7]);
  });
  it("safetensors round trip (I8, U8, I16, BF16 codes)", () => {
    const tree = { a: np.array([-128, 127, 5], "int8"), b: np.array([0, 255], "uint8"), c: np.array([-32768, 7], "int16"), d: np.array([1.01171875, -3e38], "bfloat16") };
    const back = safetensors.deserialize(safetensors.serialize(tree));
    for (const k of Object.keys(tree) as (keyof typeof tree)[]) {
      assert.equal(back[k].dtype, tree[k].dtype, k);
      assert.deepEqual(Array.from(back[k].dataSync()), Array.from(tree[k].dataSync()), k);
    }
  });
  it("integer dtypes are not differentiable; bfloat16 is", () => {
    // As for int32: grad refuses integer inputs, and a path through an integer cast contributes zero.
    assert.throws(() => grad((x: DeviceArray) => np.sum(x))(np.array([1, 2], "int8")), /int8.*floating-point inputs/);
    const g = grad((x: DeviceArray) => np.sum(np.multiply(x.astype("int8").astype("float32"), x)))(np.array([1.5, 2.5], "float32"));
    assert.deepEqual(Array.from(g.dataSync()), [1, 2]);
    const gb = grad((x: DeviceArray) => np.sum(np.multiply(x, x)))(np.array([1.5, 2.5], "bfloat16"));
    assert.equal(gb.dtype, "bfloat16");
    assert.deepEqual(Array.from(gb.dataSync()), [3, 5]);
  });
});
