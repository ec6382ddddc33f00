// scipy.special, scipy.linalg, scipy.stats.norm against scipy (scripts/gen_scipy_fixtures.py), and
// random.gamma / beta / dirichlet / poisson against scipy's quantiles (empirical fractions within
// a few standard errors, fixed seeds so the test is deterministic), under jit and vmap.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, scipy, random, grad, jit, vmap, config, DeviceArray } from "../src/index.js";
import { checkGrads } from "./helpers/check-grads.js";
import { loadFixture } from "./helpers/fixtures.js";

config.update("enableX64", true);
interface Enc { shape: number[]; data: (number | string)[] }
const F = loadFixture<any>("scipy.json");
const num = (v: number | string) => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : Number(v));
const dec = (e: Enc) => np.reshape(np.array(e.data.map(num), "float64"), e.shape);
const list = (x: DeviceArray) => Array.from(x.dataSync(), Number);
function close(a: DeviceArray, e: DeviceArray, tol: number, what: string) {
  assert.deepEqual([...a.shape], [...e.shape], `${what}: shape`);
  const x = list(a), y = list(e);
  x.forEach((v, i) => assert.ok(Object.is(v, y[i]) || Math.abs(v - y[i]!) <= tol * (1 + Math.abs(y[i]!)), `${what}: element ${i}: ${v} vs ${y[i]}`));
}

test("scipy.special against scipy; xlogy / xlog1py have finite derivatives at x = 0", () => {
  const S = F.special;
  const x = dec(S.x), xs = dec(S.xs), p = dec(S.p);
  close(scipy.special.gammaln(x), dec(S.gammaln), 1e-12, "gammaln");
  close(scipy.special.digamma(x), dec(S.digamma), 1e-10, "digamma");
  close(scipy.special.erf(xs), dec(S.erf), 1e-14, "erf");
  close(scipy.special.erfc(xs), dec(S.erfc), 1e-12, "erfc");
  close(scipy.special.ndtr(xs), dec(S.ndtr), 1e-12, "ndtr");
  close(scipy.special.logNdtr(xs), dec(S.log_ndtr), 1e-10, "logNdtr (left tail)");
  close(scipy.special.ndtri(p), dec(S.ndtri), 1e-9, "ndtri");
  close(scipy.special.erfinv(np.subtract(np.multiply(p, 2), 1)), dec(S.erfinv), 1e-9, "erfinv");
  close(scipy.special.expit(xs), dec(S.expit), 1e-14, "expit");
  close(scipy.special.logit(p), dec(S.logit), 1e-12, "logit");
  close(scipy.special.xlogy(dec(S.xy_x), dec(S.xy_y)), dec(S.xlogy), 1e-14, "xlogy");
  close(scipy.special.xlog1py(dec(S.xy_x), dec(S.xy_y)), dec(S.xlog1py), 1e-14, "xlog1py");
  // d/dx xlogy(x, y) at x = 0, y = 0 is finite (JAX's rule), where x * log(y) would give nan.
  const g = grad((v: DeviceArray) => np.sum(scipy.special.xlogy(v, np.array([0.0, 2.0]))))(np.array([0.0, 0.0]));
  list(g).forEach((v) => assert.ok(!Number.isNaN(v), `xlogy gradient ${list(g)}`));
  checkGrads((a, b) => scipy.special.xlogy(a, b), [np.array([0.5, 1.5]), np.array([2.0, 0.7])], { order: 2 });
  checkGrads((a, b) => scipy.special.xlog1py(a, b), [np.array([0.5, 1.5]), np.array([2.0, 0.7])]);
  checkGrads((v) => scipy.special.logNdtr(v), [np.array([-3.0, 0.2, 2.0])]);
});

test("scipy.stats.norm against scipy (loc, scale, tails)", () => {
  const N = F.norm;
  const x = dec(N.x), p = dec(N.p);
  for (const k of ["pdf", "logpdf", "cdf", "logcdf", "sf", "logsf"] as const) close(scipy.stats.norm[k](x, N.loc, N.scale), dec(N[k]), 1e-9, `norm.${k}`);
  close(scipy.stats.norm.ppf(p, N.loc, N.scale), dec(N.ppf), 1e-9, "norm.ppf");
  checkGrads((v) => scipy.stats.norm.logcdf(v, 0.5, 2), [np.array([-2.0, 0.1, 3.0])]);
});

test("scipy.linalg.solveTriangular (lower/upper, trans, unit diagonal, vectors) and choSolve", () => {
  const L = F.linalg;
  const a = dec(L.a), b = dec(L.b), bv = dec(L.bv);
  for (const c of L.cases) {
    const m = c.lower ? a : np.transpose(a);
    close(scipy.linalg.solveTriangular(m, b, c.trans, c.lower, c.unit), dec(c.x), 1e-10, `solveTriangular ${JSON.stringify([c.lower, c.trans, c.unit])}`);
    close(scipy.linalg.solveTriangular(m, bv, c.trans, c.lower, c.unit), dec(c.xv), 1e-10, `vector b ${JSON.stringify([c.lower, c.trans, c.unit])}`);
  }
  const spd = dec(L.spd);
  close(scipy.linalg.choSolve(scipy.linalg.choFactor(spd, true), b), dec(L.cho.lower), 1e-10, "choSolve lower");
  close(scipy.linalg.choSolve(scipy.linalg.choFactor(spd), b), dec(L.cho.upper), 1e-10, "choSolve upper");
  checkGrads((m, rhs) => scipy.linalg.solveTriangular(m, rhs, 0, true), [a, b]);
  close(vmap((rhs: DeviceArray) => scipy.linalg.solveTriangular(a, rhs, 0, true), { inAxes: 1, outAxes: 1 })(b), scipy.linalg.solveTriangular(a, b, 0, true), 1e-12, "vmap");
  close(jit((m: DeviceArray) => scipy.linalg.solveTriangular(m, b, "T", true))(a), scipy.linalg.solveTriangular(a, b, "T", true), 1e-12, "jit");
});

/** Empirical fraction of samples <= q against the probability, within 4.5 standard errors. */
function checkQuantiles(samples: DeviceArray, qs: number[], probs: number[], what: string) {
  const v = list(samples);
  qs.forEach((q, i) => {
    const frac = v.filter((s) => s <= q + 1e-12).length / v.length;
    const se = Math.sqrt((probs[i]! * (1 - probs[i]!)) / v.length);
    assert.ok(Math.abs(frac - probs[i]!) <= 4.5 * se + 1e-3, `${what}: P(X <= ${q}) = ${frac}, expected ${probs[i]}`);
  });
}

test("random.gamma, beta, dirichlet, poisson match scipy's distributions; jit, vmap and shapes", () => {
  const S = F.samplers;
  const n = 4000;
  S.gamma.forEach((c: any, i: number) => {
    const s = random.gamma(random.key(100 + i), c.a, [n]);
    assert.equal(s.dtype, "float64");
    checkQuantiles(s, c.q, S.probs, `gamma(${c.a})`);
  });
  S.beta.forEach((c: any, i: number) => checkQuantiles(random.beta(random.key(200 + i), c.a, c.b, [n]), c.q, S.probs, `beta(${c.a}, ${c.b})`));
  S.poisson.forEach((c: any, i: number) => {
    const s = random.poisson(random.key(300 + i), c.lam, [n]);
    assert.equal(s.dtype, "int32");
    checkQuantiles(s, c.k, c.cdf, `poisson(${c.lam})`);
  });
  const d = random.dirichlet(random.key(4), np.array([1.0, 2.0, 3.0]), [n]);
  assert.deepEqual([...d.shape], [n, 3]);
  close(np.sum(d, 1), np.ones([n]), 1e-12, "dirichlet rows sum to 1");
  close(np.mean(d, 0), np.array([1 / 6, 2 / 6, 3 / 6]), 0.03, "dirichlet mean");
  // Parameter broadcasting, jit against eager, vmap over keys.
  const g = random.gamma(random.key(5), np.array([0.5, 4.0]), [3, 2]);
  assert.deepEqual([...g.shape], [3, 2]);
  close(jit((k: DeviceArray) => random.gamma(k, 2.0, [5]))(random.key(6)), random.gamma(random.key(6), 2.0, [5]), 1e-12, "jit gamma");
  close(jit((k: DeviceArray) => random.poisson(k, 12.0, [5]))(random.key(7)), random.poisson(random.key(7), 12.0, [5]), 0, "jit poisson");
  const keys = random.split(random.key(8), 3);
  const vm = vmap((k: DeviceArray) => random.gamma(k, 3.0, [4]))(keys);
  close(vm, np.stack([0, 1, 2].map((i) => random.gamma(np.take(keys, i, 0), 3.0, [4]))), 1e-12, "vmap over keys");
  assert.throws(() => random.gamma(random.key(0), np.array([1.0, 2.0]), [3]), /broadcast/);
});
