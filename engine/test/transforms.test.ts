// Transformations and their compositions, checked against central finite differences in
// float64 and against plain loops (vmap) and eager evaluation (jit).
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, nn, lax, grad, valueAndGrad, jit, vmap, jvp, vjp, jacfwd, jacrev, hessian, linearize, config, DeviceArray } from "../src/index.js";
import { close, list, numericGrad } from "./helpers/finite-differences.js";

config.update("enableX64", true);


const x0 = np.array([[0.3, -1.2, 0.7], [1.5, 0.2, -0.4]]);
const w = np.array([[0.5, -0.3], [0.1, 0.8], [-0.6, 0.2]]);
const f = (x: DeviceArray) => np.sum(np.tanh(np.matmul(x, w)).mul(np.exp(x.mean({ axis: 1, keepdims: true }))));

test("grad matches finite differences (float64)", () => {
  assert.equal(x0.dtype, "float64");
  close(grad(f)(x0), numericGrad(f, x0), 1e-6);
});

test("grad of grad is the second derivative", () => {
  const g = (x: DeviceArray) => np.sin(x).mul(x).mul(x);
  const d2 = grad(grad(g));
  for (const v of [0.3, -1.1, 2.0]) close([d2(np.array(v)).item()], [2 * Math.sin(v) + 4 * v * Math.cos(v) - v * v * Math.sin(v)], 1e-9);
});

test("jit(grad), vmap(grad), grad(vmap), jit(vmap(grad)) agree with loops", () => {
  const g = grad(f);
  const batch = np.stack([x0, x0.mul(0.5), x0.add(0.25)]);
  const loop = np.stack([0, 1, 2].map((i) => g(batch.get(i))));
  close(jit(g)(x0), g(x0), 1e-12);
  close(vmap(g)(batch), loop, 1e-12);
  close(jit(vmap(g))(batch), loop, 1e-12);
  const summed = grad((b: DeviceArray) => np.sum(vmap(f)(b)))(batch);
  close(summed, loop, 1e-12);
});

test("grad with argnums over a list of arrays (the tutorial's layers)", () => {
  const layers = [np.array([[0.1, -0.2], [0.3, 0.4]]), np.array([[0.5], [-0.6]])];
  const input = np.array([[1, 2], [3, 4]]);
  const loss = (inp: DeviceArray, ls: DeviceArray[]) => {
    let h = inp;
    ls.forEach((k, i) => { h = h.matmul(k); h = i < ls.length - 1 ? nn.relu(h) : nn.sigmoid(h); });
    return np.mean(h);
  };
  const gs = grad(loss, { argnums: 1 })(input, layers) as DeviceArray[];
  assert.equal(gs.length, 2);
  gs.forEach((g, k) => {
    const fk = (w_: DeviceArray) => loss(input, layers.map((l, j) => (j === k ? w_ : l)));
    close(g, numericGrad(fk, layers[k]!), 1e-6);
  });
  const [g0, g1] = grad(loss, { argnums: [0, 1] })(input, layers) as [DeviceArray, DeviceArray[]];
  close(g0, numericGrad((i) => loss(i, layers), input), 1e-6);
  close(g1[0]!, gs[0]!, 1e-12);
});

test("valueAndGrad with hasAux and pytree (object) arguments", () => {
  const params = { w: np.array([1.0, 2.0]), b: np.array(0.5) };
  const lossAux = (p: typeof params) => { const y = p.w.mul(p.w).sum().add(p.b); return [y, { y2: y.mul(2) }] as const; };
  const [[v, aux], g] = valueAndGrad(lossAux, { hasAux: true })(params);
  assert.equal(v.item(), 5.5);
  assert.equal((aux as { y2: DeviceArray }).y2.item(), 11);
  close((g as typeof params).w, [2, 4]);
  close((g as typeof params).b, [1]);
});

test("jvp and vjp agree through the dot-product identity", () => {
  const t = np.array([[0.1, 0.2, -0.3], [0.4, -0.5, 0.6]]);
  const h = (x: DeviceArray) => np.tanh(np.matmul(x, w)).mul(x.sum());
  const [y, ty] = jvp(h, [x0], [t]);
  const ct = np.array([[1.0, -2.0], [0.5, 3.0]]);
  const [y2, pullback] = vjp(h, x0);
  close(y, y2 as DeviceArray, 1e-12);
  const [cx] = pullback(ct);
  close([np.sum(ty.mul(ct)).item()], [np.sum((cx as DeviceArray).mul(t)).item()], 1e-10);
  const [, lin] = linearize(h, x0);
  close(lin(t), ty, 1e-12);
});

test("jacfwd equals jacrev; hessian matches finite differences of the gradient", () => {
  const v = np.array([0.3, -0.7, 1.1]);
  const h = (x: DeviceArray) => np.sin(x).mul(x.sum());
  close(jacfwd(h)(v), jacrev(h)(v), 1e-12);
  assert.deepEqual(jacfwd(h)(v).shape, [3, 3]);
  const s = (x: DeviceArray) => np.sum(np.exp(x).mul(x.mul(x).sum()));
  const H = hessian(s)(v);
  const rows = [0, 1, 2].map((i) => numericGrad((x) => grad(s)(x).get(i), v));
  close(H, rows.flat(), 1e-6);
});

test("vmap with inAxes and outAxes matches a loop", () => {
  const a = np.array([[1, 2, 3], [4, 5, 6]]); // mapped over axis 1
  const b = np.array([10, 20]);
  const fn = (col: DeviceArray, s: DeviceArray) => col.mul(s.sum()).add(1);
  const out = vmap(fn, { inAxes: [1, null], outAxes: 1 })(a, b);
  assert.deepEqual(out.shape, [2, 3]);
  const loop = np.stack([0, 1, 2].map((j) => fn(a.get(":", j), b)), 1);
  close(out, loop, 0);
});

test("lax.cond, scan, forILoop and whileLoop: forward, grad, vmap, jit", () => {
  const step = (c: DeviceArray, x: DeviceArray) => { const n = np.tanh(c.mul(x).add(0.5)); return [n, n.mul(2)] as [DeviceArray, DeviceArray]; };
  const xs = np.array([0.5, -1.0, 1.5, 0.25]);
  const scanned = (c0: DeviceArray) => { const [c, ys] = lax.scan(step, c0, xs); return c.add(ys.sum()); };
  const unrolled = (c0: DeviceArray) => { let c = c0, acc = np.array(0.0); for (const x of xs) { const [n, y] = step(c, x); c = n; acc = acc.add(y); } return c.add(acc); };
  const c0 = np.array(0.3);
  close([scanned(c0).item()], [unrolled(c0).item()], 1e-12);
  close(grad(scanned)(c0), grad(unrolled)(c0), 1e-10);
  close(grad(scanned)(c0), numericGrad(scanned, c0), 1e-6);
  close(jit(grad(scanned))(c0), grad(unrolled)(c0), 1e-10);
  const cs = np.array([0.1, 0.2, -0.3]);
  close(vmap(grad(scanned))(cs), np.stack([0, 1, 2].map((i) => grad(unrolled)(cs.get(i)))), 1e-10);

  const branchy = (x: DeviceArray) => lax.cond(x.sum().gt(0), (v: DeviceArray) => v.mul(v), (v: DeviceArray) => np.sin(v), x);
  close(branchy(np.array([1, 2])), [1, 4]);
  close(grad((x: DeviceArray) => branchy(x).sum())(np.array([1.0, 2.0])), [2, 4], 1e-12);
  close(grad((x: DeviceArray) => branchy(x).sum())(np.array([-1.0, -2.0])), [Math.cos(-1), Math.cos(-2)], 1e-12);
  const batched = vmap(branchy)(np.array([[1, 2], [-1, -2]])) as DeviceArray;
  close(batched, [1, 4, Math.sin(-1), Math.sin(-2)], 1e-12);
  close(jit(branchy)(np.array([-1.0, -2.0])), [Math.sin(-1), Math.sin(-2)], 1e-12);

  const fact = lax.forILoop(1, 6, (i, acc: DeviceArray) => acc.mul(i.astype("float64")), np.array(1.0));
  assert.equal(fact.item(), 120);
  const collatz = lax.whileLoop((s: DeviceArray[]) => s[0]!.ne(1), ([n, k]: DeviceArray[]) => [np.where(n.mod(2).eq(0), n.floorDiv(2), n.mul(3).add(1)), k!.add(1)], [np.array(27, "int32"), np.array(0, "int32")]);
  assert.equal(collatz[1]!.item(), 111);
  const [, tw] = jvp((x: DeviceArray) => lax.whileLoop((s: DeviceArray) => s.lt(100), (s: DeviceArray) => s.mul(x), x), [np.array(3.0)], [np.array(1.0)]);
  // 3 -> 9 -> 27 -> 81 -> 243 = x^5, derivative 5 x^4.
  assert.ok(Math.abs(tw.item() - 405) < 1e-9);
  assert.throws(() => grad((x: DeviceArray) => lax.whileLoop((s: DeviceArray) => s.lt(100), (s: DeviceArray) => s.mul(2), x))(np.array(3.0)), /whileLoop: reverse-mode differentiation is not supported/);
  const vw = vmap((x: DeviceArray) => lax.whileLoop((s: DeviceArray) => s.lt(10), (s: DeviceArray) => s.add(3), x))(np.array([0, 5, 11], "int32"));
  assert.deepEqual(vw.tolist(), [12, 11, 11]);
});

test("jit caches per signature, says why it recompiled, and honours staticArgnums", () => {
  const fn = jit((x: DeviceArray, n: number) => x.mul(n), { staticArgnums: 1 });
  fn(np.array([1, 2]), 3); fn(np.array([1, 2]), 3); fn(np.array([1, 2, 3]), 3); fn(np.array([1, 2]), 4);
  const info = fn.cacheInfo();
  assert.equal(info.misses, 3);
  assert.equal(info.hits, 1);
  assert.equal(info.compiles[0]!.reason, "first call");
  assert.match(info.compiles[1]!.reason, /argument types changed \(leaf 0: f64\[2\] -> f64\[3\]\)/);
  assert.match(info.compiles[2]!.reason, /static arguments changed/);
  close(fn(np.array([1, 2]), 4), [4, 8]);
});

test("jit optimizes: dead code goes, common subexpressions merge, a slice of an elementwise chain computes only the slice", () => {
  const big = np.ones([1000, 1000]);
  const fn = jit((x: DeviceArray) => {
    void np.exp(x).mul(3); // dead
    const y = np.exp(np.sin(x)).mul(2).add(np.exp(np.sin(x)).mul(0));
    return y.get("0:2", "0:3");
  });
  // The second exp(sin(x)) is the first one again; x*0 does not fold (NaN semantics), it fuses.
  const { jaxpr } = fn.lower(big);
  assert.equal(jaxpr.eqns.filter((e) => e.prim === "sin" || e.prim === "exp").length, 2, String(jaxpr));
  const sliced = jit((x: DeviceArray) => np.exp(np.sin(x)).mul(2).add(1).get("0:2", "0:3"));
  const { program } = sliced.lower(big);
  assert.doesNotMatch(program, /over \[1000,1000\]/, program);
  assert.match(program, /fused\[.*\] over \[2,3\]/, program);
  assert.equal((program.match(/fused/g) ?? []).length, 1, program);
  close(fn(big), Array(6).fill(2 * Math.exp(Math.sin(1))), 1e-12);
  close(sliced(big), Array(6).fill(2 * Math.exp(Math.sin(1)) + 1), 1e-12);
  // Cheap arithmetic shared by two consumers is recomputed in one loop instead of stored.
  const cheap = jit((x: DeviceArray) => { const t = x.mul(2).add(1); return t.mul(t).sub(t); });
  assert.equal((cheap.lower(big).program.match(/fused/g) ?? []).length, 1);
});

test("errors name the op, the shapes and the user's line", () => {
  assert.throws(() => np.matmul(np.zeros([3, 2], "float32"), np.zeros([3, 4], "float32")),
    (e: Error) => /^matmul: contraction dims differ: f32\[3,2\] @ f32\[3,4\] \(2 != 3\) at engine\/test\/transforms\.test\.ts:\d+:\d+$/.test(e.message));
  assert.throws(() => jit((x: DeviceArray) => (x.sum().item() > 0 ? x : x.neg()))(np.array([1, 2])),
    /item\(\): cannot convert a traced array f64\[\] to a concrete value inside jit.*lax\.cond/);
  let leaked: DeviceArray | undefined;
  grad((x: DeviceArray) => { leaked = x.mul(2); return x.sum(); })(np.array([1.0]));
  assert.throws(() => leaked!.add(1), /used after that transformation ended/);
  assert.throws(() => grad((x: DeviceArray) => x.mul(2))(np.array([1.0, 2.0])), /grad: the function must return a scalar, got f64\[2\]/);
  assert.throws(() => grad((x: DeviceArray) => x.sum())(np.array([1, 2], "int32")), /requires floating-point inputs/);
});

test("jit retraces when a flag that changes tracing changes (the PRNG scheme)", async () => {
  const { random } = await import("../src/index.js");
  const split = jit((k: DeviceArray) => random.split(k));
  const partitionable = split(random.key(0)).tolist();
  config.update("threefryPartitionable", false);
  const legacyJit = split(random.key(0)).tolist();
  const legacyEager = random.split(random.key(0)).tolist();
  config.update("threefryPartitionable", true);
  assert.deepEqual(legacyJit, legacyEager);
  assert.notDeepEqual(partitionable, legacyJit);
  assert.deepEqual(split(random.key(0)).tolist(), partitionable);
});
