// Trains an MLP (784-512-256-10) on Fashion-MNIST with Adam under jit, and reports test accuracy and throughput.
//   npx tsx examples/mlp.ts [dataDir] [--epochs N] [--train N] [--steps N] [--batch N] [--lr X] [--lower [--print]]
// dataDir defaults to /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist).
import { defaultBackendName, nn, type DeviceArray } from "tensorlens";
import { DEFAULT_FASHION_MNIST, loadSplit } from "./data/idx.js";
import { printResult, train } from "./data/train-loop.js";
import { cpus } from "node:os";
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
  options: { epochs: { type: "string", default: "3" }, train: { type: "string" }, test: { type: "string" }, steps: { type: "string" }, batch: { type: "string", default: "128" }, lr: { type: "string", default: "0.001" }, lower: { type: "boolean" }, print: { type: "boolean" } },
});
const dir = positionals[0] ?? DEFAULT_FASHION_MNIST;
const trainSet = loadSplit(dir, "train", values.train ? Number(values.train) : undefined);
const testSet = loadSplit(dir, "t10k", values.test ? Number(values.test) : undefined);
console.log(`backend: ${defaultBackendName()}; CPU: ${cpus()[0]?.model ?? "unknown"} x${cpus().length}`);
const r = train({
  model: new MLP(), train: trainSet, test: testSet, epochs: Number(values.epochs), batchSize: Number(values.batch), learningRate: Number(values.lr),
  maxSteps: values.steps ? Number(values.steps) : undefined, lower: values.lower ? (values.print ? "print" : true) : false, shape: (n) => [n, 28, 28],
});
if (!values.lower) printResult(r);
