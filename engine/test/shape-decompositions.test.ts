// The shared shape rules of the decompositions, np.fft, topK and reduceWindow (shape/decompositions.ts,
// which the language server can call) agree with the shapes the engine computes, accept symbolic
// dims, and name the problem on bad input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, DeviceArray, ComplexArray, ShapeError } from "../src/index.js";
import { eighShape, fftShape, lstsqShape, pinvShape, qrShape, reduceWindowShape, svdShape, topKShape } from "../src/shape/decompositions.js";

const shapes = (xs: (DeviceArray | ComplexArray)[]) => xs.map((x) => [...x.shape]);

test("shape rules match the computed shapes", () => {
  for (const s of [[5, 3], [3, 5], [2, 4, 4]]) {
    const a = np.ones(s);
    for (const mode of ["reduced", "complete"] as const) assert.deepEqual(qrShape(s, mode), shapes(np.linalg.qr(a, mode) as DeviceArray[]), `qr ${s} ${mode}`);
    assert.deepEqual(qrShape(s, "r"), shapes([np.linalg.qr(a, "r") as DeviceArray]));
    for (const full of [true, false]) assert.deepEqual(svdShape(s, full), shapes(np.linalg.svd(a, full) as DeviceArray[]), `svd ${s} ${full}`);
    assert.deepEqual(svdShape(s, true, false), shapes([np.linalg.svd(a, true, false) as DeviceArray]));
    assert.deepEqual(pinvShape(s), [...np.linalg.pinv(a).shape]);
  }
  assert.deepEqual(eighShape([2, 3, 3]), shapes(np.linalg.eigh(np.ones([2, 3, 3]))));
  assert.deepEqual(lstsqShape([5, 3], [5, 2]), shapes(np.linalg.lstsq(np.ones([5, 3]), np.ones([5, 2]))));
  assert.deepEqual(lstsqShape([5, 3], [5]), shapes(np.linalg.lstsq(np.ones([5, 3]), np.ones([5]))));
  for (const [kind, n] of [["fft", null], ["rfft", null], ["rfft", 7], ["irfft", null], ["irfft", 5], ["ihfft", null], ["hfft", 4]] as const) {
    const fn = (np.fft as any)[kind];
    assert.deepEqual(fftShape(kind, [3, 6], n, 1), [...fn(np.ones([3, 6]), n, 1).shape], `${kind} n=${n}`);
  }
  assert.deepEqual(topKShape([2, 5], 3), shapes(lax.topK(np.ones([2, 5]), 3)));
  const rw = reduceWindowShape([5, 6], [3, 2], [2, 2], "SAME", [1, 1], [1, 2]).shape;
  assert.deepEqual(rw, [...lax.reduceWindow(np.ones([5, 6]), 0, "add", [3, 2], [2, 2], "SAME", null, [1, 2]).shape]);
});

test("symbolic dims and errors", () => {
  assert.deepEqual(qrShape(["B", "M", "N"]), [["B", "M", "min(M, N)"], ["B", "min(M, N)", "N"]]);
  assert.deepEqual(svdShape(["N", "N"], false), [["N", "N"], ["N"], ["N", "N"]]);
  assert.deepEqual(fftShape("rfft", ["B", "T"]), ["B", "T//2+1"]);
  assert.throws(() => eighShape([3, 4]), ShapeError);
  assert.throws(() => qrShape([3]), /expected a matrix/);
  assert.throws(() => topKShape([4], 5), /k must be an integer in \[0, 4\]/);
  assert.throws(() => fftShape("fft", [3], 0), /invalid number of data points/);
  assert.throws(() => lstsqShape([5, 3], [4]), /b must have 5 rows/);
});
