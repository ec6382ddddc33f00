// Every native kernel against the reference backend (the oracle) on seeded random inputs:
// elementwise ops over dtypes with broadcasting, size 0/1 and odd sizes, layout ops,
// reductions, dot_general over many shapes and layouts, gather/scatter, threefry, and the
// reference fallback for primitives without a native kernel.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { BINARY_PRIMITIVES, UNARY_PRIMITIVES, type Primitive } from "../src/ir/primitives.js";
import type { DType } from "../src/dtype.js";
import { assertClose, aval, randomArray, rng, runBoth, skip } from "./native-helpers.js";
import { resolvePadding } from "../src/shape/conv.js";

const FLOATS: DType[] = ["float32", "float64", "float16"];
// Ops whose float32 kernels are polynomial approximations (vectorized) rather than libm in double.
const APPROX = new Set(["exp", "log", "tanh", "logistic", "rsqrt", "cbrt", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "erf", "erfc", "erf_inv", "lgamma", "digamma", "exp2", "log1p", "expm1", "pow", "atan2"]);
const domain = (op: string): [number, number] =>
  ["log", "sqrt", "rsqrt", "log1p", "lgamma", "digamma"].includes(op) ? [0.01, 5] :
  ["asin", "acos", "atanh", "erf_inv"].includes(op) ? [-0.99, 0.99] : op === "acosh" ? [1, 5] : [-4, 4];
const tol = (op: string, dt: DType): [number, number] =>
  dt === "float16" ? [2e-3, 1e-3] : dt === "float64" ? (APPROX.has(op) ? [1e-12, 1e-14] : [0, 0]) : APPROX.has(op) ? [3e-6, 1e-6] : [0, 0];

const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -0.5, 2.5, -2.5];

describe("native elementwise", { skip }, () => {
  const r = rng(1);
  for (const op of UNARY_PRIMITIVES) {
    const dts: DType[] = op === "not" ? ["bool", "int32", "uint32"] : op === "is_finite" ? ["float32", "float64"] : [...FLOATS, "int32"];
    for (const dt of dts) {
      test(`${op} ${dt}`, () => {
        if ((dt === "int32" || dt === "uint32") && !["neg", "sign", "abs", "not", "square", "floor", "ceil", "round"].includes(op)) return;
        const [lo, hi] = domain(op);
        for (const shape of [[1037], [3, 5], [], [0, 4], [2, 513]]) {
          const x = randomArray(dt, shape, r, lo, hi);
          if (dt === "float32" && x.length > 20) SPECIALS.forEach((v, i) => { x[i] = v; });
          const outDt: DType = op === "is_finite" ? "bool" : dt;
          const { want, got } = runBoth(op as Primitive, {}, [x], [aval(shape, dt)], [aval(shape, outDt)]);
          const [rt, at] = tol(op, dt);
          assertClose(got[0]!, want[0]!, rt, at, `${op} ${dt} [${shape}]`);
        }
      });
    }
  }
  const BCAST: [number[], number[], number[]][] = [
    [[1037], [1037], [1037]], [[3, 4], [4], [3, 4]], [[2, 1, 5], [3, 1], [2, 3, 5]], [[], [6], [6]], [[0, 3], [3], [0, 3]],
    [[1], [1], [1]], [[7, 513], [7, 1], [7, 513]],
  ];
  for (const op of BINARY_PRIMITIVES) {
    const isBit = ["and", "or", "xor"].includes(op), isShift = op.startsWith("shift");
    const dts: DType[] = isBit ? ["bool", "int32", "uint32"] : isShift ? ["int32", "uint32"] : op === "nextafter" || op === "atan2" ? ["float32", "float64"] : [...FLOATS, "int32", "uint32"];
    for (const dt of dts) {
      test(`${op} ${dt}`, () => {
        const cmp = ["eq", "ne", "lt", "le", "gt", "ge"].includes(op);
        for (const [sa, sb, so] of BCAST) {
          let a = randomArray(dt, sa, r, dt === "uint32" ? 0 : -10, 10), b = randomArray(dt, sb, r, dt === "uint32" ? 0 : -10, 10);
          if (isShift) b = randomArray(dt, sb, r, 0, 40);
          if (op === "pow" && (dt === "int32" || dt === "uint32")) b = randomArray(dt, sb, r, 0, 6);
          if (op === "pow" && dt !== "int32" && dt !== "uint32") a = randomArray(dt, sa, r, 0.1, 4);
          if ((dt === "float32" || dt === "float64") && a.length > 30 && b.length === a.length) {
            SPECIALS.forEach((v, i) => { a[i] = v; b[i + 11] = v; a[i + 11] = SPECIALS[(i + 3) % SPECIALS.length]!; b[i] = SPECIALS[(i + 5) % SPECIALS.length]!; });
          }
          const outDt: DType = cmp ? "bool" : dt;
          const { want, got } = runBoth(op as Primitive, {}, [a, b], [aval(sa, dt), aval(sb, dt)], [aval(so, outDt)]);
          const [rt, at] = tol(op, dt);
          assertClose(got[0]!, want[0]!, rt, at, `${op} ${dt} [${sa}] [${sb}]`);
        }
      });
    }
  }
  test("select and clamp", () => {
    for (const dt of ["float32", "float64", "int32", "float16"] as DType[]) {
      const shape = [5, 301];
      const c = randomArray("bool", [301], r), x = randomArray(dt, shape, r), y = randomArray(dt, [5, 1], r);
      let res = runBoth("select", {}, [c, x, y], [aval([301], "bool"), aval(shape, dt), aval([5, 1], dt)], [aval(shape, dt)]);
      assertClose(res.got[0]!, res.want[0]!, 0, 0, `select ${dt}`);
      const lo = randomArray(dt, [], r, -2, -1), hi = randomArray(dt, [301], r, 0, 2);
      res = runBoth("clamp", {}, [lo, x, hi], [aval([], dt), aval(shape, dt), aval([301], dt)], [aval(shape, dt)]);
      assertClose(res.got[0]!, res.want[0]!, 0, 0, `clamp ${dt}`);
    }
  });
  test("convert_element_type between every pair of dtypes", () => {
    const all: DType[] = ["float32", "float16", "float64", "int32", "uint32", "bool"];
    for (const from of all) for (const to of all) {
      // Integers beyond 2048 would meet float16 ties, where dtype.ts roundToFloat16 rounds
      // negative ties wrongly (-7718 -> -7712, not -7720): reported, kept out of this test.
      const range = to === "float16" && (from === "int32" || from === "uint32") ? 2048 : 1e5;
      const x = randomArray(from, [777], r, from === "uint32" ? 0 : -range, range);
      if (from === "float32" || from === "float64") SPECIALS.forEach((v, i) => { x[i] = v; });
      if (from === "float32" || from === "float64") { x[20] = 3e9; x[21] = -3e9; x[22] = 65519; x[23] = 65520; x[24] = 1e-6; }
      const res = runBoth("convert_element_type", { dtype: to, weak: false }, [x], [aval([777], from)], [aval([777], to)]);
      assertClose(res.got[0]!, res.want[0]!, 0, 0, `convert ${from}->${to}`);
    }
  });
});

describe("native layout ops", { skip }, () => {
  const r = rng(2);
  const check = (prim: Primitive, params: any, inShape: number[], outShape: number[], dt: DType = "float32") => {
    const x = randomArray(dt, inShape, r);
    const res = runBoth(prim, params, [x], [aval(inShape, dt)], [aval(outShape, dt)]);
    assertClose(res.got[0]!, res.want[0]!, 0, 0, `${prim} ${JSON.stringify(params)}`);
  };
  test("broadcast_in_dim", () => {
    check("broadcast_in_dim", { shape: [4, 3, 5], broadcastDimensions: [1] }, [3], [4, 3, 5]);
    check("broadcast_in_dim", { shape: [4, 3, 5], broadcastDimensions: [0, 2] }, [4, 1], [4, 3, 5], "int32");
    check("broadcast_in_dim", { shape: [2, 0], broadcastDimensions: [] }, [], [2, 0]);
    check("broadcast_in_dim", { shape: [3], broadcastDimensions: [] }, [], [3], "bool");
  });
  test("transpose", () => {
    check("transpose", { permutation: [1, 0] }, [37, 53], [53, 37]);
    check("transpose", { permutation: [2, 0, 1] }, [3, 4, 5], [5, 3, 4], "float64");
    check("transpose", { permutation: [0, 2, 1, 3] }, [2, 3, 4, 5], [2, 4, 3, 5], "uint32");
  });
  test("rev", () => {
    check("rev", { dimensions: [0] }, [5, 7], [5, 7]);
    check("rev", { dimensions: [1, 2] }, [2, 3, 600], [2, 3, 600], "int32");
    check("rev", { dimensions: [0] }, [0, 3], [0, 3]);
  });
  test("slice", () => {
    check("slice", { start: [1, 2], limit: [4, 7], strides: null }, [5, 9], [3, 5]);
    check("slice", { start: [0, 1], limit: [5, 9], strides: [2, 3] }, [5, 9], [3, 3], "float64");
    check("slice", { start: [2], limit: [2], strides: null }, [5], [0]);
  });
  test("reshape and iota", () => {
    check("reshape", { shape: [6, 5] }, [3, 10], [6, 5], "bool");
    for (const [dt, shape, dim] of [["int32", [3, 700], 1], ["float32", [4, 5], 0], ["uint32", [0], 0]] as [DType, number[], number][]) {
      const res = runBoth("iota", { dtype: dt, shape, dimension: dim }, [], [], [aval(shape, dt)]);
      assertClose(res.got[0]!, res.want[0]!, 0, 0, "iota");
    }
  });
});

describe("native reductions", { skip }, () => {
  const r = rng(3);
  const cases: [number[], number[]][] = [[[1037], [0]], [[7, 300], [1]], [[7, 300], [0]], [[4, 5, 6], [0, 2]], [[4, 5, 6], [1]], [[4, 5, 6], []], [[0, 3], [0]], [[3, 0], [1]], [[], []], [[256, 1030], [0, 1]]];
  for (const prim of ["reduce_sum", "reduce_max", "reduce_min", "reduce_prod", "reduce_and", "reduce_or"] as Primitive[]) {
    test(prim, () => {
      const dts: DType[] = prim === "reduce_and" || prim === "reduce_or" ? ["bool"] : ["float32", "float64", "int32", "float16"];
      for (const dt of dts) for (const [shape, axes] of cases) {
        const x = randomArray(dt, shape, r, prim === "reduce_prod" ? 0.5 : -3, prim === "reduce_prod" ? 1.5 : 3);
        if (dt === "float32" && x.length > 100 && prim !== "reduce_prod") x[50] = NaN;
        const outShape = shape.filter((_, i) => !axes.includes(i));
        const res = runBoth(prim, { axes }, [x], [aval(shape, dt)], [aval(outShape, dt)]);
        const t = dt === "float16" ? 2e-3 : 1e-6;
        assertClose(res.got[0]!, res.want[0]!, t, t, `${prim} ${dt} [${shape}] axes ${axes}`);
      }
    });
  }
  test("argmax and argmin, with NaN", () => {
    for (const prim of ["argmax", "argmin"] as Primitive[]) for (const [shape, axis] of [[[7, 300], 1], [[7, 300], 0], [[2, 3, 4], 1], [[5], 0]] as [number[], number][]) {
      for (const dt of ["float32", "int32", "float64"] as DType[]) {
        const x = randomArray(dt, shape, r);
        if (dt === "float32" && x.length > 100) x[100] = NaN;
        const outShape = shape.filter((_, i) => i !== axis);
        const res = runBoth(prim, { axis, indexDtype: "int32" }, [x], [aval(shape, dt)], [aval(outShape, "int32")]);
        assertClose(res.got[0]!, res.want[0]!, 0, 0, `${prim} ${dt}`);
      }
    }
  });
});

describe("native dot_general", { skip }, () => {
  const r = rng(4);
  const dot = (sa: number[], sb: number[], contract: [number[], number[]], batch: [number[], number[]], dt: DType = "float32") => {
    const a = randomArray(dt, sa, r, -1, 1), b = randomArray(dt, sb, r, -1, 1);
    const bs = batch[0].map((i) => sa[i]!);
    const fa = sa.filter((_, i) => !contract[0].includes(i) && !batch[0].includes(i));
    const fb = sb.filter((_, i) => !contract[1].includes(i) && !batch[1].includes(i));
    const K = contract[0].reduce((p, i) => p * sa[i]!, 1);
    const res = runBoth("dot_general", { dimensionNumbers: { contract, batch }, preferredElementType: null }, [a, b], [aval(sa, dt), aval(sb, dt)], [aval([...bs, ...fa, ...fb], dt)]);
    const t = dt === "float32" ? 2e-6 * Math.max(K, 1) : dt === "float16" ? 2e-2 : 1e-12 * Math.max(K, 1);
    assertClose(res.got[0]!, res.want[0]!, t, t, `dot ${dt} [${sa}]x[${sb}] c${contract} b${batch}`);
  };
  test("matmul over many shapes (tile edges, small and blocked paths)", () => {
    for (const m of [1, 3, 17, 64, 65, 130]) for (const k of [1, 7, 64, 300]) for (const n of [1, 5, 33, 100]) dot([m, k], [k, n], [[1], [0]], [[], []]);
    dot([300, 600], [600, 290], [[1], [0]], [[], []]);
    dot([0, 5], [5, 3], [[1], [0]], [[], []]);
    dot([4, 0], [0, 3], [[1], [0]], [[], []]);
  });
  test("transposed operands, batches, vectors, non-mergeable dims", () => {
    dot([70, 90], [50, 70], [[0], [1]], [[], []]);          // A^T B^T
    dot([90, 70], [50, 70], [[1], [1]], [[], []]);          // A B^T
    dot([100, 397], [70, 397], [[1], [1]], [[], []]);        // A B^T over two K blocks (200, 197: transposing pack's k remainders)
    dot([5, 130, 61], [5, 66, 61], [[2], [2]], [[0], [0]]);  // batched A B^T (attention's q @ k^T)
    dot([4, 30, 20], [4, 20, 25], [[2], [1]], [[0], [0]]);  // batched
    dot([30, 4, 20], [20, 25, 4], [[2], [0]], [[1], [2]]);  // batch not leading
    dot([2, 3, 4], [3, 5], [[1], [0]], [[], []]);           // free dims (0, 2) of A do not merge
    dot([6, 7], [7], [[1], [0]], [[], []]);                 // matrix-vector
    dot([7], [7], [[0], [0]], [[], []]);                    // inner product
    dot([3, 4], [5], [[], []], [[], []]);                   // outer product
    dot([2, 3, 4], [4, 3, 5], [[1, 2], [1, 0]], [[], []]);  // two contracting dims, opposite orders
  });
  test("float64, int32 and float16", () => {
    dot([17, 33], [33, 9], [[1], [0]], [[], []], "float64");
    dot([17, 33], [33, 9], [[1], [0]], [[], []], "int32");
    dot([3, 17, 33], [3, 33, 9], [[2], [1]], [[0], [0]], "float16");
  });
});

describe("native gather, scatter, threefry and fallbacks", { skip }, () => {
  const r = rng(5);
  test("gather with clamped indices", () => {
    for (const [shape, axis] of [[[10, 7], 0], [[3, 10, 4], 1], [[5], 0]] as [number[], number][]) {
      const x = randomArray("float32", shape, r);
      const idx = randomArray("int32", [6], r, -3, shape[axis]! + 3);
      const outShape = [...shape.slice(0, axis), 6, ...shape.slice(axis + 1)];
      const res = runBoth("gather", { axis }, [x, idx], [aval(shape, "float32"), aval([6], "int32")], [aval(outShape, "float32")]);
      assertClose(res.got[0]!, res.want[0]!, 0, 0, "gather");
    }
  });
  test("scatter in every mode, out-of-bounds dropped", () => {
    for (const mode of ["set", "add", "mul", "min", "max"]) for (const dt of ["float32", "int32"] as DType[]) {
      const shape = [3, 10, 4], axis = 1;
      const x = randomArray(dt, shape, r), idx = randomArray("int32", [6], r, -2, 12), u = randomArray(dt, [3, 6, 4], r);
      idx[0] = 3; idx[1] = 3;  // repeated index: applied in order
      const res = runBoth("scatter", { axis, mode }, [x, idx, u], [aval(shape, dt), aval([6], "int32"), aval([3, 6, 4], dt)], [aval(shape, dt)]);
      assertClose(res.got[0]!, res.want[0]!, 1e-7, 0, `scatter ${mode} ${dt}`);
    }
  });
  test("threefry2x32 with broadcast keys, and a known answer", () => {
    const k0 = randomArray("uint32", [], r, 0, 4e9), k1 = randomArray("uint32", [], r, 0, 4e9);
    const x0 = randomArray("uint32", [5000], r, 0, 4e9), x1 = randomArray("uint32", [5000], r, 0, 4e9);
    const u = (s: number[]) => aval(s, "uint32");
    const res = runBoth("threefry2x32", {}, [k0, k1, x0, x1], [u([]), u([]), u([5000]), u([5000])], [u([5000]), u([5000])]);
    assertClose(res.got[0]!, res.want[0]!, 0, 0, "y0");
    assertClose(res.got[1]!, res.want[1]!, 0, 0, "y1");
    // Random123's known-answer vector for threefry2x32_20 with zero key and counter.
    const z = new Uint32Array([0]);
    const kat = runBoth("threefry2x32", {}, [z, z, z, z], [u([1]), u([1]), u([1]), u([1])], [u([1]), u([1])]);
    assert.deepEqual([kat.got[0]![0], kat.got[1]![0]], [0x6b200159, 0x99ba4efe]);
  });
  test("primitives without a native kernel run the reference on views of native memory", () => {
    const x = randomArray("float32", [4, 6], r);
    const res = runBoth("bitcast_convert_type", { dtype: "int32" }, [x], [aval([4, 6], "float32")], [aval([4, 6], "int32")]);
    assertClose(res.got[0]!, res.want[0]!, 0, 0, "bitcast");
  });
});

describe("native conv_general_dilated", { skip }, () => {
  const r = rng(6);
  type P = { strides: number[]; padding: any; lhsDilation: number[]; rhsDilation: number[]; featureGroupCount: number };
  const conv = (ls: number[], rs: number[], p: P) => {
    const x = randomArray("float32", ls, r, -1, 1), w = randomArray("float32", rs, r, -1, 1);
    const nsp = ls.length - 2;
    const pads = resolvePadding(ls.slice(2), rs.slice(2), p);
    const outSp = ls.slice(2).map((n, i) => {
      const inSize = (n - 1) * p.lhsDilation[i]! + 1 + pads[i]![0] + pads[i]![1];
      const k = (rs[2 + i]! - 1) * p.rhsDilation[i]! + 1;
      return Math.floor((inSize - k) / p.strides[i]!) + 1;
    });
    if (outSp.some((d) => d <= 0)) return;
    const os = [ls[0]!, rs[0]!, ...outSp];
    const res = runBoth("conv_general_dilated", p, [x, w], [aval(ls, "float32"), aval(rs, "float32")], [aval(os, "float32")]);
    const K = rs.slice(1).reduce((a, b) => a * b, 1);
    assertClose(res.got[0]!, res.want[0]!, 1e-5, 2e-6 * K, `conv [${ls}]*[${rs}] ${JSON.stringify(p)} (${nsp}d)`);
  };
  const P = (nsp: number, o: Partial<P> = {}): P => ({
    strides: Array(nsp).fill(1), padding: "VALID", lhsDilation: Array(nsp).fill(1), rhsDilation: Array(nsp).fill(1), featureGroupCount: 1, ...o,
  });
  test("2-d over strides, paddings, dilations", () => {
    for (const s of [[1, 1], [2, 2], [1, 3]]) for (const pad of ["VALID", "SAME", [[1, 2], [0, 1]], [[-1, 0], [2, -1]]]) {
      for (const ld of [[1, 1], [2, 1]]) for (const rd of [[1, 1], [1, 2]]) {
        conv([2, 3, 9, 8], [4, 3, 3, 2], P(2, { strides: s, padding: pad, lhsDilation: ld, rhsDilation: rd }));
      }
    }
  });
  test("feature groups, 1x1 kernels, 1-d and 3-d, odd sizes", () => {
    conv([2, 6, 7, 7], [9, 2, 3, 3], P(2, { featureGroupCount: 3 }));
    conv([1, 4, 5, 6], [4, 1, 3, 3], P(2, { featureGroupCount: 4, padding: "SAME" }));  // depthwise
    conv([3, 8, 5, 5], [6, 8, 1, 1], P(2));                                             // 1x1: read directly
    conv([3, 8, 5, 5], [6, 8, 1, 1], P(2, { strides: [2, 2] }));
    conv([2, 3, 17], [5, 3, 4], P(1, { padding: "SAME" }));
    conv([1, 1, 40], [1, 1, 7], P(1, { padding: [[6, 6]] }));
    conv([2, 2, 5, 4, 6], [3, 2, 2, 3, 2], P(3, { strides: [1, 2, 1], padding: "SAME", rhsDilation: [2, 1, 1] }));
    conv([0, 3, 5, 5], [4, 3, 3, 3], P(2));
  });
  test("large enough to block and thread: batch-parallel, channel-split, blocked columns", () => {
    conv([16, 3, 28, 28], [8, 3, 5, 5], P(2, { padding: "SAME" }));
    conv([1, 64, 30, 30], [16, 64, 3, 3], P(2, { padding: "SAME" }));        // one image: channel sum split over threads
    conv([1, 96, 40, 40], [9, 32, 3, 3], P(2, { featureGroupCount: 3 }));   // few groups
    conv([2, 70, 64, 64], [4, 70, 3, 3], P(2, { padding: "SAME" }));        // column blocks over channels and positions
    conv([1, 128, 20, 20], [16, 128, 1, 1], P(2));
  });
  test("the convolutions of a CNN's gradient (transposed and kernel-gradient convs)", () => {
    // lhs-cotangent of a stride-2 conv: lhs dilation 2, flipped kernel; kernel cotangent: batch as features.
    conv([4, 8, 7, 7], [3, 8, 3, 3], P(2, { lhsDilation: [2, 2], padding: [[2, 2], [2, 2]] }));
    conv([3, 32, 14, 14], [16, 32, 14, 14], P(2, { padding: [[1, 1], [1, 1]] }));
    conv([1, 64, 28, 28], [32, 64, 28, 28], P(2, { padding: [[1, 1], [1, 1]] }));
  });
});

describe("native pad, concatenate, dynamic slices, cumulative ops, sort", { skip }, () => {
  const r = rng(7);
  test("pad: low/high/interior, negative (cropping), dtypes", () => {
    for (const dt of ["float32", "int32", "float64", "bool"] as DType[]) {
      const x = randomArray(dt, [4, 6], r);
      const v = randomArray(dt, [], r);
      for (const cfg of [[[1, 2, 0], [0, 1, 1]], [[0, 0, 0], [0, 0, 0]], [[-1, 2, 1], [2, -3, 0]], [[-2, -2, 0], [0, 0, 2]]] as [number, number, number][][]) {
        const os = [4, 6].map((n, i) => Math.max(0, cfg[i]![0] + cfg[i]![1] + n + Math.max(0, n - 1) * cfg[i]![2]));
        const res = runBoth("pad", { config: cfg }, [x, v], [aval([4, 6], dt), aval([], dt)], [aval(os, dt)]);
        assertClose(res.got[0]!, res.want[0]!, 0, 0, `pad ${dt} ${JSON.stringify(cfg)}`);
      }
    }
    const big = randomArray("float32", [3, 300, 400], r);
    const res = runBoth("pad", { config: [[0, 0, 0], [2, 2, 0], [3, 1, 0]] }, [big, new Float32Array([0])], [aval([3, 300, 400], "float32"), aval([], "float32")], [aval([3, 304, 404], "float32")]);
    assertClose(res.got[0]!, res.want[0]!, 0, 0, "pad big");
  });
  test("concatenate along each axis, with empty parts", () => {
    for (const axis of [0, 1, 2]) for (const dt of ["float32", "float64", "bool"] as DType[]) {
      const shapes = [[2, 3, 4], [2, 3, 4], [2, 3, 4]].map((s, k) => s.map((d, i) => (i === axis ? [2, 0, 5][k]! : d)));
      const xs = shapes.map((s) => randomArray(dt, s, r));
      const os = shapes[0]!.map((d, i) => (i === axis ? shapes.reduce((a, s) => a + s[i]!, 0) : d));
      const res = runBoth("concatenate", { axis }, xs, shapes.map((s) => aval(s, dt)), [aval(os, dt)]);
      assertClose(res.got[0]!, res.want[0]!, 0, 0, `concatenate axis ${axis} ${dt}`);
    }
  });
  test("dynamic_slice and dynamic_update_slice with clamped starts", () => {
    const x = randomArray("float32", [5, 7, 3], r), u = randomArray("float32", [2, 3, 3], r);
    for (const st of [[0, 0, 0], [1, 2, 0], [4, 6, 1], [-3, 9, 0]]) {
      const starts = st.map((v) => new Int32Array([v]));
      const sa = st.map(() => aval([], "int32"));
      let res = runBoth("dynamic_slice", { sizes: [2, 3, 3] }, [x, ...starts], [aval([5, 7, 3], "float32"), ...sa], [aval([2, 3, 3], "float32")]);
      assertClose(res.got[0]!, res.want[0]!, 0, 0, `dynamic_slice ${st}`);
      res = runBoth("dynamic_update_slice", {}, [x, u, ...starts], [aval([5, 7, 3], "float32"), aval([2, 3, 3], "float32"), ...sa], [aval([5, 7, 3], "float32")]);
      assertClose(res.got[0]!, res.want[0]!, 0, 0, `dynamic_update_slice ${st}`);
    }
  });
  test("cumsum, cumprod, cummax, cummin over axes, directions and dtypes", () => {
    for (const prim of ["cumsum", "cumprod", "cummax", "cummin"] as Primitive[]) for (const dt of ["float32", "float64", "int32", "float16", "uint32"] as DType[]) {
      for (const [shape, axis] of [[[4, 6], 1], [[4, 6], 0], [[3, 5, 2], 1], [[0, 3], 1], [[1000], 0]] as [number[], number][]) {
        for (const reverse of [false, true]) {
          const x = randomArray(dt, shape, r, prim === "cumprod" ? 0.5 : dt === "uint32" ? 0 : -3, prim === "cumprod" ? 1.5 : 3);
          if (dt === "float32" && x.length > 8) { x[3] = NaN; x[5] = -0; }
          const res = runBoth(prim, { axis, reverse }, [x], [aval(shape, dt)], [aval(shape, dt)]);
          assertClose(res.got[0]!, res.want[0]!, 0, 0, `${prim} ${dt} [${shape}] axis ${axis}${reverse ? " reverse" : ""}`);
        }
      }
    }
  });
  test("sort: several operands and keys, stable, NaN last, -0 equal to 0", () => {
    for (const dt of ["float32", "float64", "int32", "uint32"] as DType[]) for (const [shape, dim] of [[[4, 9], 1], [[9, 4], 0], [[2, 50, 3], 1], [[0, 5], 1], [[3000], 0]] as [number[], number][]) {
      const k = randomArray(dt, shape, r, dt === "uint32" ? 0 : -3, 3);
      if (dt.startsWith("float") && k.length > 10) { k[0] = NaN; k[1] = -0; k[2] = 0; k[4] = NaN; }
      const k2 = randomArray("int32", shape, r, 0, 2), v = randomArray("float32", shape, r);
      for (const [xs, numKeys] of [[[k], 1], [[k, v], 1], [[k2, k, v], 2]] as [any[], number][]) {
        const avs = xs.map((x: any, i: number) => aval(shape, xs === undefined ? dt : (x === k ? dt : x === k2 ? "int32" : "float32")));
        const res = runBoth("sort", { dimension: dim, numKeys }, xs, avs, avs);
        res.want.forEach((w, i) => assertClose(res.got[i]!, w, 0, 0, `sort ${dt} [${shape}] dim ${dim} operand ${i} of ${xs.length}`));
      }
    }
  });
});
