// np.linalg's decompositions (qr, eigh, svd) and what is built on them (eigvalsh, svdvals, pinv,
// lstsq, matrixRank, matrix norms) against numpy fixtures (scripts/gen_linalg_fixtures.py),
// sign-invariantly where numpy's answer is defined only up to signs or eigenspaces; gradients
// against finite differences in float64; vmap against a loop; jit against eager.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, grad, jit, vmap, config, DeviceArray } from "../src/index.js";
import { checkGrads } from "./helpers/check-grads.js";
import { loadFixture } from "./helpers/fixtures.js";

config.update("enableX64", true);

interface Enc { shape: number[]; data: (number | string)[] }
const F = loadFixture<any>("linalg.json");
const dec = (e: Enc) => np.reshape(np.array(e.data.map((v) => (v === "inf" ? Infinity : v === "-inf" ? -Infinity : Number(v))), "float64"), e.shape);
const M = (name: string): DeviceArray => dec(F.matrices[name]);
const list = (x: DeviceArray) => Array.from(x.dataSync(), Number);
function close(actual: DeviceArray | number[], expected: DeviceArray | number[], tol: number, what: string) {
  const a = Array.isArray(actual) ? actual : list(actual), e = Array.isArray(expected) ? expected : list(expected);
  assert.equal(a.length, e.length, `${what}: ${a.length} values vs ${e.length}`);
  a.forEach((v, i) => assert.ok(Math.abs(v - e[i]!) <= tol * (1 + Math.abs(e[i]!)), `${what}: element ${i}: ${v} vs ${e[i]}`));
}
const mT = (x: DeviceArray) => np.swapaxes(x, -1, -2);
const eyeLike = (n: number) => np.eye(n);
const sym = (a: DeviceArray) => np.divide(np.add(a, mT(a)), 2);

test("matrix norms: ord 1, -1, 2, -2, inf, -inf, fro, nuc against numpy (axes, batches)", () => {
  for (const c of F.norms) {
    const ord = c.ord === "inf" ? Infinity : c.ord === "-inf" ? -Infinity : c.ord;
    const got = np.linalg.norm(M(c.matrix), ord, c.axis ?? undefined);
    close(got, dec(c.value), 1e-10, `norm(${c.matrix}, ord=${c.ord}, axis=${c.axis})`);
  }
  // keepdims, matrixNorm, and the ord/axis combinations numpy rejects.
  const a = M("tall");
  assert.deepEqual([...np.linalg.norm(a, 2, null, true).shape], [1, 1]);
  close(np.linalg.matrixNorm(a, { ord: "nuc" }), np.linalg.norm(a, "nuc"), 1e-12, "matrixNorm nuc");
  assert.throws(() => np.linalg.norm(np.ones([3]), "nuc"), /two axes/);
  assert.throws(() => np.linalg.norm(np.ones([2, 2, 2]), 2), /one axis|two/);
});

test("eigh / eigvalsh: eigenvalues as numpy's, eigenvectors up to sign (eigenspaces when degenerate)", () => {
  for (const [name, want] of Object.entries<any>(F.eigh)) {
    const a = name === "batch" ? sym(M("batch")) : M(name);
    const [w, v] = np.linalg.eigh(a);
    close(w, dec(want.w), 1e-10, `${name}: eigenvalues`);
    close(np.linalg.eigvalsh(a), dec(want.w), 1e-10, `${name}: eigvalsh`);
    const n = a.shape[a.ndim - 1]!;
    close(np.matmul(mT(v), v), np.broadcastTo(eyeLike(n), v.shape), 1e-10, `${name}: orthonormal`);
    close(np.matmul(np.multiply(v, np.expandDims(w, -2)), mT(v)), a, 1e-10, `${name}: V diag(w) V^T = a`);
    // Projectors onto each eigenspace (eigenvalues within 1e-8 are one space) agree with numpy's.
    const vn = dec(want.v), wl = list(dec(want.w));
    if (a.ndim === 2) {
      const groups: number[][] = [];
      wl.forEach((x, i) => { const g = groups.find((gr) => Math.abs(wl[gr[0]!]! - x) < 1e-8); if (g) g.push(i); else groups.push([i]); });
      for (const g of groups) {
        const proj = (V: DeviceArray) => { const cols = np.take(V, np.array(g, "int32"), 1); return np.matmul(cols, mT(cols)); };
        close(proj(v), proj(vn), 1e-8, `${name}: eigenspace ${g}`);
      }
    }
  }
  assert.equal(np.linalg.eigvalsh(M("symDegenerate")).shape[0], 4);
});

test("svd: singular values as numpy's, vectors up to paired signs, full matrices orthonormal", () => {
  for (const [name, want] of Object.entries<any>(F.svd)) {
    const a = M(name);
    const [u, s, vh] = np.linalg.svd(a, false) as DeviceArray[];
    close(s!, dec(want.s), 1e-10, `${name}: singular values`);
    close(np.linalg.svdvals(a), dec(want.s), 1e-10, `${name}: svdvals`);
    close(np.linalg.svd(a, { computeUv: false }) as DeviceArray, dec(want.s), 1e-10, `${name}: computeUv false`);
    close(np.matmul(np.multiply(u!, np.expandDims(s!, -2)), vh!), a, 1e-10, `${name}: U S Vh = a`);
    const k = s!.shape[s!.ndim - 1]!;
    close(np.matmul(mT(u!), u!), np.broadcastTo(eyeLike(k), [...a.shape.slice(0, -2), k, k]), 1e-10, `${name}: U orthonormal columns`);
    // u_i v_i^T is sign-invariant: compare it where the singular value is nonzero.
    const sl = list(dec(want.s));
    if (a.ndim === 2) sl.forEach((sv, i) => {
      if (sv < 1e-8) return;
      const piece = (U: DeviceArray, Vh: DeviceArray) => np.outer(np.take(U, i, 1), np.take(Vh, i, 0));
      close(piece(u!, vh!), piece(dec(want.u), dec(want.vh)), 1e-8, `${name}: u_${i} v_${i}^T`);
    });
    const [uf, , vhf] = np.linalg.svd(a) as DeviceArray[];
    const [m, n] = a.shape.slice(-2) as [number, number];
    close(np.matmul(mT(uf!), uf!), np.broadcastTo(eyeLike(m), [...a.shape.slice(0, -2), m, m]), 1e-10, `${name}: full U orthogonal`);
    close(np.matmul(vhf!, mT(vhf!)), np.broadcastTo(eyeLike(n), [...a.shape.slice(0, -2), n, n]), 1e-10, `${name}: full Vh orthogonal`);
  }
});

test("qr: reduced, complete and r modes against numpy (up to the signs of R's rows)", () => {
  for (const [name, want] of Object.entries<any>(F.qr)) {
    const a = M(name);
    if (a.ndim !== 2) continue;
    const [q, r] = np.linalg.qr(a) as DeviceArray[];
    const d = np.multiply(np.sign(np.diagonal(r!)), np.sign(np.diagonal(dec(want.r))));
    // Columns past the rank (|R_kk| ~ 0) are any orthonormal completion: compare the others.
    const defined = np.array(list(np.abs(np.diagonal(dec(want.r)))).map((x) => x > 1e-8).map((x, i) => (x ? i : -1)).filter((i) => i >= 0), "int32");
    close(np.take(np.multiply(q!, d), defined, 1), np.take(dec(want.q), defined, 1), 1e-10, `${name}: Q`);
    close(np.take(np.multiply(r!, np.expandDims(d, 1)), defined, 0), np.take(dec(want.r), defined, 0), 1e-10, `${name}: R`);
    close(np.matmul(q!, r!), a, 1e-10, `${name}: Q R = a`);
    const [qc, rc] = np.linalg.qr(a, "complete") as DeviceArray[];
    close(np.matmul(qc!, rc!), a, 1e-10, `${name}: complete Q R = a`);
    close(np.matmul(mT(qc!), qc!), eyeLike(a.shape[0]!), 1e-10, `${name}: complete Q orthogonal`);
    assert.deepEqual([...rc!.shape], dec(want.rc).shape);
    close(np.abs(np.linalg.qr(a, "r") as DeviceArray), np.abs(dec(want.r)), 1e-10, `${name}: mode r`);
  }
  const [qb, rb] = np.linalg.qr(M("batch")) as DeviceArray[];
  close(np.matmul(qb!, rb!), M("batch"), 1e-10, "batched Q R");
});

test("pinv, matrixRank, lstsq (full rank and rank-deficient) against numpy", () => {
  for (const [name, want] of Object.entries<any>(F.pinv)) close(np.linalg.pinv(M(name)), dec(want), 1e-9, `pinv ${name}`);
  for (const [name, want] of Object.entries<any>(F.rank)) close(np.linalg.matrixRank(M(name)), dec(want), 0, `matrixRank ${name}`);
  const b = dec(F.lstsq.b);
  for (const name of ["tall", "rankDeficient"]) {
    const want = F.lstsq[name];
    const [x, resid, rank, s] = np.linalg.lstsq(M(name), b);
    close(x, dec(want.x), 1e-9, `lstsq ${name}: x (minimum norm)`);
    assert.equal(rank.item(), want.rank, `lstsq ${name}: rank`);
    close(s, dec(want.s), 1e-10, `lstsq ${name}: s`);
    if (want.resid) close(resid, dec(want.resid), 1e-9, `lstsq ${name}: residuals`);
  }
});

test("gradients against finite differences (float64): eigh, svd, qr, pinv, norms", () => {
  const s4 = M("sym4"), tall = M("tall"), wide = M("wide"), sq = M("square");
  // Sign-invariant functions of the vectors.
  checkGrads((a) => { const [w, v] = np.linalg.eigh(a); return [w, np.multiply(v, v)]; }, [s4]);
  checkGrads((a) => np.linalg.eigvalsh(a), [s4], { order: 2 });
  for (const a of [tall, wide, sq]) {
    const k = Math.min(...a.shape);
    const c = np.arange(1, k + 1);
    checkGrads((x) => { const [u, s, vh] = np.linalg.svd(x, false) as DeviceArray[]; return [s!, np.matmul(np.multiply(u!, c), vh!)]; }, [a]);
    checkGrads((x) => np.linalg.svdvals(x), [a], { order: 2 });
    checkGrads((x) => np.linalg.pinv(x), [a]);
  }
  checkGrads((x) => np.linalg.qr(x) as DeviceArray[], [tall]);
  checkGrads((x) => np.linalg.qr(x) as DeviceArray[], [sq]);
  for (const ord of [1, -1, 2, -2, Infinity, "fro", "nuc"]) checkGrads((x) => np.linalg.norm(x, ord as never), [tall]);
  checkGrads((x) => np.linalg.lstsq(x, np.arange(5))[0], [tall]);
  // Degenerate eigenvalues: the gradient of their sum (the trace) is still the identity.
  close(grad((a: DeviceArray) => np.sum(np.linalg.eigvalsh(a)))(M("symDegenerate")), eyeLike(4), 1e-10, "d trace / d a at degenerate eigenvalues");
  assert.throws(() => grad((a: DeviceArray) => np.sum((np.linalg.svd(a) as DeviceArray[])[0]!))(tall), /fullMatrices/);
});

test("vmap against a loop and jit against eager", () => {
  const batch = M("batch");
  const fns: [string, (a: DeviceArray) => DeviceArray][] = [
    ["eigvalsh", (a) => np.linalg.eigvalsh(sym(a))],
    ["svdvals", (a) => np.linalg.svdvals(a)],
    ["pinv", (a) => np.linalg.pinv(a)],
    ["qr R", (a) => np.abs((np.linalg.qr(a) as DeviceArray[])[1]!)],
    ["norm 2", (a) => np.linalg.norm(a, 2)],
    ["norm nuc", (a) => np.linalg.norm(a, "nuc")],
    ["matrixRank", (a) => np.linalg.matrixRank(a)],
    ["grad eigvalsh", (a) => grad((x: DeviceArray) => np.sum(np.multiply(np.linalg.eigvalsh(sym(x)), np.array([1, 2, 3]))))(a)],
  ];
  for (const [name, f] of fns) {
    const loop = np.stack([0, 1].map((i) => f(np.take(batch, i, 0))));
    close(vmap(f)(batch), loop, 1e-9, `vmap ${name}`);
    close(jit(f)(np.take(batch, 0, 0)), f(np.take(batch, 0, 0)), 1e-10, `jit ${name}`);
  }
});
