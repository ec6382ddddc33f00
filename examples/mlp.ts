// Trains an MLP (784-512-256-10) on Fashion-MNIST with Adam under jit, and reports test accuracy and throughput.
//   npx tsx examples/mlp.ts [dataDir] [--epochs N] [--train N] [--steps N] [--batch N]
// dataDir defaults to /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist).
import { defaultBackendName, nn, type DeviceArray } from "tensorlens";
import { DEFAULT_FASHION_MNIST, loadSplit } from "./data/idx.js";
import { train } from "./data/train-loop.js";
import { parseArgs } from "node:util";

/** flatten -> dense(512) -> relu -> dense(256) -> relu -> dense(10). */
export class MLP extends nn.Module {
  call(x: DeviceArray): DeviceArray {
    x = x.reshape([x.shape[0]!, -1]);
    x = nn.relu(nn.Dense(512)(x));
    x = nn.relu(nn.Dense(256)(x));
    return nn.Dense(10)(x);
  }
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { epochs: { type: "string", default: "3" }, train: { type: "string" }, test: { type: "string" }, steps: { type: "string" }, batch: { type: "string", default: "128" }, lr: { type: "string", default: "0.001" } },
});
const dir = positionals[0] ?? DEFAULT_FASHION_MNIST;
const trainSet = loadSplit(dir, "train", values.train ? Number(values.train) : undefined);
const testSet = loadSplit(dir, "t10k", values.test ? Number(values.test) : undefined);
console.log(`backend: ${defaultBackendName()}`);
const r = train({
  model: new MLP(), train: trainSet, test: testSet, epochs: Number(values.epochs), batchSize: Number(values.batch), learningRate: Number(values.lr),
  maxSteps: values.steps ? Number(values.steps) : undefined, shape: (n) => [n, 28, 28],
});
console.log(`first loss ${r.losses[0]!.toFixed(4)}, last loss ${r.losses[r.losses.length - 1]!.toFixed(4)}`);
console.log(`test accuracy: ${(100 * r.testAccuracy).toFixed(2)}%`);
console.log(`throughput: ${r.trainExamplesPerSecond.toFixed(0)} examples/s (training, ${r.steps} steps), ${r.seconds.toFixed(1)} s in all`);
