// DenseGeneral with batch dims, and Conv's CIRCULAR and CAUSAL padding, against loops in plain
// JavaScript over the layer's own parameters.
import { test } from "node:test";
import assert from "node:assert/strict";
import { nn, np, random, type DeviceArray } from "../src/index.js";
import { assertClose, values } from "./nn-helpers.js";

/** Runs one layer inside a module: [output, params]. */
function run(layer: () => (x: DeviceArray) => DeviceArray, x: DeviceArray): [DeviceArray, any] {
  class Wrap extends nn.Module { call(z: DeviceArray) { return layer()(z); } }
  const vars = new Wrap().init(random.PRNGKey(3), x);
  return [new Wrap().apply(vars, x), vars.params];
}

test("DenseGeneral batchDims: a kernel and bias per index of the leading axes (Flax's batch_dims)", () => {
  const [B, T, I] = [3, 4, 5], F = [2, 3];
  const x = random.normal(random.PRNGKey(0), [B, T, I]);
  const biasInit = (k: DeviceArray, shape: readonly number[]) => random.normal(k, shape);
  const [y, params] = run(() => nn.DenseGeneral(F, { batchDims: 0, biasInit }), x);
  const p = params.DenseGeneral_0;
  assert.deepEqual(p.kernel.shape, [B, I, 2, 3]);
  assert.deepEqual(p.bias.shape, [B, 2, 3]);
  assert.deepEqual(y.shape, [B, T, 2, 3]);
  const xs = values(x), ks = values(p.kernel), bs = values(p.bias), O = 6;
  const expected: number[] = [];
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let o = 0; o < O; o++) {
    let s = bs[b * O + o]!;
    for (let i = 0; i < I; i++) s += xs[(b * T + t) * I + i]! * ks[(b * I + i) * O + o]!;
    expected.push(s);
  }
  assertClose(y, expected, { rtol: 1e-5, atol: 1e-5 });
  // Without batch dims the kernel is shared.
  assert.deepEqual(run(() => nn.DenseGeneral(F), x)[1].DenseGeneral_0.kernel.shape, [I, 2, 3]);
  assert.throws(() => run(() => nn.DenseGeneral(4, { batchDims: 1 }), x), /batchDims \[1\] must be the leading axes/);
  assert.throws(() => run(() => nn.DenseGeneral(4, { batchDims: 0, axis: 0 }), x), /overlap/);
});

/** A 2-D NHWC convolution in loops; `at(n, h, w, c)` reads the (padded) input. */
function loopConv2d(at: (n: number, h: number, w: number, c: number) => number, [N, OH, OW]: [number, number, number], kernel: number[], [KH, KW, C, F]: [number, number, number, number], bias: number[], stride = 1) {
  const out: number[] = [];
  for (let n = 0; n < N; n++) for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) for (let f = 0; f < F; f++) {
    let s = bias[f]!;
    for (let a = 0; a < KH; a++) for (let b = 0; b < KW; b++) for (let c = 0; c < C; c++) s += at(n, i * stride + a, j * stride + b, c) * kernel[((a * KW + b) * C + c) * F + f]!;
    out.push(s);
  }
  return out;
}

test("Conv CIRCULAR padding wraps around (as Flax: pads ((k-1)//2, k//2) then VALID), with strides and even kernels", () => {
  const [N, H, W, C, F] = [2, 5, 6, 3, 4];
  const x = random.normal(random.PRNGKey(1), [N, H, W, C]), xs = values(x);
  const mod = (a: number, m: number) => ((a % m) + m) % m;
  for (const [[KH, KW], stride] of [[[3, 3], 1], [[2, 4], 1], [[3, 3], 2]] as const) {
    const [y, params] = run(() => nn.Conv(F, [KH, KW], { padding: "CIRCULAR", strides: stride }), x);
    const p = params.Conv_0;
    const [lh, lw] = [Math.floor((KH - 1) / 2), Math.floor((KW - 1) / 2)];
    const OH = Math.floor((H + KH - 1 - KH) / stride) + 1, OW = Math.floor((W + KW - 1 - KW) / stride) + 1;
    assert.deepEqual(y.shape, [N, OH, OW, F]);
    const at = (n: number, h: number, w: number, c: number) => xs[((n * H + mod(h - lh, H)) * W + mod(w - lw, W)) * C + c]!;
    assertClose(y, loopConv2d(at, [N, OH, OW], values(p.kernel), [KH, KW, C, F], values(p.bias), stride), { rtol: 1e-5, atol: 1e-5, msg: `${KH}x${KW} stride ${stride}` });
  }
});

test("Conv CAUSAL padding (1-D): output t sees inputs up to t, with kernel dilation; other ranks are refused", () => {
  const [N, T, C, F, K, D] = [2, 9, 2, 3, 3, 2];
  const x = random.normal(random.PRNGKey(2), [N, T, C]), xs = values(x);
  const [y, params] = run(() => nn.Conv(F, [K], { padding: "CAUSAL", kernelDilation: D }), x);
  const ks = values(params.Conv_0.kernel), bs = values(params.Conv_0.bias);
  assert.deepEqual(y.shape, [N, T, F]);
  const expected: number[] = [];
  for (let n = 0; n < N; n++) for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) {
    let s = bs[f]!;
    for (let k = 0; k < K; k++) {
      const src = t - (K - 1 - k) * D;
      if (src >= 0) for (let c = 0; c < C; c++) s += xs[(n * T + src) * C + c]! * ks[(k * C + c) * F + f]!;
    }
    expected.push(s);
  }
  assertClose(y, expected, { rtol: 1e-5, atol: 1e-5 });
  assert.throws(() => run(() => nn.Conv(F, [3, 3], { padding: "CAUSAL" }), np.ones([1, 4, 4, 1])), /CAUSAL padding is for 1-D/);
});

test("a module prints as its type and the attributes it was given (unset ones left out)", () => {
  assert.equal(String(nn.Dense(4)), 'Dense(features=4, useBias=true, paramDtype="float32")');
  assert.match(String(nn.Conv(8, [3, 3], { padding: "CIRCULAR" })), /^Conv\(features=8, kernelSize=\[3,3\], strides=\[1,1\], padding="CIRCULAR",/);
});
