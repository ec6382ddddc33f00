// Pooling against window-by-window loops in plain JavaScript: the tiled form (strides equal to
// the window, a reshape and one reduction) and the strided-slice form must both agree with them,
// forward and backward.
import { test } from "node:test";
import assert from "node:assert/strict";
import { grad, jit, nn, np, random, type DeviceArray } from "../src/index.js";
import { assertClose, values } from "./nn-helpers.js";

/** Pools [N, H, W, C] with a VALID window in loops; also returns, per output, the flat input index of the first maximum. */
type N2 = readonly [number, number];
function loopPool(x: number[], [n, h, w, c]: readonly [number, number, number, number], [kh, kw]: N2, [sh, sw]: N2, kind: "max" | "min" | "avg") {
  const oh = Math.floor((h - kh) / sh) + 1, ow = Math.floor((w - kw) / sw) + 1;
  const out: number[] = [], arg: number[] = [];
  for (let b = 0; b < n; b++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let f = 0; f < c; f++) {
    let acc = kind === "max" ? -Infinity : kind === "min" ? Infinity : 0, at = -1;
    for (let di = 0; di < kh; di++) for (let dj = 0; dj < kw; dj++) {
      const idx = ((b * h + i * sh + di) * w + j * sw + dj) * c + f, v = x[idx]!;
      if (kind === "avg") acc += v;
      else if (kind === "max" ? v > acc : v < acc) { acc = v; at = idx; }
    }
    out.push(kind === "avg" ? acc / (kh * kw) : acc);
    arg.push(at);
  }
  return { out, arg, shape: [n, oh, ow, c] };
}

for (const [window, strides, label] of [[[2, 2], [2, 2], "tiled 2x2"], [[3, 2], [3, 2], "tiled 3x2"], [[4, 4], [4, 4], "tiled 4x4 with a remainder"], [[2, 2], [1, 1], "overlapping 2x2 stride 1"], [[3, 3], [2, 2], "3x3 stride 2"]] as const) {
  test(`pooling (${label}): maxPool, minPool, avgPool equal window loops; maxPool's gradient goes to each window's maximum`, () => {
    const shape = [2, 6, 6, 3] as const;
    const x = random.normal(random.PRNGKey(7), shape);
    const xs = values(x);
    for (const kind of ["max", "min", "avg"] as const) {
      const f = kind === "max" ? nn.maxPool : kind === "min" ? nn.minPool : nn.avgPool;
      const ref = loopPool(xs, shape, window, strides, kind);
      const y = f(x, window, { strides });
      assert.deepEqual(y.shape, ref.shape);
      assertClose(y, ref.out, { rtol: 1e-6, atol: 1e-6, msg: kind });
      assertClose(jit((z: DeviceArray) => f(z, window, { strides }))(x), ref.out, { rtol: 1e-6, atol: 1e-6, msg: `jit ${kind}` });
    }
    // Normal draws have no ties: the cotangent of each window lands on its maximum alone.
    const ref = loopPool(xs, shape, window, strides, "max");
    const expected = new Array(xs.length).fill(0);
    for (const at of ref.arg) expected[at] += 1;
    assertClose(grad((z: DeviceArray) => np.sum(nn.maxPool(z, window, { strides })))(x), expected);
  });
}

test("pooling: a tiled window of tied maxima shares the cotangent equally (as reduce_max does), and the total is kept", () => {
  const g = grad((z: DeviceArray) => np.sum(nn.maxPool(z, [2, 2], { strides: [2, 2] })))(np.zeros([1, 2, 4, 1]));
  assertClose(g, Array(8).fill(0.25));
});

test("pooling: extra batch axes, and a 1-D window", () => {
  const x = random.uniform(random.PRNGKey(1), [2, 3, 4, 4, 5]);
  const flat = nn.maxPool(x.reshape([6, 4, 4, 5]), [2, 2], { strides: [2, 2] });
  assertClose(nn.maxPool(x, [2, 2], { strides: [2, 2] }), flat.reshape([2, 3, 2, 2, 5]));
  assertClose(nn.avgPool(x.reshape([6, 4, 4, 5]).reshape([24, 4, 5]), [2], { strides: [2] }), loopPool(values(x), [24, 4, 1, 5], [2, 1], [2, 1], "avg").out);
});
