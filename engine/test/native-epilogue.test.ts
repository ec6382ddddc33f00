// Matmul/conv epilogues on the native backend (fusesEpilogues): MLP and CNN layers (bias +
// relu, bias + gelu, residual add, an epilogue that changes dtype, and gradients through them)
// jitted on the native backend against the same functions on the reference backend, and the
// lowered programs show the epilogue folded into the op step.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { np, nn, lax, jit, grad, setDefaultBackend, defaultBackendName, DeviceArray } from "../src/index.js";
import { assertClose, rng, skip } from "./native-helpers.js";

const rand = (shape: number[], seed: number, scale = 1) => {
  const r = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return Array.from({ length: n }, () => (r() * 2 - 1) * scale);
};

type Fn = (...xs: DeviceArray[]) => DeviceArray;
/** Runs f (jitted) on the reference backend and on the native one; returns the native lowering. */
function compare(f: Fn, inputs: { shape: number[]; data: number[] }[], what: string, rtol = 2e-5, atol = 2e-5): string {
  const prev = defaultBackendName();
  try {
    setDefaultBackend("reference");
    const want = jit(f)(...inputs.map((x) => np.array(x.data).reshape(x.shape))).dataSync();
    setDefaultBackend("native");
    const xs = inputs.map((x) => np.array(x.data).reshape(x.shape));
    const jf = jit(f);
    const got = jf(...xs).dataSync();
    assertClose(got, want, rtol, atol, what);
    return String(jf.lower(...xs).program);
  } finally {
    setDefaultBackend(prev as "reference");
  }
}

describe("native matmul/conv epilogues", { skip }, () => {
  test("dense layers: bias + relu, bias + gelu, residual add fold into the matmul", () => {
    const B = 33, D = 70, H = 70;
    const x = { shape: [B, D], data: rand([B, D], 1) }, w = { shape: [D, H], data: rand([D, H], 2, 0.2) }, b = { shape: [H], data: rand([H], 3) };
    const relu = compare((x, w, b) => nn.relu(np.matmul(x, w).add(b)), [x, w, b], "bias+relu");
    assert.match(relu, /dot_general \(.*\) then fused\[epilogue\]/, relu);
    const gelu = compare((x, w, b) => nn.gelu(np.matmul(x, w).add(b)), [x, w, b], "bias+gelu", 1e-4, 1e-5);
    assert.match(gelu, /then fused\[epilogue\]/, gelu);
    const res = compare((x, w, b) => np.matmul(x, w).add(b).add(x).mul(0.5), [x, w, b], "residual");
    assert.match(res, /then fused\[epilogue\]/, res);
    // An epilogue whose output has another dtype (written through a temporary, not in place).
    compare((x, w) => np.matmul(x, w).gt(0).astype("int32").add(1), [x, w], "dtype change", 0, 0);
    // Large enough for several GEMM tiles and threads.
    const Bl = 256, Dl = 300, Hl = 520;
    compare((x, w, b) => nn.relu(np.matmul(x, w).add(b)), [{ shape: [Bl, Dl], data: rand([Bl, Dl], 4) }, { shape: [Dl, Hl], data: rand([Dl, Hl], 5, 0.1) }, { shape: [Hl], data: rand([Hl], 6) }], "large bias+relu", 1e-4, 1e-4);
  });
  test("an MLP's training step with epilogues matches the reference", () => {
    const B = 16, D = 20, H = 24, O = 5;
    const loss = (w1: DeviceArray, b1: DeviceArray, w2: DeviceArray, b2: DeviceArray, x: DeviceArray) =>
      np.mean(np.square(np.matmul(nn.relu(np.matmul(x, w1).add(b1)), w2).add(b2)));
    const step: Fn = (w1, b1, w2, b2, x) => {
      const g = grad(loss, { argnums: [0, 1, 2, 3] })(w1!, b1!, w2!, b2!, x!) as DeviceArray[];
      return np.concatenate([g[0]!.reshape([-1]), g[1]!, g[2]!.reshape([-1]), g[3]!]);
    };
    compare(step, [
      { shape: [D, H], data: rand([D, H], 7, 0.3) }, { shape: [H], data: rand([H], 8) }, { shape: [H, O], data: rand([H, O], 9, 0.3) },
      { shape: [O], data: rand([O], 10) }, { shape: [B, D], data: rand([B, D], 11) },
    ], "mlp grads", 1e-4, 1e-5);
  });
  test("conv layers: bias + relu after conv_general_dilated", () => {
    const N = 4, C = 3, H = 9, W = 9, O = 8;
    const f: Fn = (x, k, b) => nn.relu(lax.convGeneralDilated(x!, k!, { padding: "SAME" }).add(b!.reshape([1, O, 1, 1])));
    const p = compare(f, [{ shape: [N, C, H, W], data: rand([N, C, H, W], 12) }, { shape: [O, C, 3, 3], data: rand([O, C, 3, 3], 13, 0.3) }, { shape: [O], data: rand([O], 14) }], "conv+bias+relu", 1e-4, 1e-5);
    assert.match(p, /conv_general_dilated \(.*\) then fused\[epilogue\]/, p);
  });
});
