import { test } from "node:test";
import assert from "node:assert/strict";
import { config, grad, jit, lax, np, vjp, type DeviceArray } from "../src/index.js";
import { assertClose, fixture, fromFx, values, type Fx } from "./nn-helpers.js";

config.update("enableX64", true);

interface ConvCase { lhs: number[]; rhs: number[]; strides: number[]; padding: [number, number][]; dil: number[]; groups: number; x: Fx; w: Fx; y: Fx; ct: Fx; dx: Fx; dw: Fx }
const cases = fixture<ConvCase[]>("conv.json");

cases.forEach((c, i) => {
  test(`conv VJP matches PyTorch: case ${i} lhs ${c.lhs} rhs ${c.rhs} strides ${c.strides} padding ${JSON.stringify(c.padding)} dilation ${c.dil} groups ${c.groups}`, () => {
    const x = fromFx(c.x, "float64"), w = fromFx(c.w, "float64"), ct = fromFx(c.ct, "float64");
    const f = (a: DeviceArray, b: DeviceArray) => lax.conv(a, b, { strides: c.strides, padding: c.padding, rhsDilation: c.dil, featureGroupCount: c.groups });
    const [y, back] = vjp(f, x, w);
    assertClose(y, c.y, { rtol: 1e-9, atol: 1e-9, msg: "forward" });
    const [dx, dw] = back(ct) as DeviceArray[];
    assertClose(dx!, c.dx, { rtol: 1e-9, atol: 1e-9, msg: "d lhs" });
    assertClose(dw!, c.dw, { rtol: 1e-9, atol: 1e-9, msg: "d rhs" });
  });
});

/** Central finite differences of sum(f(x, w) * ct) along random directions, against the VJP. */
function checkConvFd(opts: { lhs: number[]; rhs: number[]; strides?: number[]; padding?: "SAME" | "VALID" | [number, number][]; lhsDilation?: number[]; rhsDilation?: number[]; featureGroupCount?: number }) {
  let seed = 1;
  const rnd = (shape: number[]) => np.array(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647 - 0.5; }), "float64").reshape(shape);
  const { lhs, rhs, ...p } = opts;
  const x = rnd(lhs), w = rnd(rhs);
  const f = (a: DeviceArray, b: DeviceArray) => lax.conv(a, b, p as any);
  const ct = rnd(f(x, w).shape);
  const loss = (a: DeviceArray, b: DeviceArray) => np.sum(np.multiply(f(a, b), ct));
  const [gx, gw] = grad(loss, { argnums: [0, 1] } as any)(x, w) as unknown as DeviceArray[];
  const dx = rnd(lhs), dw = rnd(rhs), eps = 1e-6;
  const at = (s: number) => values(loss(np.add(x, np.multiply(dx, s)), np.add(w, np.multiply(dw, s))))[0]!;
  const fd = (at(eps) - at(-eps)) / (2 * eps);
  const an = values(np.sum(np.multiply(gx!, dx)))[0]! + values(np.sum(np.multiply(gw!, dw)))[0]!;
  assert.ok(Math.abs(fd - an) <= 1e-6 * (1 + Math.abs(fd)), `finite differences ${fd} vs VJP ${an} for ${JSON.stringify(opts)}`);
}

test("conv VJP matches finite differences: SAME/VALID, strides, lhs and rhs dilation, groups, 1-D and 2-D", () => {
  checkConvFd({ lhs: [2, 3, 6, 5], rhs: [4, 3, 3, 2], padding: "SAME" });
  checkConvFd({ lhs: [2, 4, 7, 7], rhs: [6, 2, 3, 3], strides: [2, 2], padding: "SAME", featureGroupCount: 2 });
  checkConvFd({ lhs: [1, 2, 5, 4], rhs: [3, 2, 3, 3], lhsDilation: [2, 1], padding: [[2, 1], [1, 1]] });
  checkConvFd({ lhs: [2, 3, 9], rhs: [3, 1, 3], strides: [2], rhsDilation: [2], featureGroupCount: 3, padding: "VALID" });
  checkConvFd({ lhs: [1, 2, 6, 6], rhs: [2, 2, 2, 2], strides: [3, 2], lhsDilation: [2, 2], rhsDilation: [1, 2], padding: [[1, 0], [0, 2]] });
});

test("conv gradients work under jit and grad-of-grad", () => {
  const x = np.ones([1, 1, 4, 4], "float64"), w = np.ones([1, 1, 2, 2], "float64");
  const g = jit(grad((k: DeviceArray) => np.sum(np.square(lax.conv(x, k, { padding: "VALID" })))))(w);
  // every output is sum of 4 ones = 4; d/dk sum(y^2) = sum over 9 outputs of 2*y*1 = 72
  assertClose(g, [72, 72, 72, 72], { msg: "jit(grad(conv))" });
  const hess = grad((k: DeviceArray) => np.sum(grad((kk: DeviceArray) => np.sum(np.square(lax.conv(x, kk))))(k)))(w);
  // d/dk_j sum_i (2 sum_o y_o) ... each y_o depends on every k with weight 1: 2 * 9 * 4 = 72 per entry
  assertClose(hess, [72, 72, 72, 72], { msg: "grad(grad(conv))" });
});
