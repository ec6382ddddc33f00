import { jit, lax, losses, np, optim, random, tree, valueAndGrad, type DeviceArray, type nn } from "tensorlens";
import type { Split } from "./idx.js";

/**
 * The training loop the two Fashion-MNIST examples share: shuffle with PRNG keys each epoch,
 * a jitted Adam step on minibatches, a progress bar with loss and throughput, and test accuracy.
 */
export interface TrainOptions {
  model: nn.Module; train: Split; test: Split; epochs: number; batchSize: number; learningRate: number;
  seed?: number; maxSteps?: number; shape: (n: number) => number[]; log?: (s: string) => void; progress?: boolean;
}
export interface TrainResult { losses: number[]; testAccuracy: number; trainExamplesPerSecond: number; seconds: number; steps: number }

function bar(done: number, total: number, width = 30) {
  const filled = Math.round((done / total) * width);
  return `[${"=".repeat(filled)}${filled < width ? ">" : ""}${" ".repeat(Math.max(0, width - filled - 1))}]`;
}

export function train(o: TrainOptions): TrainResult {
  const log = o.log ?? ((s: string) => console.log(s));
  const xTrain = np.array(o.train.images).reshape([o.train.count, ...o.shape(1).slice(1)]);
  const yTrain = np.array(o.train.labels, "int32");
  let key = random.PRNGKey(o.seed ?? 0);
  let initKey: DeviceArray;
  [key, initKey] = splitTwo(key);
  let params = o.model.init(initKey, np.zeros(o.shape(1))).params;
  const tx = optim.adam(o.learningRate);
  let optState = tx.init(params);
  const count = tree.leaves(params).reduce((s: number, p: any) => s + p.size, 0);
  log(`model: ${count.toLocaleString("en")} parameters; ${o.train.count} training and ${o.test.count} test images of ${o.train.rows}x${o.train.cols}`);

  const lossFn = (p: any, x: DeviceArray, y: DeviceArray) => np.mean(losses.softmaxCrossEntropyWithIntegerLabels(o.model.apply({ params: p }, x), y));
  const step = jit((p: any, s: any, x: DeviceArray, y: DeviceArray) => {
    const [loss, grads] = valueAndGrad(lossFn)(p, x, y);
    const [updates, s2] = tx.update(grads, s, p);
    return [optim.applyUpdates(p, updates), s2, loss];
  });
  const predict = jit((p: any, x: DeviceArray) => np.argmax(o.model.apply({ params: p }, x), { axis: -1 }));

  const stepsPerEpoch = Math.floor(o.train.count / o.batchSize);
  const lossesSeen: number[] = [];
  let steps = 0, trainSeconds = 0;
  const t0 = performance.now();
  outer: for (let epoch = 1; epoch <= o.epochs; epoch++) {
    let permKey: DeviceArray;
    [key, permKey] = splitTwo(key);
    const perm = random.permutation(permKey, o.train.count);
    const xs = np.take(xTrain, perm, 0), ys = np.take(yTrain, perm, 0);
    const e0 = performance.now();
    let running = 0;
    for (let b = 0; b < stepsPerEpoch; b++) {
      const x = sliceRows(xs, b * o.batchSize, o.batchSize);
      const y = sliceRows(ys, b * o.batchSize, o.batchSize);
      let loss: DeviceArray;
      [params, optState, loss] = step(params, optState, x, y) as [any, any, DeviceArray];
      const l = (loss.dataSync() as Float32Array)[0]!;
      lossesSeen.push(l);
      running = b === 0 ? l : 0.9 * running + 0.1 * l;
      steps++;
      const secs = (performance.now() - e0) / 1000;
      if (o.progress !== false && (b % 10 === 0 || b === stepsPerEpoch - 1)) {
        process.stdout.write(`\repoch ${epoch}/${o.epochs} ${bar(b + 1, stepsPerEpoch)} ${b + 1}/${stepsPerEpoch} loss ${running.toFixed(4)} ${(((b + 1) * o.batchSize) / secs).toFixed(0)} examples/s `);
      }
      if (o.maxSteps !== undefined && steps >= o.maxSteps) { trainSeconds += (performance.now() - e0) / 1000; if (o.progress !== false) process.stdout.write("\n"); break outer; }
    }
    trainSeconds += (performance.now() - e0) / 1000;
    if (o.progress !== false) process.stdout.write("\n");
    log(`epoch ${epoch}: loss ${running.toFixed(4)}, test accuracy ${(100 * accuracy(predict, params, o.test, o.shape)).toFixed(2)}%`);
  }
  const testAccuracy = accuracy(predict, params, o.test, o.shape);
  const seconds = (performance.now() - t0) / 1000;
  const trainExamplesPerSecond = (steps * o.batchSize) / trainSeconds;
  return { losses: lossesSeen, testAccuracy, trainExamplesPerSecond, seconds, steps };
}

function splitTwo(k: DeviceArray): [DeviceArray, DeviceArray] {
  const ks = random.split(k, 2);
  return [sliceRows(ks, 0, 1).reshape([2]), sliceRows(ks, 1, 1).reshape([2])];
}
function sliceRows(x: DeviceArray, start: number, n: number): DeviceArray {
  return lax.slice(x, x.shape.map((_, i) => (i === 0 ? start : 0)), x.shape.map((d, i) => (i === 0 ? start + n : d)));
}

function accuracy(predict: (p: any, x: DeviceArray) => DeviceArray, params: any, test: Split, shape: (n: number) => number[]): number {
  const batch = 1000;
  let correct = 0;
  for (let i = 0; i < test.count; i += batch) {
    const n = Math.min(batch, test.count - i);
    const x = np.array(test.images.subarray(i * test.rows * test.cols, (i + n) * test.rows * test.cols)).reshape(shape(n));
    const pred = predict(params, x).dataSync() as Int32Array;
    for (let j = 0; j < n; j++) if (pred[j] === test.labels[i + j]) correct++;
  }
  return correct / test.count;
}
