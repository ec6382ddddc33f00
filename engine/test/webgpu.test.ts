// The webgpu backend against the reference backend (the oracle), at small sizes (CI runs it on
// lavapipe, a software rasterizer): every primitive's shader on seeded inputs of each dtype, the
// engine's ops, grad/vmap/jit compositions and the tutorial's network through the public API, and
// the readback rules (await x.data(); synchronous reads say to await).
//
// These tests skip only when no WebGPU adapter can be found, and say why. With
// TENSORLENS_REQUIRE_WEBGPU=1 (CI) a missing adapter fails instead. `scripts/setup-lavapipe.sh`
// provides one on a machine without a GPU.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { np, nn, lax, random, grad, jit, vmap, devicePut, config, type DeviceArray } from "../src/index.js";
import { ShapedArray } from "../src/ir/aval.js";
import { abstractEval } from "../src/ir/abstract-eval.js";
import { BINARY_PRIMITIVES, UNARY_PRIMITIVES, COMPARISONS, type Primitive } from "../src/ir/primitives.js";
import type { DType, TypedArray } from "../src/dtype.js";
import { aval, randomArray, rng } from "./helpers/random-arrays.js";
import { adapter, assertClose, be, gpu, ref, runPrim, same, skip } from "./helpers/webgpu-oracle.js";

if (adapter) console.log(`# webgpu adapter: ${adapter.adapter}`);

async function check(prim: Primitive, params: any, inputs: TypedArray[], inAvals: ShapedArray[], outAvals: ShapedArray[], what: string, rtol = 1e-4, atol = 1e-5) {
  const { want, got } = await runPrim(prim, params, inputs, inAvals, outAvals);
  want.forEach((w, i) => assertClose(got[i]!, w, `${what} output ${i}`, outAvals[i]!.dtype === "float16" ? 2e-3 : rtol, outAvals[i]!.dtype === "float16" ? 1e-3 : atol));
}

const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -0.5, 2.5, -2.5];
const domain = (op: string): [number, number] =>
  ["log", "sqrt", "rsqrt", "log1p", "lgamma", "digamma"].includes(op) ? [0.01, 5] :
  ["asin", "acos", "atanh", "erf_inv"].includes(op) ? [-0.99, 0.99] : op === "acosh" ? [1, 5] : op === "tan" ? [-1.4, 1.4] : [-4, 4];
// Transcendentals whose GPU results are approximations: compared at the tolerance, and
// the special values (inf/NaN) checked only where the WGSL builtin is specified for them.
const INT_UNARY = ["neg", "sign", "abs", "not", "square", "floor", "ceil", "round"];
const NO_SPECIALS = new Set(["sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "exp2", "lgamma", "digamma", "cbrt", "rsqrt", "expm1", "log1p", "log", "exp", "sqrt", "erf_inv"]);

describe("webgpu elementwise primitives", { skip }, () => {
  const r = rng(1);
  for (const op of UNARY_PRIMITIVES) {
    const dts: DType[] = op === "not" ? ["bool", "int32", "uint32"] : op === "is_finite" ? ["float32"] : ["float32", "float16", "int32"];
    for (const dt of dts) {
      if ((dt === "int32" || dt === "uint32") && !INT_UNARY.includes(op)) continue;
      test(`${op} ${dt}`, async () => {
        const [lo, hi] = domain(op);
        for (const shape of [[37], [3, 5], [], [0, 4]]) {
          const x = randomArray(dt, shape, r, lo, hi);
          if (dt === "float32" && x.length > 20 && !NO_SPECIALS.has(op)) SPECIALS.forEach((v, i) => { x[i] = v; });
          const outDt: DType = op === "is_finite" ? "bool" : dt;
          await check(op, {}, [x], [aval(shape, dt)], [aval(shape, outDt)], `${op} ${dt} [${shape}]`);
        }
      });
    }
  }
  for (const op of BINARY_PRIMITIVES) {
    const logic = ["and", "or", "xor"].includes(op), shift = op.startsWith("shift");
    const dts: DType[] = logic ? ["bool", "int32", "uint32"] : shift ? ["int32", "uint32"] : op === "nextafter" || op === "atan2" ? ["float32"] : ["float32", "float16", "int32", "uint32"];
    for (const dt of dts) {
      test(`${op} ${dt}`, async () => {
        const [lo, hi] = shift ? [-2, 34] : op === "pow" && dt !== "float32" && dt !== "float16" ? [0, 5] : [-4, 4];
        for (const [sa, sb] of [[[41], [41]], [[3, 1], [1, 4]], [[], [2, 3]]] as number[][][]) {
          const a = randomArray(dt, sa!, r, lo, hi), b = randomArray(dt, sb!, r, lo, hi);
          if (op === "pow" && dt === "float32") for (let i = 0; i < a.length; i += 3) a[i] = Math.abs(a[i]!); // mostly real powers, some of negative bases
          const out = sa!.length >= sb!.length ? sa!.map((d, i) => Math.max(d, sb![i - sa!.length + sb!.length] ?? 1)) : sb!.map((d, i) => Math.max(d, sa![i - sb!.length + sa!.length] ?? 1));
          const outDt: DType = COMPARISONS.has(op) ? "bool" : dt;
          await check(op, {}, [a, b], [aval(sa!, dt), aval(sb!, dt)], [aval(out, outDt)], `${op} ${dt} [${sa}]x[${sb}]`);
        }
      });
    }
  }
  test("integer division and remainder by zero follow XLA", async () => {
    const a = new Int32Array([7, -7, 5, -2147483648, 0]), b = new Int32Array([0, 0, -1, -1, 0]);
    for (const op of ["div", "rem"] as const) await check(op, {}, [a, b], [aval([5], "int32"), aval([5], "int32")], [aval([5], "int32")], op);
  });
  test("select, clamp, convert_element_type over dtypes, bitcast_convert_type", async () => {
    const DT: DType[] = ["float32", "float16", "int32", "uint32", "bool"];
    for (const from of DT) for (const to of DT) {
      const x = randomArray(from, [23], r, -5, 5);
      if (from === "float32") x.set([NaN, Infinity, -Infinity, -3, 3e9, -3e9, 2.5], 0);
      await check("convert_element_type", { dtype: to, weak: false }, [x], [aval([23], from)], [aval([23], to)], `convert ${from}->${to}`);
    }
    const c = randomArray("bool", [4, 5], r), x = randomArray("float32", [4, 5], r), y = randomArray("float32", [4, 5], r);
    await check("select", {}, [c, x, y], [aval([4, 5], "bool"), aval([4, 5], "float32"), aval([4, 5], "float32")], [aval([4, 5], "float32")], "select");
    const lo = new Float32Array([-1]), hi = new Float32Array([1]);
    await check("clamp", {}, [lo, x, hi], [aval([], "float32"), aval([4, 5], "float32"), aval([], "float32")], [aval([4, 5], "float32")], "clamp");
    const f = new Float32Array([1, -2.5, NaN, 0]);
    await check("bitcast_convert_type", { dtype: "uint32" }, [f], [aval([4], "float32")], [aval([4], "uint32")], "bitcast f32->u32");
    await check("bitcast_convert_type", { dtype: "float32" }, [new Int32Array([1065353216, -1082130432])], [aval([2], "int32")], [aval([2], "float32")], "bitcast i32->f32");
  });
});

describe("webgpu structural, reduction and other primitives", { skip }, () => {
  const r = rng(2);
  const f32 = (shape: number[], lo = -3, hi = 3) => randomArray("float32", shape, r, lo, hi);
  test("broadcast, transpose, rev, slice, reshape, iota, pad, concatenate", async () => {
    await check("broadcast_in_dim", { shape: [2, 3, 4], broadcastDimensions: [1, 2] }, [f32([3, 1])], [aval([3, 1], "float32")], [aval([2, 3, 4], "float32")], "broadcast_in_dim");
    await check("transpose", { permutation: [2, 0, 1] }, [f32([2, 3, 4])], [aval([2, 3, 4], "float32")], [aval([4, 2, 3], "float32")], "transpose");
    await check("rev", { dimensions: [0, 2] }, [f32([2, 3, 4])], [aval([2, 3, 4], "float32")], [aval([2, 3, 4], "float32")], "rev");
    await check("slice", { start: [1, 0], limit: [5, 7], strides: [2, 3] }, [f32([6, 7])], [aval([6, 7], "float32")], [aval([2, 3], "float32")], "slice");
    await check("reshape", { shape: [6, 4] }, [f32([2, 3, 4])], [aval([2, 3, 4], "float32")], [aval([6, 4], "float32")], "reshape");
    await check("iota", { dtype: "int32", shape: [3, 4], dimension: 1 }, [], [], [aval([3, 4], "int32")], "iota");
    await check("pad", { config: [[1, 2, 1], [-1, 1, 0]] }, [f32([3, 4]), new Float32Array([9])], [aval([3, 4], "float32"), aval([], "float32")], [aval([8, 4], "float32")], "pad");
    await check("concatenate", { axis: 1 }, [f32([2, 3]), f32([2, 1]), f32([2, 2])], [aval([2, 3], "float32"), aval([2, 1], "float32"), aval([2, 2], "float32")], [aval([2, 6], "float32")], "concatenate");
  });
  test("dynamic_slice, dynamic_update_slice, gather, scatter", async () => {
    const x = f32([5, 6]);
    await check("dynamic_slice", { sizes: [2, 3] }, [x, new Int32Array([4]), new Int32Array([-1])], [aval([5, 6], "float32"), aval([], "int32"), aval([], "int32")], [aval([2, 3], "float32")], "dynamic_slice");
    await check("dynamic_update_slice", {}, [x, f32([2, 2]), new Int32Array([1]), new Int32Array([5])], [aval([5, 6], "float32"), aval([2, 2], "float32"), aval([], "int32"), aval([], "int32")], [aval([5, 6], "float32")], "dynamic_update_slice");
    await check("gather", { axis: 1 }, [x, new Int32Array([5, 0, 2, 9, -3])], [aval([5, 6], "float32"), aval([5], "int32")], [aval([5, 5], "float32")], "gather");
    for (const mode of ["set", "add", "mul", "min", "max"]) {
      await check("scatter", { axis: 0, mode }, [x, new Int32Array([1, 3, 1, 7]), f32([4, 6])], [aval([5, 6], "float32"), aval([4], "int32"), aval([4, 6], "float32")], [aval([5, 6], "float32")], `scatter ${mode}`);
    }
  });
  test("reductions: every op, axis sets, thread-per-output and workgroup paths", async () => {
    const cases: [number[], number[]][] = [[[3, 4, 5], [1]], [[3, 4, 5], [0, 2]], [[3, 4, 5], [0, 1, 2]], [[3, 1000], [1]], [[700, 3], [0]], [[0, 3], [0]]];
    for (const [shape, axes] of cases) {
      for (const [prim, dt] of [["reduce_sum", "float32"], ["reduce_max", "float32"], ["reduce_min", "float32"], ["reduce_prod", "float32"], ["reduce_sum", "int32"], ["reduce_max", "int32"], ["reduce_and", "bool"], ["reduce_or", "bool"]] as [Primitive, DType][]) {
        const x = randomArray(dt, shape, r, prim === "reduce_prod" ? 0.9 : -3, prim === "reduce_prod" ? 1.1 : 3);
        const out = shape.filter((_, i) => !axes.includes(i));
        await check(prim, { axes }, [x], [aval(shape, dt)], [aval(out, dt)], `${prim} ${dt} [${shape}] axes ${axes}`, 1e-4, 1e-4);
      }
    }
  });
  test("argmax/argmin, cumulative ops, sort", async () => {
    const x = f32([4, 9]);
    x[3] = NaN;
    for (const prim of ["argmax", "argmin"] as const) for (const axis of [0, 1]) {
      await check(prim, { axis, indexDtype: "int32" }, [x], [aval([4, 9], "float32")], [aval(axis ? [4] : [9], "int32")], `${prim} axis ${axis}`);
    }
    const y = f32([4, 9], 0.5, 1.5);
    for (const prim of ["cumsum", "cumprod", "cummax", "cummin"] as const) for (const reverse of [false, true]) {
      await check(prim, { axis: 1, reverse }, [y], [aval([4, 9], "float32")], [aval([4, 9], "float32")], `${prim} reverse=${reverse}`);
    }
    const k = randomArray("int32", [3, 11], r, 0, 3), v = f32([3, 11]);
    await check("sort", { dimension: 1, numKeys: 1 }, [k, v], [aval([3, 11], "int32"), aval([3, 11], "float32")], [aval([3, 11], "int32"), aval([3, 11], "float32")], "sort (stable, with a payload)");
    const s = f32([7, 3]);
    s[4] = NaN;
    await check("sort", { dimension: 0, numKeys: 1 }, [s], [aval([7, 3], "float32")], [aval([7, 3], "float32")], "sort axis 0 (NaN last)");
  });
  test("threefry2x32 with broadcast keys", async () => {
    const u = (shape: number[]) => randomArray("uint32", shape, r, 0, 4e9);
    await check("threefry2x32", {}, [u([]), u([]), u([17]), u([17])], [aval([], "uint32"), aval([], "uint32"), aval([17], "uint32"), aval([17], "uint32")], [aval([17], "uint32"), aval([17], "uint32")], "threefry2x32");
  });
  test("dot_general: matmul, tile edges, batch, transposed operands, ints", async () => {
    const cases: [number[], number[], [number[], number[]], [number[], number[]]][] = [
      [[3, 2], [2, 4], [[1], [0]], [[], []]],
      [[70, 33], [33, 65], [[1], [0]], [[], []]],
      [[33, 70], [65, 33], [[0], [1]], [[], []]],
      [[2, 5, 3], [2, 3, 4], [[2], [1]], [[0], [0]]],
      [[4, 2, 3, 5], [5, 3, 6], [[3, 2], [0, 1]], [[], []]],
      [[7], [7], [[0], [0]], [[], []]],
      [[3, 0], [0, 4], [[1], [0]], [[], []]],
    ];
    for (const [sa, sb, contract, batch] of cases) {
      const freeA = sa.filter((_, i) => !contract[0].includes(i) && !batch[0].includes(i));
      const freeB = sb.filter((_, i) => !contract[1].includes(i) && !batch[1].includes(i));
      const out = [...batch[0].map((i) => sa[i]!), ...freeA, ...freeB];
      await check("dot_general", { dimensionNumbers: { contract, batch }, preferredElementType: null }, [f32(sa), f32(sb)], [aval(sa, "float32"), aval(sb, "float32")], [aval(out, "float32")], `dot_general [${sa}]x[${sb}]`);
    }
    const ia = randomArray("int32", [5, 6], r, -9, 9), ib = randomArray("int32", [6, 3], r, -9, 9);
    await check("dot_general", { dimensionNumbers: { contract: [[1], [0]], batch: [[], []] }, preferredElementType: null }, [ia, ib], [aval([5, 6], "int32"), aval([6, 3], "int32")], [aval([5, 3], "int32")], "dot_general int32");
  });
  test("conv_general_dilated: padding, strides, dilations, groups", async () => {
    const p = { strides: [2, 1], padding: [[1, 1], [0, 2]], lhsDilation: [1, 2], rhsDilation: [2, 1], featureGroupCount: 2 };
    await check("conv_general_dilated", p, [f32([2, 4, 7, 5]), f32([6, 2, 2, 3])], [aval([2, 4, 7, 5], "float32"), aval([6, 2, 2, 3], "float32")], [aval([2, 6, 3, 10], "float32")], "conv");
  });
  test("conv_general_dilated as an implicit GEMM: several tiles in every dimension, 1-3 spatial axes", async () => {
    // [lhs, rhs, params]: output channels, positions and K = I * kernel size cross the 64 x 64
    // output tiles and the 16-deep K slices, with ragged edges.
    const cases: [number[], number[], object][] = [
      [[2, 3, 150], [70, 3, 5], { strides: [1], padding: "SAME", lhsDilation: [1], rhsDilation: [1], featureGroupCount: 1 }],
      [[1, 6, 11, 13], [9, 2, 3, 3], { strides: [2, 1], padding: [[2, 1], [0, 3]], lhsDilation: [1, 1], rhsDilation: [1, 2], featureGroupCount: 3 }],
      [[3, 4, 9, 10], [130, 4, 2, 2], { strides: [1, 1], padding: "VALID", lhsDilation: [2, 1], rhsDilation: [1, 1], featureGroupCount: 1 }],
      [[2, 2, 4, 5, 3], [4, 1, 2, 3, 2], { strides: [1, 2, 1], padding: [[1, 0], [1, 1], [0, 1]], lhsDilation: [1, 1, 2], rhsDilation: [2, 1, 1], featureGroupCount: 2 }],
      [[1, 1, 1, 1], [1, 1, 1, 1], { strides: [1, 1], padding: "VALID", lhsDilation: [1, 1], rhsDilation: [1, 1], featureGroupCount: 1 }],
    ];
    for (const [ls, rs, p] of cases) {
      const ins = [aval(ls, "float32"), aval(rs, "float32")];
      const [out] = abstractEval("conv_general_dilated", ins, p as never);
      await check("conv_general_dilated", p, [f32(ls), f32(rs)], ins, [out!], `conv ${ls} * ${rs} -> ${out!.shape}`);
    }
  });
});

// ---- the engine through the public API ---------------------------------------------------------
/** Runs f on webgpu and on the reference backend from the same host values. */
async function both(f: (...xs: DeviceArray[]) => DeviceArray | DeviceArray[], xs: DeviceArray[], what: string) {
  const g = f(...xs.map(gpu)), w = f(...xs.map(ref));
  const gs = Array.isArray(g) ? g : [g], ws = Array.isArray(w) ? w : [w];
  for (let i = 0; i < ws.length; i++) await same(gs[i]!, ws[i]!, `${what}[${i}]`);
}

describe("webgpu through the API", { skip }, () => {
  const x = np.array([[0.5, -1.5, 2.0], [3.0, -0.25, 1.0]]);
  const w = np.array([[0.2, -0.1], [0.05, 0.3], [-0.25, 0.1]]);
  test("numpy ops: elementwise chains, broadcasting, reductions, indexing, manipulation", async () => {
    await both((a) => np.exp(a.mul(0.5)).add(np.sin(a)).sub(a.mul(a).mean(0)), [x], "chain");
    await both((a) => np.where(a.gt(0), a, a.mul(0.1)), [x], "where");
    await both((a) => [np.max(a, 1), np.argmax(a, 1), np.cumsum(a, 1), np.sort(a, 1), np.std(a)], [x], "reductions");
    await both((a) => [a.T, a.get(1), a.get(":", "::-1"), np.concatenate([a, a], 0), np.pad(a, 1), np.tile(a, [2, 1])], [x], "manipulation");
    await both((a) => np.take(a, np.array([2, 0], { dtype: "int32" }), 1), [x], "take");
    await both((a) => a.at(np.array([1], { dtype: "int32" })).add(1), [x], "at.add");
    await both((a, b) => [np.matmul(a, b), np.dot(b.T, a.T), np.einsum("ij,jk->ik", a, b)], [x, w], "matmul");
    await both((a) => nn.softmax(a, -1), [x], "softmax");
    await both((a) => nn.logsumexp(a, 1), [x], "logsumexp");
  });
  test("grad, vmap and jit compose on webgpu; a jitted call is one queue submission", async () => {
    const loss = (a: DeviceArray, b: DeviceArray) => np.mean(nn.sigmoid(np.matmul(a, b)).sub(0.5).square());
    await both((a, b) => grad(loss, { argnums: [0, 1] })(a, b) as DeviceArray[], [x, w], "grad");
    await both((a, b) => vmap((row: DeviceArray) => np.matmul(row, b))(a), [x, w], "vmap");
    const step = jit((a: DeviceArray, b: DeviceArray) => {
      const g = grad(loss, { argnums: 1 })(a, b) as DeviceArray;
      return b.sub(g.mul(0.1));
    });
    await both((a, b) => step(a, b), [x, w], "jit(update step)");
    const xg = gpu(x), wg = gpu(w);
    step(xg, wg); // compiled
    const before = be.stats.submissions;
    const out = step(xg, wg);
    assert.equal(be.stats.submissions - before, 1, "one submission per jitted call");
    await out.data();
    await both((a) => jit((y: DeviceArray) => [y, y.mul(2), y])(a), [x], "jit outputs aliasing an input");
    await both((a) => jit((y: DeviceArray) => lax.scan((c: DeviceArray, r: DeviceArray) => [c.add(r), c.mul(r)], np.zeros([3]), y))(a) as unknown as DeviceArray[], [x], "jit(scan)");
  });
  test("random: threefry keys on webgpu give the reference's numbers", async () => {
    const key = random.PRNGKey(0);
    await both((k) => [random.normal(k, [5]), random.uniform(k, [2, 3])], [key], "random");
  });
  test("the tutorial's network: 20 jitted SGD steps match the reference", async () => {
    const input = np.array([[2, 3], [4, 5], [6, 7]]), target = np.array([[0], [1], [0]]);
    const l0 = np.array([[0.2, -0.1, 0.05, 0.3], [-0.25, 0.1, 0.2, -0.05]]), l1 = np.array([[0.3], [-0.2], [0.1], [0.25]]);
    const predict = (xx: DeviceArray, ls: DeviceArray[]) => { ls.forEach((k, i) => { xx = xx.matmul(k); xx = i !== ls.length - 1 ? nn.relu(xx) : nn.sigmoid(xx); }); return xx; };
    const lossFn = (xx: DeviceArray, t: DeviceArray, ls: DeviceArray[]) => {
      const o = predict(xx, ls);
      return np.mean(t.mul(np.log(o.add(1e-8))).add(np.subtract(1, t).mul(np.log(np.subtract(1, o).add(1e-8))))).neg();
    };
    const update = jit((xx: DeviceArray, t: DeviceArray, ls: DeviceArray[]) => {
      const gs = grad(lossFn, { argnums: 2 })(xx, t, ls) as DeviceArray[];
      return ls.map((k, i) => k.sub(gs[i]!.mul(0.1)));
    });
    const train = (put: (a: DeviceArray) => DeviceArray) => {
      let ls = [put(l0), put(l1)];
      for (let i = 0; i < 20; i++) ls = update(put(input), put(target), ls);
      return [...ls, lossFn(put(input), put(target), ls)];
    };
    const g = train(gpu), wnt = train(ref);
    for (let i = 0; i < wnt.length; i++) await same(g[i]!, wnt[i]!, `trained[${i}]`);
  });
});

describe("webgpu readback rules", { skip }, () => {
  test("synchronous reads of values on the device say to await; after await they work", async () => {
    const y = gpu(np.array([[1, 2], [3, 4]])).mul(3);
    for (const read of [() => y.dataSync(), () => y.tolist(), () => y.get(0, 0).item(), () => Number(y.get(0, 0))]) {
      assert.throws(read, /await x\.data\(\)/);
    }
    const s = String(y);
    assert.match(s, /on webgpu: await x\.data\(\) to read/);
    assert.match(s, /shape=\[2,2\], dtype=float32/);
    assert.deepEqual([...await y.data()], [3, 6, 9, 12]);
    assert.deepEqual(y.tolist(), [[3, 6], [9, 12]]);
    assert.match(String(y), /\[\[ 3\.,  6\.\],/);
  });
  test("uploaded values read synchronously (they are on the host)", () => {
    const y = gpu(np.array([1, 2, 3]));
    assert.deepEqual(y.tolist(), [1, 2, 3]);
  });
  test("float64 is refused with the reason", () => {
    const was = config.read("enableX64");
    config.update("enableX64", true);
    try {
      const x = np.array([1, 2], { dtype: "float64" });
      assert.equal(x.dtype, "float64");
      assert.throws(() => devicePut(x, "webgpu"), /float64 is not on webgpu \(WGSL has no 64-bit floats\)/);
    } finally { config.update("enableX64", was); }
  });
});
