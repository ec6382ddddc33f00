// Hand-built fused kernels (strided, broadcast, transposed, flipped and sliced loads, iota,
// shared subexpressions, reductions over any axes) on the native evaluator against the
// reference interpreter fused.ts. Sizes cross the evaluator's 512-element blocks and its
// multi-threading threshold.
import { describe, test } from "node:test";
import { runFusedKernel } from "../src/backend/reference/fused.js";
import type { Expr, FusedKernel, ReduceOp } from "../src/backend/kernel.js";
import type { DType } from "../src/dtype.js";
import { assertClose, aval, native, randomArray, rng, skip } from "./native-helpers.js";

const load = (input: number, strides: number[], offset: number, dtype: DType = "float32"): Expr => ({ op: "load", input, strides, offset, dtype });
const c = (value: number, dtype: DType = "float32"): Expr => ({ op: "const", value, dtype });
const op = (o: string, dtype: DType, ...args: Expr[]): Expr => ({ op: o, args, dtype } as Expr);

function check(k: FusedKernel, seed: number, tol = 0, what = "") {
  const r = rng(seed);
  const inputs = k.inputs.map((a) => randomArray(a.dtype, a.shape, r));
  const want = runFusedKernel(k, inputs);
  const be = native!;
  const bufs = inputs.map((x, i) => be.upload(x, k.inputs[i]!));
  const out = be.runKernel(k, bufs);
  const got = be.downloadSync(out, k.output);
  for (const b of [...bufs, out]) be.free(b);
  assertClose(got, want, tol, tol, what);
}

const kernel = (shape: number[], expr: Expr, inputs: [number[], DType][], out: [number[], DType], reduce: { op: ReduceOp; axes: number[] } | null = null): FusedKernel =>
  ({ kind: "fused", shape, expr, reduce, inputs: inputs.map(([s, d]) => aval(s, d)), output: aval(out[0], out[1]) });

describe("native fused kernels", { skip }, () => {
  test("elementwise with broadcast, transposed, flipped and sliced loads", () => {
    for (const [R, C] of [[3, 5], [7, 513], [300, 301], [1, 1], [0, 4]] as [number, number][]) {
      // out[i, j] = x[i, j] * 2 + b[j] - xt[j, i] + flip(v)[j] (v read backwards) + s[i+1, j+2]
      const x = load(0, [C, 1], 0), b = load(1, [0, 1], 0), xt = load(2, [1, R], 0);
      const v = load(3, [0, -1], Math.max(C - 1, 0)), s = load(4, [C + 3, 1], C + 3 + 2);
      const e = op("add", "float32", op("sub", "float32", op("add", "float32", op("mul", "float32", x, c(2)), b), xt), op("add", "float32", v, s));
      check(kernel([R, C], e, [[[R, C], "float32"], [[C], "float32"], [[C, R], "float32"], [[C], "float32"], [[R + 2, C + 3], "float32"]], [[R, C], "float32"]), R * C, 1e-6, `strided ${R}x${C}`);
    }
  });
  test("iota, select, convert, comparison and float16 nodes", () => {
    const R = 37, C = 1030;
    const x = load(0, [C, 1], 0);
    const i0: Expr = { op: "index", axis: 0, dtype: "int32" }, i1: Expr = { op: "index", axis: 1, dtype: "int32" };
    const cond = op("lt", "bool", op("convert", "float32", op("add", "int32", i0, i1)), x);
    const half = op("mul", "float16", op("convert", "float16", x), c(1.37, "float16"));
    const e = op("select", "float32", cond, op("convert", "float32", half), op("logistic", "float32", x));
    check(kernel([R, C], e, [[[R, C], "float32"]], [[R, C], "float32"]), 7, 1e-6, "select/convert");
    const ie = op("convert", "int32", op("mul", "float32", x, c(100)));
    check(kernel([R, C], op("max", "int32", ie, i1), [[[R, C], "float32"]], [[R, C], "int32"]), 8, 0, "int max");
  });
  test("shared subexpressions are computed once and reused", () => {
    const x = load(0, [1], 0);
    const t = op("exp", "float32", op("neg", "float32", x));
    const e = op("div", "float32", op("mul", "float32", t, t), op("add", "float32", t, c(1)));
    check(kernel([100000], e, [[[100000], "float32"]], [[100000], "float32"]), 9, 1e-5, "dag");
  });
  test("reductions over inner, outer, several and all axes", () => {
    const cases: [number[], number[]][] = [[[8, 700], [1]], [[700, 9], [0]], [[5, 6, 7], [0, 2]], [[5, 6, 7], [1]], [[300, 1000], [0, 1]], [[4, 0, 3], [1]], [[64, 2000], [1]]];
    for (const rop of ["sum", "max", "min", "prod"] as ReduceOp[]) for (const [shape, axes] of cases) {
      const n = shape.length;
      const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, d) => p * d, 1));
      // value = x * y[last axis] + 0.5, y broadcast along every other axis
      const y = load(1, shape.map((_, i) => (i === n - 1 ? 1 : 0)), 0);
      const val = op("add", "float32", op("mul", "float32", load(0, strides, 0), y), c(0.5));
      const e = rop === "prod" ? op("add", "float32", op("mul", "float32", op("logistic", "float32", val), c(0.2)), c(0.9)) : val;
      const outShape = shape.filter((_, i) => !axes.includes(i));
      check(kernel(shape, e, [[shape, "float32"], [[shape[n - 1]!], "float32"]], [outShape, "float32"], { op: rop, axes }), 11, 1e-5, `${rop} [${shape}] ${axes}`);
    }
  });
  test("reduction of a transposed load, and logical reductions of comparisons", () => {
    const x = load(0, [1, 40], 0);  // x is [50, 40], iterated as [40, 50]
    check(kernel([40, 50], op("square", "float32", x), [[[50, 40], "float32"]], [[40], "float32"], { op: "sum", axes: [1] }), 12, 1e-6, "transposed sum");
    for (const rop of ["and", "or"] as ReduceOp[]) {
      const e = op("gt", "bool", load(0, [600, 1], 0), c(rop === "and" ? -2.9 : 2.9));
      check(kernel([3, 600], e, [[[3, 600], "float32"]], [[3], "bool"], { op: rop, axes: [1] }), 13, 0, rop);
    }
    // int32 sum over a float comparison, as in counting.
    const cnt = op("convert", "int32", op("gt", "bool", load(0, [1], 0), c(0)));
    check(kernel([5000], cnt, [[[5000], "float32"]], [[], "int32"], { op: "sum", axes: [0] }), 14, 0, "count");
  });
  test("float64 and integer chains", () => {
    const x = load(0, [1], 0, "float64"), y = load(1, [0], 0, "float64");
    check(kernel([3001], op("atan2", "float64", op("sin", "float64", x), y), [[[3001], "float64"], [[], "float64"]], [[3001], "float64"]), 15, 1e-14, "f64");
    const a = load(0, [1], 0, "int32"), b = load(1, [1], 0, "int32");
    const e = op("xor", "int32", op("mul", "int32", a, b), op("shift_right_arithmetic", "int32", a, c(1, "int32")));
    check(kernel([2049], e, [[[2049], "int32"], [[2049], "int32"]], [[2049], "int32"]), 16, 0, "int");
  });
  test("short innermost axes run as flat blocks: layout changes, pooling reductions, iota, bool and f64", () => {
    // NCHW -> NHWC: out[n, p, c] = x[n, c, p] * 2 + b[c], c short (crosses block boundaries mid-row).
    for (const [N, P, C] of [[3, 70, 32], [2, 49, 14], [5, 13, 3], [16, 196, 32]] as [number, number, number][]) {
      const x = load(0, [C * P, 1, P], 0), b = load(1, [0, 0, 1], 0);
      const e = op("add", "float32", op("mul", "float32", x, c(2)), b);
      check(kernel([N, P, C], e, [[[N, C, P], "float32"], [[C], "float32"]], [[N, P, C], "float32"]), N * P * C, 1e-6, `nchw->nhwc ${N},${P},${C}`);
    }
    // Max pool 2x2 stride 2 on NHWC as a reduction over [N*H/2, 2, W/2, 2, C] (reduced axes 1, 3).
    for (const rop of ["max", "sum", "min"] as ReduceOp[]) {
      const H2 = 7, W2 = 14, C = 32, NH = 64;
      const shape = [NH, 2, W2, 2, C];
      const x = load(0, [2 * W2 * 2 * C, W2 * 2 * C, 2 * C, C, 1], 0);
      check(kernel(shape, op("abs", "float32", x), [[[NH * 2 * W2 * 2 * C], "float32"]], [[NH, W2, C], "float32"], { op: rop, axes: [1, 3] }), 21, 1e-6, `pool ${rop} ${H2}`);
    }
    // iota along every axis, a bool load and a float64 chain, all with short rows.
    const i0: Expr = { op: "index", axis: 0, dtype: "int32" }, i1: Expr = { op: "index", axis: 1, dtype: "int32" }, i2: Expr = { op: "index", axis: 2, dtype: "int32" };
    const m = load(0, [1, 9 * 5, 5], 0, "bool");
    const idx = op("add", "int32", op("mul", "int32", i0, c(100, "int32")), op("add", "int32", op("mul", "int32", i1, c(10, "int32")), i2));
    check(kernel([11, 9, 5], op("select", "int32", m, idx, op("neg", "int32", idx)), [[[11, 5, 9], "bool"]], [[11, 9, 5], "int32"]), 22, 0, "iota/bool");
    const xd = load(0, [1, 30], 0, "float64");
    check(kernel([30, 7], op("exp", "float64", xd), [[[7, 30], "float64"]], [[30, 7], "float64"]), 23, 1e-14, "f64 transpose");
    // A reduction of a transposed load over the short innermost axis, and an int32 output conversion.
    check(kernel([333, 6], op("mul", "float32", load(0, [1, 333], 0), c(3)), [[[6, 333], "float32"]], [[333], "float32"], { op: "sum", axes: [1] }), 24, 1e-5, "short sum");
    check(kernel([333, 6], load(0, [1, 333], 0), [[[6, 333], "float32"]], [[333, 6], "int32"]), 25, 0, "short convert");
  });
  test("float32 exp, logistic, tanh and log within 2 ulp of the reference over a sweep incl. extremes", () => {
    // The evaluator's SIMD exp/logistic/tanh/log (vec_impl.h) against the reference backend (double
    // precision, rounded once to float32). Tolerance: 2 ulp, NaN matching NaN; lengths leave tails
    // for the scalar loop.
    const vals: number[] = [Infinity, -Infinity, NaN, 0, -0, 1e-45, -1e-45, 1.1754942e-38, -1.1754942e-38, 3.4028235e38, -3.4028235e38,
      88.72283, 88.7229, 89, 89.5, -87.33, -87.34, -103.97, -103.98, -104, -150, 0.625, -0.625, 0.6249999, 9, -9, 20, -20];
    const r = rng(77);
    for (let i = 0; i < 20000; i++) vals.push((r() * 2 - 1) * 110);
    for (let i = 0; i < 4000; i++) vals.push((r() * 2 - 1) * Math.pow(2, -30 * r()));
    const bits = new Uint32Array(1);
    for (let i = 0; i < 4000; i++) { bits[0] = (r() * 4294967296) >>> 0; vals.push(new Float32Array(bits.buffer)[0]!); }
    for (const n of [vals.length, 531, 7]) {
      const xs = Float32Array.from(vals.slice(0, n));
      for (const o of ["exp", "logistic", "tanh", "log"]) {
        const k = kernel([n], op(o, "float32", load(0, [1], 0)), [[[n], "float32"]], [[n], "float32"]);
        const want = runFusedKernel(k, [xs]) as Float32Array;
        const be = native!;
        const b = be.upload(xs, k.inputs[0]!);
        const out = be.runKernel(k, [b]);
        const got = be.downloadSync(out, k.output) as Float32Array;
        be.free(b); be.free(out);
        const gi = new Int32Array(got.buffer, got.byteOffset, n), wi = new Int32Array(want.buffer, want.byteOffset, n);
        const ord = (v: number) => (v < 0 ? -2147483648 - v : v);
        for (let i = 0; i < n; i++) {
          if (Number.isNaN(want[i]!) && Number.isNaN(got[i]!)) continue;
          const ulps = Math.abs(ord(gi[i]!) - ord(wi[i]!));
          if (!(ulps <= 2)) throw new Error(`${o}(${xs[i]}) = ${got[i]}, reference ${want[i]} (${ulps} ulp > 2)`);
        }
      }
    }
  });
  test("elementwise chains run in registers with the same bits as op by op", () => {
    // A contiguous load followed by unary ops and binaries with a constant, each on the previous
    // result, is evaluated in registers; the same expression over a broadcast load is not, and
    // must give the same bits. Lengths cover the 4-vector body, single vectors and tails.
    const specials = [0, -0, NaN, Infinity, -Infinity, 1, -1, 0.5, -0.5, 88, -104, 1e-40, -1e-40];
    const chains: [string, (x: Expr) => Expr][] = [
      ["sigmoid(relu(2x+1)-0.5)", (x) => op("logistic", "float32", op("sub", "float32", op("max", "float32", op("add", "float32", op("mul", "float32", x, c(2)), c(1)), c(0)), c(0.5)))],
      ["tanh(-sqrt(x^2+1))", (x) => op("tanh", "float32", op("neg", "float32", op("sqrt", "float32", op("add", "float32", op("square", "float32", x), c(1)))))],
      ["1 - 3/exp(min(x, 5))", (x) => op("sub", "float32", c(1), op("div", "float32", c(3), op("exp", "float32", op("min", "float32", x, c(5)))))],
      ["log|1/x| then max(-0, .)", (x) => op("max", "float32", c(-0), op("log", "float32", op("abs", "float32", op("reciprocal", "float32", x))))],
      ["min(max(x, NaN), 2) / 4", (x) => op("div", "float32", op("min", "float32", op("max", "float32", x, c(NaN)), c(2)), c(4))],
      ["relu then min(+0, .)", (x) => op("min", "float32", c(0), op("max", "float32", x, c(0)))],
    ];
    const be = native!;
    const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
    const run = (k: FusedKernel, xs: Float32Array) => {
      const buf = be.upload(xs, k.inputs[0]!);
      const out = be.runKernel(k, [buf]);
      const got = be.downloadSync(out, k.output) as Float32Array;
      be.free(buf); be.free(out);
      return got;
    };
    for (const n of [37, 1030, 5000]) {
      const r = rng(n);
      const xs = new Float32Array(n);
      for (let i = 0; i < n; i++) xs[i] = i < specials.length * 2 ? specials[i % specials.length]! : (r() - 0.5) * 20;
      for (const [name, f] of chains) {
        const chained = run(kernel([n], f(load(0, [1], 0)), [[[n], "float32"]], [[n], "float32"]), xs);
        const rows = run(kernel([2, n], f(load(0, [0, 1], 0)), [[[n], "float32"]], [[2, n], "float32"]), xs);
        const cb = bits(chained), rb = bits(rows);
        for (let i = 0; i < 2 * n; i++) {
          const g = chained[i % n]!, w = rows[i]!;
          if (Number.isNaN(g) && Number.isNaN(w)) continue;
          if (cb[i % n] !== rb[i]) throw new Error(`${name} at x = ${Object.is(xs[i % n], -0) ? "-0" : xs[i % n]}: chained ${Object.is(g, -0) ? "-0" : g}, op by op ${Object.is(w, -0) ? "-0" : w} (n = ${n})`);
        }
        const want = runFusedKernel(kernel([n], f(load(0, [1], 0)), [[[n], "float32"]], [[n], "float32"]), [xs]);
        assertClose(chained, want, 3e-6, 1e-6, `${name} vs the reference (n = ${n})`);
      }
    }
  });
  test("binaries with a constant operand: every operand order, signed zeros and NaN, bit for bit", () => {
    // The evaluator reads such constants as scalars (max/min through maxps/minps with fixes for
    // NaN and ties of zeros); the reference is fused.ts. Lengths cover vector bodies and tails.
    const specials = [0, -0, NaN, Infinity, -Infinity, 1, -1, 3, -2.5, 1e-40, -1e-40];
    const consts = [0, -0, 2, -0.5, NaN, Infinity];
    const be = native!;
    for (const n of [37, 1030]) {
      const xs = new Float32Array(n);
      for (let i = 0; i < n; i++) xs[i] = i < specials.length * 2 ? specials[i % specials.length]! : (i % 7) - 3 + i / 1000;
      const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
      for (const o of ["add", "sub", "mul", "div", "max", "min"])
        for (const v of consts)
          for (const first of [false, true]) {
            const x = load(0, [1], 0);
            const e = first ? op(o, "float32", c(v), x) : op(o, "float32", x, c(v));
            const k = kernel([n], e, [[[n], "float32"]], [[n], "float32"]);
            const want = runFusedKernel(k, [xs]) as Float32Array;
            const buf = be.upload(xs, k.inputs[0]!);
            const out = be.runKernel(k, [buf]);
            const got = be.downloadSync(out, k.output) as Float32Array;
            be.free(buf); be.free(out);
            const gb = bits(got), wb = bits(want);
            for (let i = 0; i < n; i++) {
              if (Number.isNaN(want[i]!) && Number.isNaN(got[i]!)) continue;
              if (gb[i] !== wb[i]) throw new Error(`${first ? `${o}(${v}, x)` : `${o}(x, ${v})`} at x = ${Object.is(xs[i], -0) ? "-0" : xs[i]}: got ${Object.is(got[i], -0) ? "-0" : got[i]}, want ${Object.is(want[i], -0) ? "-0" : want[i]} (n = ${n})`);
            }
          }
    }
  });
});
