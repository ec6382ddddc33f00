// Trains a small CNN on Fashion-MNIST with Adam under jit, and reports test accuracy and throughput.
//   npx tsx examples/fashion-mnist.ts [dataDir] [--epochs N] [--train N] [--steps N] [--batch N] [--lr X] [--lower [--print]]
// dataDir defaults to /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist).
import { defaultBackendName, nn, type DeviceArray } from "tensorlens";
import { DEFAULT_FASHION_MNIST, loadSplit } from "./data/idx.js";
import { printResult, train } from "./data/train-loop.js";
import { cpus } from "node:os";
import { parseArgs } from "node:util";

/** conv(32) -> relu -> maxpool -> conv(64) -> relu -> maxpool -> dense(128) -> relu -> dense(10), on NHWC images. */
export class CNN extends nn.Module {
  call(x: DeviceArray): DeviceArray {
    x = nn.Conv(32, [3, 3])(x);
    x = nn.relu(x);
    x = nn.maxPool(x, [2, 2], { strides: [2, 2] });
    x = nn.Conv(64, [3, 3])(x);
    x = nn.relu(x);
    x = nn.maxPool(x, [2, 2], { strides: [2, 2] });
    x = x.reshape([x.shape[0]!, -1]);
    x = nn.Dense(128)(x);
    x = nn.relu(x);
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
  model: new CNN(), train: trainSet, test: testSet, epochs: Number(values.epochs), batchSize: Number(values.batch), learningRate: Number(values.lr),
  maxSteps: values.steps ? Number(values.steps) : undefined, lower: values.lower ? (values.print ? "print" : true) : false, shape: (n) => [n, 28, 28, 1],
});
if (!values.lower) printResult(r);
