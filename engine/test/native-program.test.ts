// Compiled programs on the native backend: whole programs against step-by-step execution on
// the reference backend, outputs that alias inputs and constants, the fallback for programs
// with a primitive the addon lacks (the engine's executor, jit/executor.ts), the memory plan's reuse, and each SIMD level of the
// machine (child processes with TENSORLENS_SIMD lowered).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ShapedArray } from "../src/ir/aval.js";
import type { Backend, Buffer } from "../src/backend/interface.js";
import type { Expr, Program, Step } from "../src/backend/kernel.js";
import { ReferenceBackend } from "../src/backend/reference/index.js";
import { runProgram } from "../src/jit/executor.js";
import { assertClose, aval, native, randomArray, rng, skip } from "./native-helpers.js";

const f32 = (...shape: number[]) => aval(shape, "float32");
const load = (input: number, strides: number[], dtype = "float32"): Expr => ({ op: "load", input, strides, offset: 0, dtype } as Expr);

function makeProgram(slots: ShapedArray[], numInputs: number, constants: Program["constants"], steps: Step[], outputs: number[]): Program {
  return { slots, numInputs, constants, steps, outputs, toString: () => "test program" };
}

/** The oracle: every step on the reference backend, one at a time. */
function runReference(p: Program, inputs: Float32Array[]) {
  const be: Backend = new ReferenceBackend();
  const bufs: Buffer[] = [];
  inputs.forEach((x, i) => { bufs[i] = be.upload(x, p.slots[i]!); });
  for (const c of p.constants) bufs[c.slot] = be.upload(Float32Array.from(c.data), c.aval);
  for (const s of p.steps) {
    if (s.kind === "kernel") bufs[s.output] = be.runKernel(s.kernel, s.inputs.map((i) => bufs[i]!));
    else if (s.kind === "op") be.execute(s.prim, s.params, s.inputs.map((i) => bufs[i]!), s.inputs.map((i) => p.slots[i]!), s.outputs.map((i) => p.slots[i]!)).forEach((b, j) => { bufs[s.outputs[j]!] = b; });
  }
  return p.outputs.map((o) => be.downloadSync!(bufs[o]!, p.slots[o]!));
}

function runNative(p: Program, inputs: Float32Array[], times = 1) {
  const be = native!;
  // The engine's executor, for a program the addon cannot take whole (no control flow here).
  const consts = p.constants.map((c) => be.upload(Float32Array.from(c.data), c.aval));
  const exe = be.compile(p, undefined, (ins) => runProgram(p, be, ins, consts, () => undefined))!;
  const ins = inputs.map((x, i) => be.upload(x, p.slots[i]!));
  let outs: Buffer[] = [];
  for (let t = 0; t < times; t++) {
    outs.forEach((b) => be.free(b));
    outs = exe.run(ins);
  }
  const res = outs.map((b, i) => be.downloadSync(b, p.slots[p.outputs[i]!]!));
  // Every output is its own buffer: freeing them all, and the inputs, must not double-free.
  [...ins, ...outs, ...consts].forEach((b) => be.free(b));
  return { res, exe };
}

// x [B, D] @ w [D, H] -> h; a = relu(h + b + c); s = sum(a * a, axis 0); at = a^T
function mlpLayer(B: number, D: number, H: number, extra: Step[] = [], extraSlots: ShapedArray[] = [], extraOut: number[] = []) {
  const slots = [f32(B, D), f32(D, H), f32(H), f32(H), f32(B, H), f32(B, H), f32(H), f32(H, B), ...extraSlots];
  const hb: Expr = { op: "add", dtype: "float32", args: [{ op: "add", dtype: "float32", args: [load(0, [H, 1]), load(1, [0, 1])] }, load(2, [0, 1])] };
  const relu: Expr = { op: "max", dtype: "float32", args: [hb, { op: "const", value: 0, dtype: "float32" }] };
  const steps: Step[] = [
    { kind: "op", prim: "dot_general", params: { dimensionNumbers: { contract: [[1], [0]], batch: [[], []] }, preferredElementType: null }, inputs: [0, 1], outputs: [4] },
    { kind: "kernel", kernel: { kind: "fused", shape: [B, H], expr: relu, reduce: null, inputs: [f32(B, H), f32(H), f32(H)], output: f32(B, H) }, inputs: [4, 2, 3], output: 5, label: "relu" },
    { kind: "free", slots: [4] },
    { kind: "kernel", kernel: { kind: "fused", shape: [B, H], expr: { op: "square", dtype: "float32", args: [load(0, [H, 1])] }, reduce: { op: "sum", axes: [0] }, inputs: [f32(B, H)], output: f32(H) }, inputs: [5], output: 6, label: "sumsq" },
    { kind: "op", prim: "transpose", params: { permutation: [1, 0] }, inputs: [5], outputs: [7] },
    ...extra,
  ];
  const cdata = Array.from({ length: H }, (_, i) => (i % 7) * 0.1 - 0.3);
  return makeProgram(slots, 3, [{ slot: 3, data: cdata, aval: f32(H) }], steps, [6, 7, 0, 3, 6, ...extraOut]);
}

describe("native compiled programs", { skip }, () => {
  test("a program runs in one call and matches the reference step by step, repeatedly", () => {
    for (const [B, D, H] of [[128, 64, 32], [3, 2, 4], [33, 129, 65]] as [number, number, number][]) {
      const p = mlpLayer(B, D, H);
      const r = rng(B);
      const inputs = [randomArray("float32", [B, D], r), randomArray("float32", [D, H], r), randomArray("float32", [H], r)] as Float32Array[];
      const want = runReference(p, inputs);
      const { res } = runNative(p, inputs, 3);
      res.forEach((g, i) => assertClose(g, want[i]!, 1e-5, 1e-4, `output ${i} (${B},${D},${H})`));
    }
  });
  test("a primitive without a native kernel runs the program step by step", () => {
    const B = 5, D = 6, H = 7;
    const p = mlpLayer(B, D, H, [{ kind: "op", prim: "bitcast_convert_type", params: { dtype: "float32" }, inputs: [6], outputs: [8] }], [f32(H)], [8]);
    const r = rng(9);
    const inputs = [randomArray("float32", [B, D], r), randomArray("float32", [D, H], r), randomArray("float32", [H], r)] as Float32Array[];
    const want = runReference(p, inputs);
    const { res, exe } = runNative(p, inputs, 2);
    assert.equal((exe as any).arenaBytes, undefined, "this program should not be compiled natively");
    res.forEach((g, i) => assertClose(g, want[i]!, 1e-5, 1e-5, `output ${i}`));
  });
  test("programs with cumsum and sort (native kernels) run in one native call", () => {
    const B = 5, D = 6, H = 7;
    const p = mlpLayer(B, D, H, [{ kind: "op", prim: "cumsum", params: { axis: 0, reverse: false }, inputs: [6], outputs: [8] },
      { kind: "op", prim: "sort", params: { dimension: 0, numKeys: 1 }, inputs: [8], outputs: [9] }], [f32(H), f32(H)], [9]);
    const r = rng(9);
    const inputs = [randomArray("float32", [B, D], r), randomArray("float32", [D, H], r), randomArray("float32", [H], r)] as Float32Array[];
    const want = runReference(p, inputs);
    const { res, exe } = runNative(p, inputs, 2);
    assert.ok((exe as any).arenaBytes !== undefined, "this program should be compiled natively");
    res.forEach((g, i) => assertClose(g, want[i]!, 1e-5, 1e-5, `output ${i}`));
  });
  test("the memory plan reuses memory of slots whose lifetimes ended", () => {
    const n = 10000, chain = 8;
    const slots = [f32(n), ...Array.from({ length: chain }, () => f32(n))];
    const steps: Step[] = [];
    for (let i = 0; i < chain; i++) {
      const e: Expr = { op: "add", dtype: "float32", args: [{ op: "mul", dtype: "float32", args: [load(0, [1]), { op: "const", value: 0.5, dtype: "float32" }] }, { op: "const", value: i, dtype: "float32" }] };
      steps.push({ kind: "kernel", kernel: { kind: "fused", shape: [n], expr: e, reduce: null, inputs: [f32(n)], output: f32(n) }, inputs: [i], output: i + 1, label: `k${i}` });
      if (i > 0) steps.push({ kind: "free", slots: [i] });
    }
    const p = makeProgram(slots, 1, [], steps, [chain]);
    const x = randomArray("float32", [n], rng(3)) as Float32Array;
    const want = runReference(p, [x]);
    const { res, exe } = runNative(p, [x]);
    assertClose(res[0]!, want[0]!, 1e-6, 1e-6, "chain");
    // Seven intermediates, at most two alive at once.
    assert.ok((exe as any).arenaBytes <= 2 * n * 4 + 128, `arena of ${(exe as any).arenaBytes} bytes`);
  });
  test("no native memory leaks across runs", () => {
    const p = mlpLayer(16, 8, 4);
    const r = rng(5);
    const inputs = [randomArray("float32", [16, 8], r), randomArray("float32", [8, 4], r), randomArray("float32", [4], r)] as Float32Array[];
    const be = native!;
    runNative(p, inputs);  // warm caches
    const before = be.liveBytes();
    for (let i = 0; i < 20; i++) runNative(p, inputs);
    const exe = be.compile(p)!;
    const ins = inputs.map((x, i) => be.upload(x, p.slots[i]!));
    for (let i = 0; i < 50; i++) exe.run(ins).forEach((b) => be.free(b));
    ins.forEach((b) => be.free(b));
    // Compiled programs keep their arena and constants until collected; 20 of them are small.
    assert.ok(be.liveBytes() - before < 64 * 1024, `grew by ${be.liveBytes() - before} bytes`);
  });
});

describe("native SIMD levels", { skip }, () => {
  const script = fileURLToPath(new URL("./fixtures/native-simd-check.ts", import.meta.url));
  for (const level of ["generic", "avx2", "avx512"]) {
    test(`kernels agree with the reference at TENSORLENS_SIMD=${level} (or the machine's best below it)`, () => {
      const r = spawnSync(process.execPath, ["--import", "tsx", script], { env: { ...process.env, TENSORLENS_SIMD: level }, encoding: "utf8" });
      assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /^ok /m);
    });
  }
});
