import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { config, grad, jit, np, nn, type DeviceArray } from "./helpers/engine.js";
import { decodeArray, loadFixture, resolve, type EncArray, type OpCase } from "./helpers/fixtures.js";
import { assertArrayMatches } from "./helpers/allclose.js";
import { checkGrads } from "./helpers/check-grads.js";

/**
 * Gradients of sum(f(x) * w) in float64 against PyTorch autograd (fixtures), and every such op
 * through checkGrads (jvp vs central finite differences, vjp vs jvp), first and second order.
 */
config.update("enableX64", true);

const cases = [...loadFixture<OpCase[]>("numpy-ops.json"), ...loadFixture<OpCase[]>("nn-functions.json")].filter((c) => c.grad);
const root = { ...np, nn };
// Second-order checks where the function is smooth at the sampled points (no kinks, no sorting).
const SMOOTH = /^(exp|exp2|expm1|log|log1p|log2|log10|sqrt|sin|cos|tan|arcsin|arccos|arctan|sinh|cosh|tanh|arcsinh|arctanh|asin|acos|atan|asinh|atanh|square|reciprocal|multiply|divide|add|subtract|matmul|einsum|logsumexp|mean|sum|nn\.(sigmoid|softplus|gelu|silu|softmax|logSoftmax|tanh|mish|standardize))$/;

function setup(c: OpCase) {
  const floatArgs: number[] = [];
  const args = c.args.map((a, i) => {
    if (!("array" in a)) return a.value;
    const isF = a.array.dtype.startsWith("float");
    if (isF && c.grad!.grads[i]) floatArgs.push(i);
    return decodeArray(a.array, isF ? "float64" : undefined);
  });
  const f = resolve(root, c.fn);
  const fOf = (...xs: DeviceArray[]) => {
    const full = [...args];
    floatArgs.forEach((k, j) => { full[k] = xs[j]; });
    return (c.opts !== undefined ? f(...full, c.opts) : f(...full)) as DeviceArray;
  };
  return { args, floatArgs, fOf };
}

describe("gradients vs PyTorch autograd (float64)", () => {
  for (const c of cases) {
    it(c.id, () => {
      const { args, floatArgs, fOf } = setup(c);
      const w = decodeArray(c.grad!.w as EncArray, "float64");
      const loss = (...xs: DeviceArray[]) => np.sum(np.multiply(fOf(...xs), w));
      const gs = grad(loss, { argnums: floatArgs.map((_, j) => j) })(...floatArgs.map((k) => args[k] as DeviceArray)) as DeviceArray[];
      floatArgs.forEach((k, j) => {
        const expected = c.grad!.grads[k]!;
        if ("zero" in expected) assert.ok(np.all(np.equal(gs[j]!, 0)).item(), `${c.id}: gradient of arg ${k} should be zero`);
        else assertArrayMatches(gs[j]!, expected, `${c.id} d/darg${k}`, { rtol: 1e-7, atol: 1e-9 });
      });
      // jit(grad) agrees with grad.
      const gj = jit(grad(loss, { argnums: floatArgs.map((_, j) => j) }))(...floatArgs.map((k) => args[k] as DeviceArray)) as DeviceArray[];
      gj.forEach((g, j) => assert.ok(np.allclose(g, gs[j]!, { rtol: 1e-10, atol: 1e-12 }).item(), `${c.id}: jit(grad) differs from grad`));
    });
  }
});

describe("checkGrads: jvp vs finite differences, vjp vs jvp (float64)", () => {
  for (const c of cases) {
    it(c.id, () => {
      const { args, floatArgs, fOf } = setup(c);
      checkGrads(fOf, floatArgs.map((k) => args[k] as DeviceArray), { order: SMOOTH.test(c.fn) ? 2 : 1, modes: ["fwd", "rev"], seed: 7 });
    });
  }
});
