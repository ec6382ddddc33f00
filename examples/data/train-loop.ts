import { DeviceArray, jit, lax, losses, np, optim, random, report, tree, valueAndGrad, type nn } from "tensorlens";
import { DEFAULT_FASHION_MNIST, loadSplit, type Split } from "./idx.js";
import { defaultBackendName } from "tensorlens";
import { cpus } from "node:os";
import { parseArgs } from "node:util";

/**
 * The training loop the two Fashion-MNIST examples share: shuffle with PRNG keys each epoch,
 * a jitted Adam step on minibatches, a progress bar with loss and throughput, and test accuracy.
 */
export interface TrainOptions {
  model: nn.Module; train: Split; test: Split; epochs: number; batchSize: number; learningRate: number;
  seed?: number; maxSteps?: number; shape: (n: number) => number[]; log?: (s: string) => void; progress?: boolean;
  /** Lower the train step and report its size instead of training ("print": the jaxpr and program too). */
  lower?: boolean | "print";
}
export interface TrainResult { losses: number[]; testAccuracy: number; trainExamplesPerSecond: number; seconds: number; steps: number }

function bar(done: number, total: number, width = 30) {
  const filled = Math.round((done / total) * width);
  return `[${"=".repeat(filled)}${filled < width ? ">" : ""}${" ".repeat(Math.max(0, width - filled - 1))}]`;
}

/**
 * One training step in one jit: forward, loss, gradients, the optimizer's update and its
 * application. Returns [params, optimizer state, loss].
 */
export function trainStep(model: nn.Module, tx: optim.GradientTransformation) {
  const lossFn = (p: any, x: DeviceArray, y: DeviceArray) => np.mean(losses.softmaxCrossEntropyWithIntegerLabels(model.apply({ params: p }, x), y));
  return jit((p: any, s: any, x: DeviceArray, y: DeviceArray) => {
    const [loss, grads] = valueAndGrad(lossFn)(p, x, y);
    const [updates, s2] = tx.update(grads, s, p);
    return [optim.applyUpdates(p, updates), s2, loss];
  });
}

/** Counts in a lowered jit: jaxpr equations, and the program's steps by kind (fused kernels, convolutions, matmuls, other ops). */
export function programSummary({ jaxpr, program }: { jaxpr: { eqns: readonly unknown[] }; program: string }): string {
  const ops = new Map<string, number>();
  for (const m of program.matchAll(/^ {2}%\d+: .*? = (fused|\w+)[[ ]/gm)) ops.set(m[1]!, (ops.get(m[1]!) ?? 0) + 1);
  const steps = [...ops.values()].reduce((a, b) => a + b, 0);
  const kinds = [...ops].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} ${k}`).join(", ");
  return `${jaxpr.eqns.length} jaxpr equations; program of ${steps} steps (${kinds}), ${program.split("\n").length} lines`;
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

  const step = trainStep(o.model, tx);
  if (o.lower) {
    // What one jitted step does, without training: the optimized jaxpr and the program it lowers to.
    const lowered = step.lower(params, optState, np.zeros(o.shape(o.batchSize)), np.zeros([o.batchSize], "int32"));
    log(`train step (batch ${o.batchSize}): ${programSummary(lowered)}`);
    if (o.lower === "print") log(`${lowered.jaxpr}\n${lowered.program}`);
    return { losses: [], testAccuracy: NaN, trainExamplesPerSecond: NaN, seconds: 0, steps: 0 };
  }
  const predict = jit((p: any, x: DeviceArray) => np.argmax(o.model.apply({ params: p }, x), { axis: -1 }));

  const stepsPerEpoch = Math.floor(o.train.count / o.batchSize);
  const lossesSeen: number[] = [];
  let steps = 0, trainSeconds = 0;
  let xs: DeviceArray | undefined, ys: DeviceArray | undefined;
  const t0 = performance.now();
  outer: for (let epoch = 1; epoch <= o.epochs; epoch++) {
    let permKey: DeviceArray;
    [key, permKey] = splitTwo(key);
    const perm = random.permutation(permKey, o.train.count);
    if (xs) release([xs, ys], []);
    xs = np.take(xTrain, perm, 0); ys = np.take(yTrain, perm, 0);
    release([perm, permKey], []);
    const e0 = performance.now();
    let running = 0;
    for (let b = 0; b < stepsPerEpoch; b++) {
      const x = sliceRows(xs!, b * o.batchSize, o.batchSize);
      const y = sliceRows(ys!, b * o.batchSize, o.batchSize);
      const [newParams, newState, loss] = step(params, optState, x, y) as [any, any, DeviceArray];
      const l = (loss.dataSync() as Float32Array)[0]!;
      // The old parameters and optimizer state are dead: release them now (as JAX's donate_argnums
      // would) rather than when the garbage collector, which cannot see native memory, gets to them.
      release([params, optState, x, y, loss], [newParams, newState]);
      params = newParams; optState = newState;
      lossesSeen.push(l);
      // Live curves in the editor when run by `tensorlens run` (a no-op elsewhere).
      report({ step: steps, loss: l });
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
    const epochAccuracy = accuracy(predict, params, o.test, o.shape);
    report({ step: steps, testAccuracy: epochAccuracy });
    log(`epoch ${epoch}: loss ${running.toFixed(4)}, test accuracy ${(100 * epochAccuracy).toFixed(2)}%`);
  }
  const testAccuracy = accuracy(predict, params, o.test, o.shape);
  const seconds = (performance.now() - t0) / 1000;
  const trainExamplesPerSecond = (steps * o.batchSize) / trainSeconds;
  return { losses: lossesSeen, testAccuracy, trainExamplesPerSecond, seconds, steps };
}

/** Disposes the arrays of `dead` that are not also among `live` (a step may return an input unchanged). */
function release(dead: unknown[], live: unknown[]) {
  const keep = new Set(tree.leaves(live));
  for (const a of tree.leaves(dead)) if (a instanceof DeviceArray && !keep.has(a)) a.dispose();
}

/** The summary lines the examples end with (the training test reads them). */
export function printResult(r: TrainResult, log: (s: string) => void = console.log) {
  log(`first loss ${r.losses[0]!.toFixed(4)}, last loss ${r.losses[r.losses.length - 1]!.toFixed(4)}`);
  log(`test accuracy: ${(100 * r.testAccuracy).toFixed(2)}%`);
  log(`throughput: ${r.trainExamplesPerSecond.toFixed(0)} examples/s (training, ${r.steps} steps), ${r.seconds.toFixed(1)} s in all`);
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
    const predicted = predict(params, x);
    const pred = predicted.dataSync() as Int32Array;
    for (let j = 0; j < n; j++) if (pred[j] === test.labels[i + j]) correct++;
    release([x, predicted], []);
  }
  return correct / test.count;
}

const USAGE = `usage: npx tsx examples/<name>.ts [dataDir] [--epochs N] [--train N] [--test N] [--steps N] [--batch N] [--lr X] [--lower [--print]]
dataDir defaults to ${DEFAULT_FASHION_MNIST} (Debian's dataset-fashion-mnist).`;

/** The examples' command line: parse options, load Fashion-MNIST, train the model, print the result. */
export function runFromCommandLine(model: nn.Module, shape: (n: number) => number[]) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      epochs: { type: "string", default: "3" }, train: { type: "string" }, test: { type: "string" }, steps: { type: "string" },
      batch: { type: "string", default: "128" }, lr: { type: "string", default: "0.001" }, lower: { type: "boolean" }, print: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) { console.log(USAGE); return; }
  const dir = positionals[0] ?? DEFAULT_FASHION_MNIST;
  const trainSet = loadSplit(dir, "train", values.train ? Number(values.train) : undefined);
  const testSet = loadSplit(dir, "t10k", values.test ? Number(values.test) : undefined);
  console.log(`backend: ${defaultBackendName()}; CPU: ${cpus()[0]?.model ?? "unknown"} x${cpus().length}`);
  const r = train({
    model, train: trainSet, test: testSet, epochs: Number(values.epochs), batchSize: Number(values.batch), learningRate: Number(values.lr),
    maxSteps: values.steps ? Number(values.steps) : undefined, lower: values.lower ? (values.print ? "print" : true) : false, shape,
  });
  if (!values.lower) printResult(r);
}
