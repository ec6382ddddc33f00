// `npm start` walks the tutorial: the example runs as a user would run it and prints the
// tutorial's results. Values are checked against numpy's matmul of the tutorial's arrays, the
// JAX PRNG known answers and Flax's printed initial parameters (from the issue).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

test("examples/what-is-jax.ts runs end to end and prints the tutorial's results", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "examples/what-is-jax.ts"], { cwd: root, encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout;
  const numbers = (line: string) => (line.match(/-?\d+\.?\d*(e[-+]?\d+)?/g) ?? []).map(Number);
  const after = (label: string, n: number) => {
    const i = out.indexOf(label);
    assert.ok(i >= 0, `missing "${label}" in:\n${out}`);
    return numbers(out.slice(i + label.length)).slice(0, n);
  };
  // numpy.matmul([[2,3],[4,5],[6,7]], [[9,1,0,0],[1,0,1,0]])
  assert.deepEqual(after("np.matmul(input, kernel) =", 12), [21, 2, 3, 0, 41, 4, 5, 0, 61, 6, 7, 0]);
  assert.deepEqual(after("np.dot(input, kernel)    =", 12), [21, 2, 3, 0, 41, 4, 5, 0, 61, 6, 7, 0]);
  assert.deepEqual(after("random.split(PRNGKey(0)) ->", 4), [1797259609, 2579123966, 928981903, 3453687069]);
  const flax0 = [1.1381536, -1.0838526, 0.37998098, 0.15393464, 0.17555283, -0.3848625, 0.52419275, -1.4104135];
  after("Dense_0.kernel =", 8).forEach((v, i) => assert.ok(Math.abs(v - flax0[i]!) < 2e-6, `Dense_0.kernel[${i}] = ${v}`));
  const flax1 = [0.22024584, 0.5676514, 0.4185372, -0.3969197];
  after("Dense_1.kernel =", 4).forEach((v, i) => assert.ok(Math.abs(v - flax1[i]!) < 2e-6, `Dense_1.kernel[${i}] = ${v}`));
  assert.match(out, /init with inputs of shape \(1, 2\) and \(2,\) gives the same parameters: true/);
  assert.match(out, /jitted and eager agree: true/);
  assert.deepEqual(after("vmap(x => Net().apply(vars, x))(input) =", 3), after("Net().apply(vars, input) =", 3));
  assert.deepEqual(after("vmap(predict one example)(input) =", 3), after("predict(input, layers)           =", 3));
  // The second derivative of sin at 1 is -sin(1).
  assert.ok(Math.abs(after("second derivative of sin at 1.0:", 1)[0]! + Math.sin(1)) < 1e-6);
});
