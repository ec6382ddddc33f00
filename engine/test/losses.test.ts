import { test } from "node:test";
import assert from "node:assert/strict";
import { grad, losses, np, optim, type DeviceArray } from "../src/index.js";
import { assertClose, fixture, fromFx, values, type Fx } from "./nn-helpers.js";

const fx = fixture<Record<string, any>>("losses.json");
const logits = fromFx(fx.logits), probs = fromFx(fx.probs), binT = fromFx(fx.binTargets), pred = fromFx(fx.pred), target = fromFx(fx.target);
const labels = np.array(fx.labelsInt as number[], "int32");

test("losses match PyTorch, including logits of +-100 and beyond (stable forms)", () => {
  assertClose(losses.sigmoidBinaryCrossEntropy(logits, binT), fx.sigmoidBce as Fx, { rtol: 1e-5, atol: 1e-5 });
  assertClose(losses.softmaxCrossEntropy(logits, probs), fx.softmaxCe as Fx, { rtol: 1e-5, atol: 1e-4 });
  assertClose(losses.softmaxCrossEntropyWithIntegerLabels(logits, labels), fx.softmaxCeInt as Fx, { rtol: 1e-5, atol: 1e-4 });
  assertClose(losses.l2Loss(pred, target), fx.l2 as Fx, { rtol: 1e-5, atol: 1e-6 });
  assertClose(losses.huberLoss(pred, target, 0.7), fx.huber as Fx, { rtol: 1e-5, atol: 1e-6 });
  assertClose(losses.cosineSimilarity(pred, target), fx.cosine as Fx, { rtol: 1e-5, atol: 1e-6 });
  for (const v of values(losses.sigmoidBinaryCrossEntropy(np.array([1000, -1000]), np.array([0, 1])))) assert.ok(Number.isFinite(v) && Math.abs(v - 1000) < 1e-3);
});

test("loss gradients match PyTorch's autograd", () => {
  const check = (f: (z: DeviceArray) => DeviceArray, key: string) => assertClose(grad((z: DeviceArray) => np.mean(f(z)))(logits), fx[key] as Fx, { rtol: 1e-4, atol: 1e-6, msg: key });
  check((z) => losses.sigmoidBinaryCrossEntropy(z, binT), "sigmoidBceGrad");
  check((z) => losses.softmaxCrossEntropy(z, probs), "softmaxCeGrad");
  check((z) => losses.softmaxCrossEntropyWithIntegerLabels(z, labels), "softmaxCeIntGrad");
});

test("losses are also under optim.losses; integer labels along another axis", () => {
  assert.equal(optim.losses.l2Loss, losses.l2Loss);
  const t = np.transpose(logits, [1, 0]);
  assertClose(losses.softmaxCrossEntropyWithIntegerLabels(t, labels, 0), fx.softmaxCeInt as Fx, { rtol: 1e-5, atol: 1e-4 });
});
