// np.fft against numpy (scripts/gen_fft_fixtures.py): real and complex inputs, odd and even
// lengths, n (truncation and padding), every norm, multi-axis transforms, frequencies and shifts;
// gradients against finite differences (float64), vmap against a loop, jit against eager.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, grad, jit, vmap, config, ComplexArray, DeviceArray } from "../src/index.js";
import { checkGrads } from "./helpers/check-grads.js";
import { loadFixture } from "./helpers/fixtures.js";

config.update("enableX64", true);
interface Enc { shape: number[]; data: number[] }
type EncC = Enc | { re: Enc; im: Enc };
const F = loadFixture<any>("fft.json");
const decReal = (e: Enc) => np.reshape(np.array(e.data, "float64"), e.shape);
const dec = (e: EncC): DeviceArray | ComplexArray => ("re" in e ? new ComplexArray(decReal(e.re), decReal(e.im)) : decReal(e));
const list = (x: DeviceArray) => Array.from(x.dataSync(), Number);
function closeArr(a: DeviceArray, e: DeviceArray, tol: number, what: string) {
  assert.deepEqual([...a.shape], [...e.shape], `${what}: shape`);
  const x = list(a), y = list(e);
  x.forEach((v, i) => assert.ok(Math.abs(v - y[i]!) <= tol * (1 + Math.abs(y[i]!)), `${what}: element ${i}: ${v} vs ${y[i]}`));
}
function close(a: DeviceArray | ComplexArray, e: DeviceArray | ComplexArray, tol: number, what: string) {
  if (e instanceof ComplexArray) {
    assert.ok(a instanceof ComplexArray, `${what}: expected a ComplexArray`);
    closeArr(a.real, e.real, tol, `${what} (real)`); closeArr(a.imag, e.imag, tol, `${what} (imag)`);
  } else {
    assert.ok(a instanceof DeviceArray, `${what}: expected a real array`);
    closeArr(a, e, tol, what);
  }
}
const fns = np.fft as unknown as Record<string, (...a: any[]) => any>;
const call = (c: any, x: DeviceArray | ComplexArray) => fns[c.fn]!(x, c.kw);

test("fft, ifft, rfft, irfft, hfft, ihfft, fft2, fftn, rfftn, irfftn against numpy (norms, n, axes)", () => {
  for (const c of F.cases) close(call(c, dec(F.inputs[c.x])), dec(c.out), 1e-10, `${c.fn}(${c.x}, ${JSON.stringify(c.kw)})`);
});

test("fftfreq, rfftfreq, fftshift, ifftshift against numpy", () => {
  for (const [n, d, e] of F.freqs.fftfreq) closeArr(np.fft.fftfreq(n, d), decReal(e), 1e-14, `fftfreq(${n}, ${d})`);
  for (const [n, d, e] of F.freqs.rfftfreq) closeArr(np.fft.rfftfreq(n, d), decReal(e), 1e-14, `rfftfreq(${n}, ${d})`);
  const mat = decReal(F.inputs.mat), r5 = decReal(F.inputs.real5);
  const args: [DeviceArray, number | null][] = [[mat, null], [mat, 1], [r5, null]];
  args.forEach(([x, ax], i) => {
    closeArr(np.fft.fftshift(x, ax) as DeviceArray, decReal(F.shifts.fftshift[i]), 0, `fftshift ${i}`);
    closeArr(np.fft.ifftshift(x, ax) as DeviceArray, decReal(F.shifts.ifftshift[i]), 0, `ifftshift ${i}`);
  });
  const z = np.fft.fft(r5);
  close(np.fft.ifftshift(np.fft.fftshift(z)) as ComplexArray, z, 0, "shift round trip on a ComplexArray");
});

test("round trips: ifft(fft(x)) = x, irfft(rfft(x), n) = x for odd and even n", () => {
  for (const n of [1, 2, 5, 8]) {
    const x = np.sin(np.arange(n));
    close(np.fft.ifft(np.fft.fft(x)), new ComplexArray(x, np.zeros([n])), 1e-12, `ifft(fft) n=${n}`);
    close(np.fft.irfft(np.fft.rfft(x), n), x, 1e-12, `irfft(rfft) n=${n}`);
  }
});

test("fft is differentiable: gradients against finite differences (float64), through pytrees of ComplexArray", () => {
  const x = decReal(F.inputs.real5), y = decReal(F.inputs.real8);
  const c = dec(F.inputs.cplx7) as ComplexArray;
  checkGrads((v) => { const z = np.fft.fft(v); return [z.real, z.imag]; }, [x]);
  checkGrads((re, im) => { const z = np.fft.ifft(new ComplexArray(re, im), 5, -1, "ortho"); return [z.real, z.imag]; }, [c.real, c.imag]);
  checkGrads((v) => { const z = np.fft.rfft(v); return [z.real, z.imag]; }, [y]);
  checkGrads((re, im) => np.fft.irfft(new ComplexArray(re, im), 7), [decReal(F.inputs.half6.re), decReal(F.inputs.half6.im)]);
  checkGrads((v) => np.fft.fftn(v).abs(), [decReal(F.inputs.cube)]);
  // Power spectrum: d/dx sum |fft(x)|^2 = 2 n x (Parseval).
  const g = grad((v: DeviceArray) => np.sum(np.square(np.fft.fft(v).abs())))(x);
  closeArr(g, np.multiply(x, 10), 1e-12, "Parseval gradient");
});

test("fft under vmap (against a loop) and jit (against eager); ComplexArray is a pytree", () => {
  const mat = decReal(F.inputs.mat);
  const f = (v: DeviceArray) => np.fft.rfft(v);
  const batched = vmap(f)(mat) as ComplexArray;
  const loop = [0, 1, 2].map((i) => f(np.take(mat, i, 0)));
  closeArr(batched.real, np.stack(loop.map((z) => z.real)), 1e-12, "vmap real");
  closeArr(batched.imag, np.stack(loop.map((z) => z.imag)), 1e-12, "vmap imag");
  close(jit((v: DeviceArray) => np.fft.fft2(v))(mat), np.fft.fft2(mat), 1e-12, "jit fft2");
  closeArr(jit((z: ComplexArray) => np.fft.irfft(z, 4))(np.fft.rfft(np.arange(4))), np.arange(4), 1e-12, "jit with a ComplexArray argument");
  assert.throws(() => np.fft.fft(np.ones([3]), 0), /invalid number of data points/);
  assert.throws(() => np.fft.fft(np.ones([3]), null, -1, "bogus" as never), /norm|TypeError|must be/);
});
