// jax.custom_jvp / jax.custom_vjp: the rules apply eagerly and under jit, vmap, grad and their
// compositions (higher order included); the jax.nn functions JAX defines with them have JAX's
// derivatives at the kinks and stay finite at extremes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, nn, lax, grad, jit, vmap, jvp, vjp, jacfwd, jacrev, hessian, customJvp, customVjp, makeJaxpr, config, DeviceArray } from "../src/index.js";
import { checkGrads } from "./helpers/check-grads.js";

config.update("enableX64", true);
const list = (x: DeviceArray) => Array.from(x.dataSync(), Number);
function close(actual: DeviceArray | number[], expected: number[], tol = 1e-9, what = "") {
  const a = Array.isArray(actual) ? actual : list(actual);
  assert.equal(a.length, expected.length, `${what} length ${a.length} vs ${expected.length}`);
  a.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) <= tol * (1 + Math.abs(expected[i]!)) || (Number.isNaN(v) && Number.isNaN(expected[i]!)), `${what} element ${i}: ${v} vs ${expected[i]}`));
}

// log1pexp with JAX's documented custom JVP (the example of the custom_jvp tutorial):
// the naive derivative is nan at x = 100, the rule's is 1.
const log1pexp = customJvp((x: DeviceArray) => np.log(np.add(1, np.exp(x)))).defjvp(([x], [t]) => {
  const ans = np.log(np.add(1, np.exp(x)));
  return [ans, np.multiply(t, np.subtract(1, np.divide(1, np.add(1, np.exp(x)))))];
});
const sigmoid = (x: DeviceArray) => np.divide(1, np.add(1, np.exp(np.negative(x))));

test("customJvp: the rule is used by grad, jvp, jacfwd, jacrev (where the plain derivative is nan)", () => {
  const x = np.array([0, 2, 1000]);
  close(vmap(grad((v: DeviceArray) => log1pexp(v)))(x), list(sigmoid(x)), 1e-12, "vmap(grad)");
  close(jvp(log1pexp, [x], [np.ones([3])])[1], list(sigmoid(x)), 1e-12, "jvp");
  close(np.diagonal(jacfwd(log1pexp)(x)), list(sigmoid(x)), 1e-12, "jacfwd");
  close(np.diagonal(jacrev(log1pexp)(x)), list(sigmoid(x)), 1e-12, "jacrev");
  // The naive function's gradient at 1000 is nan (inf / inf): the rule is what fixed it.
  assert.ok(Number.isNaN(grad((v: DeviceArray) => np.log(np.add(1, np.exp(v))))(np.array(1000)).item()));
  // Eagerly the function is just the function.
  close(log1pexp(np.array([0])), [Math.log(2)], 1e-12);
});

test("customJvp composes with jit in both orders, vmap, and higher-order grad", () => {
  const x = np.array([0.3, -1.2, 2.5]);
  const g = (v: DeviceArray) => np.sum(log1pexp(v));
  const expected = list(sigmoid(x));
  close(grad(jit(g))(x), expected, 1e-12, "grad(jit)");
  close(jit(grad(g))(x), expected, 1e-12, "jit(grad)");
  close(vmap(jit(grad((v: DeviceArray) => log1pexp(v))))(x), expected, 1e-12, "vmap(jit(grad))");
  close(jit(vmap(grad((v: DeviceArray) => log1pexp(v))))(x), expected, 1e-12, "jit(vmap(grad))");
  // Second derivative: the derivative of the rule's tangent (sigmoid) is sigmoid * (1 - sigmoid).
  const s = list(sigmoid(x));
  close(vmap(grad(grad((v: DeviceArray) => log1pexp(v))))(x), s.map((v) => v * (1 - v)), 1e-10, "grad(grad)");
  close(np.diagonal(hessian(g)(x)), s.map((v) => v * (1 - v)), 1e-10, "hessian");
  close(np.diagonal(jacfwd(jacrev(g))(x)), s.map((v) => v * (1 - v)), 1e-10, "jacfwd(jacrev)");
  checkGrads((v) => log1pexp(v), [x], { order: 2 });
  // vmap(f) against a loop, and jit against eager.
  close(vmap(log1pexp)(x), list(np.log(np.add(1, np.exp(x)))), 1e-12, "vmap");
  close(jit(log1pexp)(x), list(np.log(np.add(1, np.exp(x)))), 1e-12, "jit");
});

test("customJvp: the custom call is one equation in the IR and is inlined when compiled", () => {
  const j = makeJaxpr((v: DeviceArray) => log1pexp(v))(np.array([1.0, 2.0]));
  assert.match(j.toString(), /custom_jvp_call/);
  const compiled = jit((v: DeviceArray) => log1pexp(v)).lower(np.array([1.0, 2.0]));
  assert.doesNotMatch(compiled.program, /custom_jvp_call/);
});

test("customJvp: pytrees, several outputs, nondiffArgnums and defjvps", () => {
  // f(x, {y}) = [x*y, sin x], with a rule that scales the tangent of the first output by 2 (a deliberately "wrong" rule, to see it used).
  const f = customJvp((x: DeviceArray, d: { y: DeviceArray }) => [np.multiply(x, d.y), np.sin(x)]).defjvp(([x, d], [tx, td]) => {
    const out = [np.multiply(x, d.y), np.sin(x)];
    return [out, [np.multiply(2, np.add(np.multiply(tx, d.y), np.multiply(x, td.y))), np.multiply(np.cos(x), tx)]];
  });
  const x = np.array(0.5), y = np.array(3.0);
  close(grad((a: DeviceArray) => f(a, { y })[0])(x), [6], 1e-12, "custom first output");
  close(grad((b: DeviceArray) => f(x, { y: b })[0])(y), [1], 1e-12, "pytree argument");
  close(grad((a: DeviceArray) => f(a, { y })[1])(x), [Math.cos(0.5)], 1e-12, "second output");
  // nondiffArgnums: a static power; the rule gets it first.
  const pw = customJvp((n: number, x: DeviceArray) => np.power(x, n), { nondiffArgnums: [0] })
    .defjvp((n: number, [x], [t]) => [np.power(x, n), np.multiply(t, np.multiply(n, np.power(x, n - 1)))]);
  close(grad((v: DeviceArray) => pw(3, v))(np.array(2.0)), [12], 1e-12, "nondiffArgnums");
  close(jit(grad((v: DeviceArray) => pw(3, v)))(np.array(2.0)), [12], 1e-12, "nondiffArgnums under jit");
  // defjvps: one rule per argument.
  const mul = customJvp((a: DeviceArray, b: DeviceArray) => np.multiply(a, b)).defjvps((g, _ans, _a, b) => np.multiply(g, b), null);
  const [ga, gb] = grad(mul, [0, 1])(np.array(2.0), np.array(5.0)) as unknown as DeviceArray[];
  close(ga!, [5], 0, "defjvps a"); close(gb!, [0], 0, "defjvps b (null rule: no contribution)");
});

test("customJvp: a rule with the wrong tangent shape is a clear error", () => {
  const bad = customJvp((x: DeviceArray) => np.sin(x)).defjvp(([x], [t]) => [np.sin(x), np.sum(t)]);
  assert.throws(() => grad((v: DeviceArray) => np.sum(bad(v)))(np.array([1, 2])), /shape/);
  const none = customJvp((x: DeviceArray) => x);
  assert.throws(() => grad((v: DeviceArray) => none(v))(np.array(1.0)), /defjvp/);
});

// clip_gradient, JAX's custom_vjp example: identity forward, gradient clipped backward.
const clipGradient = customVjp((lo: number, hi: number, x: DeviceArray) => x, { nondiffArgnums: [0, 1] })
  .defvjp((_lo: number, _hi: number, x: DeviceArray) => [x, null], (lo: number, hi: number, _res: unknown, g: DeviceArray) => [np.clip(g, lo, hi)]);

test("customVjp: fwd/bwd under grad, vmap, jit and higher order; jvp is refused", () => {
  const f = (x: DeviceArray) => np.sum(np.multiply(clipGradient(-0.5, 0.5, np.multiply(x, 3)), 1));
  const x = np.array([0.1, -2, 4]);
  close(grad(f)(x), [1.5, 1.5, 1.5], 1e-12, "grad");
  close(jit(grad(f))(x), [1.5, 1.5, 1.5], 1e-12, "jit(grad)");
  close(grad(jit(f))(x), [1.5, 1.5, 1.5], 1e-12, "grad(jit)");
  close(vmap(grad((v: DeviceArray) => clipGradient(-0.5, 0.5, np.multiply(v, 3))))(x), [1.5, 1.5, 1.5], 1e-12, "vmap(grad)");
  close(clipGradient(-0.5, 0.5, x), [0.1, -2, 4], 0, "eager");
  assert.throws(() => jvp((v: DeviceArray) => clipGradient(-1, 1, v), [x], [x]), /forward-mode/);

  // Residuals, a pytree output, and a second derivative through bwd: f(x) = sin(x) with bwd cos(res) * g.
  const sin = customVjp((x: DeviceArray) => np.sin(x)).defvjp((x: DeviceArray) => [np.sin(x), { c: np.cos(x), x }], (res: { c: DeviceArray; x: DeviceArray }, g: DeviceArray) => [np.multiply(res.c, g)]);
  const xs = np.array([0.3, 1.1, -0.7]);
  close(vmap(grad((v: DeviceArray) => sin(v)))(xs), list(np.cos(xs)), 1e-12, "residuals");
  close(vmap(grad(grad((v: DeviceArray) => sin(v))))(xs), list(np.negative(np.sin(xs))), 1e-12, "grad(grad)");
  close(grad((v: DeviceArray) => np.sum(vmap(sin)(v)))(xs), list(np.cos(xs)), 1e-12, "grad(vmap)");
  close(jit(vmap(grad((v: DeviceArray) => sin(v))))(xs), list(np.cos(xs)), 1e-12, "jit(vmap(grad))");
});

test("customVjp: bwd returning the wrong number of cotangents is a clear error", () => {
  const bad = customVjp((x: DeviceArray, y: DeviceArray) => np.multiply(x, y)).defvjp((x: DeviceArray, y: DeviceArray) => [np.multiply(x, y), [x, y]], (_r: unknown, g: DeviceArray) => [g]);
  assert.throws(() => grad((a: DeviceArray) => bad(a, np.array(2.0)))(np.array(1.0)), /one cotangent per differentiable argument/);
});

test("nn.relu and nn.relu6 have JAX's gradient 0 at the kinks; softplus, logSigmoid, softmax stay finite at extremes", () => {
  close(vmap(grad((v: DeviceArray) => nn.relu(v)))(np.array([-1, 0, 2])), [0, 0, 1], 0, "relu");
  close(vmap(grad((v: DeviceArray) => nn.relu6(v)))(np.array([-1, 0, 3, 6, 7])), [0, 0, 1, 0, 0], 0, "relu6");
  close(jit(vmap(grad((v: DeviceArray) => nn.relu(v))))(np.array([-1, 0, 2])), [0, 0, 1], 0, "relu under jit");
  close(jvp(nn.relu, [np.array([0, 1])], [np.array([1, 1])])[1], [0, 1], 0, "relu jvp");
  // Second derivative of relu is 0 (not nan) everywhere.
  close(vmap(grad(grad((v: DeviceArray) => nn.relu(v))))(np.array([-1, 0, 2])), [0, 0, 0], 0, "relu''");
  const big = np.array([-1000, -30, 0, 30, 1000]);
  close(vmap(grad((v: DeviceArray) => nn.softplus(v)))(big), [0, 1 / (1 + Math.exp(30)), 0.5, 1 / (1 + Math.exp(-30)), 1], 1e-12, "softplus'");
  close(vmap(grad((v: DeviceArray) => nn.logSigmoid(v)))(big), [1, 1 / (1 + Math.exp(-30)), 0.5, 1 / (1 + Math.exp(30)), 0], 1e-12, "logSigmoid'");
  const sm = grad((v: DeviceArray) => np.sum(np.multiply(nn.softmax(v), np.array([1, 2, 3]))))(np.array([1000, 0, -1000]));
  list(sm).forEach((v) => assert.ok(Number.isFinite(v), `softmax gradient ${list(sm)}`));
  checkGrads((v) => nn.softmax(v), [np.array([0.3, -1.2, 0.8])], { order: 2 });
  checkGrads((v) => nn.relu(v), [np.array([0.3, -1.2, 0.8])], { order: 2 });
  checkGrads((v) => nn.softplus(v), [np.array([0.3, -1.2, 0.8])], { order: 2 });
  void lax; void vjp;
});

test("checkpoint (remat): same values and derivatives, intermediates recomputed in the backward pass", async () => {
  const { checkpoint, remat } = await import("../src/index.js");
  const w = np.array([0.5, -1.5, 2.0]);
  // Closes over w, which is differentiated too: checkpoint allows it (unlike customJvp's rule).
  const body = (x: DeviceArray) => np.sin(np.multiply(np.sin(x), w));
  const loss = (x: DeviceArray, v: DeviceArray) => np.sum(np.multiply(checkpoint((y: DeviceArray) => np.sin(np.multiply(np.sin(y), v)))(x), 2));
  const plain = (x: DeviceArray, v: DeviceArray) => np.sum(np.multiply(np.sin(np.multiply(np.sin(x), v)), 2));
  const x = np.array([0.3, -0.8, 1.2]);
  const [gx, gw] = grad(loss, [0, 1])(x, w) as unknown as DeviceArray[];
  const [px, pw] = grad(plain, [0, 1])(x, w) as unknown as DeviceArray[];
  close(gx!, list(px!), 1e-12, "d/dx"); close(gw!, list(pw!), 1e-12, "d/dw (closed over)");
  close(jit(grad(loss))(x, w), list(px!), 1e-12, "jit(grad)");
  close(vmap(grad((y: DeviceArray) => np.sum(remat(body)(y))))(np.stack([x, x])), [...list(grad((y: DeviceArray) => np.sum(body(y)))(x)), ...list(grad((y: DeviceArray) => np.sum(body(y)))(x))], 1e-12, "vmap(grad(remat))");
  close(jvp(checkpoint(body), [x], [np.ones([3])])[1], list(jvp(body, [x], [np.ones([3])])[1]), 1e-12, "forward mode");
  checkGrads((y) => checkpoint(body)(y), [x], { order: 2 });
  // The backward pass recomputes: grad's program evaluates sin more often than without checkpoint.
  const count = (f: (y: DeviceArray) => DeviceArray) => (String(makeJaxpr(grad((y: DeviceArray) => np.sum(f(y))))(x)).match(/= sin /g) ?? []).length;
  assert.ok(count(checkpoint(body)) > count(body), `sin evaluations: ${count(checkpoint(body))} with checkpoint, ${count(body)} without`);
  close(checkpoint(body)(x), list(body(x)), 0, "eager");
  const withStatic = checkpoint((n: number, y: DeviceArray) => np.power(y, n), { staticArgnums: 0 });
  close(grad((y: DeviceArray) => withStatic(3, y))(np.array(2.0)), [12], 1e-12, "staticArgnums");
});
