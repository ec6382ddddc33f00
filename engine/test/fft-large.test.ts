// np.fft at lengths where the O(n log n) paths run (numpy/fft-core.ts): radix-2 at 4096,
// Bluestein's chirp-z at 1000 and the prime 1009, against numpy (scripts/gen_fft_fixtures.py),
// in float64 and float32, on every backend that starts here (webgpu too, float32, when an adapter
// is found); gradients against Parseval's identity, vmap against the per-row transform.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { np, grad, jit, vmap, config, setDefaultBackend, defaultBackendName, getBackend, ComplexArray, DeviceArray, type DType } from "../src/index.js";
import type { WebGPUBackend } from "../src/backend/webgpu/backend.js";
import { backends } from "./helpers/backends.js";
import { loadFixture } from "./helpers/fixtures.js";

config.update("enableX64", true);
interface Enc { shape: number[]; data: number[] }
const F = loadFixture<{ cases: { n: number; fft_x: { re: Enc; im: Enc }; fft_z: { re: Enc; im: Enc }; rfft_x: { re: Enc; im: Enc }; irfft_h: Enc }[] }>("fft-large.json");

/** The generator's inputs: x_j = cos(1.3 j) + sin(0.021 j (j mod 17)), y_j = sin(0.77 j + 0.5) cos(0.013 j). */
const xs = (n: number) => Array.from({ length: n }, (_, j) => Math.cos(1.3 * j) + Math.sin(0.021 * j * (j % 17)));
const ys = (n: number) => Array.from({ length: n }, (_, j) => Math.sin(0.77 * j + 0.5) * Math.cos(0.013 * j));

const read = async (x: DeviceArray) => Array.from(await x.data(), Number);
/** Every element within tol of numpy's, relative to the largest magnitude (an FFT's error scale). */
async function close(got: DeviceArray, want: number[], tol: number, what: string) {
  assert.equal(got.size, want.length, `${what}: size`);
  const g = await read(got);
  const scale = Math.max(...want.map(Math.abs));
  let worst = 0;
  g.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - want[i]!) / scale); });
  assert.ok(worst <= tol, `${what}: max error ${worst.toExponential(2)} of the largest magnitude, over ${tol}`);
}
async function closeC(got: ComplexArray, want: { re: Enc; im: Enc }, tol: number, what: string) {
  await close(got.real, want.re.data, tol, `${what} (real)`);
  await close(got.imag, want.im.data, tol, `${what} (imag)`);
}

/** The numpy comparisons at one dtype on the current default backend. */
async function againstNumpy(dtype: DType, tol: number, tag: string) {
  for (const c of F.cases) {
    const x = np.array(xs(c.n), dtype), z = new ComplexArray(x, np.array(ys(c.n), dtype));
    await closeC(np.fft.fft(x), c.fft_x, tol, `fft(x) n=${c.n} ${tag}`);
    await closeC(np.fft.fft(z), c.fft_z, tol, `fft(z) n=${c.n} ${tag}`);
    await closeC(np.fft.rfft(x), c.rfft_x, tol, `rfft(x) n=${c.n} ${tag}`);
    const m = Math.floor(c.n / 2) + 1;
    const half = new ComplexArray(np.array(xs(c.n).slice(0, m), dtype), np.array(ys(c.n).slice(0, m), dtype));
    await close(np.fft.irfft(half, c.n), c.irfft_h.data, tol, `irfft n=${c.n} ${tag}`);
    // ifft inverts fft (numpy's ifft is this same identity).
    const back = np.fft.ifft(np.fft.fft(z));
    await close(back.real, xs(c.n), tol, `ifft(fft(z)) n=${c.n} ${tag} (real)`);
    await close(back.imag, ys(c.n), tol, `ifft(fft(z)) n=${c.n} ${tag} (imag)`);
  }
}

describe("fft at large lengths against numpy", () => {
  for (const b of backends()) {
    it(`float64 and float32 (${b})`, async () => {
      const was = defaultBackendName();
      setDefaultBackend(b);
      try {
        await againstNumpy("float64", 1e-9, "float64");
        // float32: rounding grows with log n (and Bluestein's two extra transforms), far below sqrt(n) eps.
        await againstNumpy("float32", 2e-6, "float32");
      } finally { setDefaultBackend(was); }
    });
  }

  it("jit matches eager", () => {
    const x = np.array(xs(1009));
    const f = (v: DeviceArray) => np.fft.fft(v).imag;
    const a = Array.from(f(x).dataSync()), j = Array.from(jit(f)(x).dataSync());
    a.forEach((v, i) => assert.ok(Math.abs(v - j[i]!) <= 1e-9 * (1 + Math.abs(v)), `element ${i}: ${v} vs ${j[i]}`));
  });

  it("gradients: sum |fft(x)|^2 = n sum x^2 (Parseval), so its gradient is 2 n x", () => {
    for (const n of [1000, 1009, 4096]) {
      const x = np.array(xs(n));
      const g = grad((v: DeviceArray) => np.sum(np.fft.fft(v).abs().square()))(x).dataSync();
      const r = grad((v: DeviceArray) => np.sum(np.fft.rfft(v).abs().square()))(x).dataSync();
      xs(n).forEach((v, i) => assert.ok(Math.abs(g[i]! - 2 * n * v) <= 1e-8 * n, `fft n=${n}: element ${i}: ${g[i]} vs ${2 * n * v}`));
      // rfft keeps k = 0..n/2: the gradient of sum |X_k|^2 over those is finite-differenced at a few points.
      const h = 1e-6, f = (v: number[]) => np.sum(np.fft.rfft(np.array(v)).abs().square()).item() as number;
      for (const i of [0, 1, n >> 1, n - 1]) {
        const up = xs(n), dn = xs(n);
        up[i]! += h; dn[i]! -= h;
        const fd = (f(up) - f(dn)) / (2 * h);
        assert.ok(Math.abs(r[i]! - fd) <= 1e-5 * (1 + Math.abs(fd)), `rfft n=${n}: element ${i}: ${r[i]} vs finite difference ${fd}`);
      }
    }
  });

  it("vmap matches the transform of each row", () => {
    const rows = [xs(1000), ys(1000)];
    const batched = vmap((v: DeviceArray) => np.fft.fft(v).real)(np.array(rows)).dataSync();
    rows.forEach((r, k) => {
      const one = np.fft.fft(np.array(r)).real.dataSync();
      one.forEach((v, i) => assert.ok(Math.abs(batched[k * 1000 + i]! - v) <= 1e-9 * (1 + Math.abs(v)), `row ${k} element ${i}`));
    });
  });
});

const ready = await (getBackend("webgpu") as WebGPUBackend).ready().then(() => true, (e: Error) => e.message);
if (ready !== true && process.env.TENSORLENS_REQUIRE_WEBGPU === "1") throw new Error(`TENSORLENS_REQUIRE_WEBGPU=1 but ${ready}`);
describe("fft at large lengths on webgpu (float32)", { skip: ready === true ? false : `no WebGPU adapter: ${ready}` }, () => {
  it("against numpy", async () => {
    const was = defaultBackendName();
    config.update("enableX64", false);
    setDefaultBackend("webgpu");
    try { await againstNumpy("float32", 2e-6, "float32 webgpu"); } finally { setDefaultBackend(was); config.update("enableX64", true); }
  });
});
