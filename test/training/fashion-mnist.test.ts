// Short runs of examples/mlp.ts and examples/fashion-mnist.ts on slices of Fashion-MNIST, run as a
// user would: the loss must fall and test accuracy must beat chance (10%) by a wide margin. And
// the CNN's train step, lowered, must hold one program with exactly the work the model needs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const data = "/usr/share/datasets/fashion-mnist";
const skip = existsSync(`${data}/train-images-idx3-ubyte.gz`) ? false : `no dataset at ${data} (Debian package dataset-fashion-mnist)`;

// The examples import "tensorlens" (engine/dist); scripts/run-tests.mjs builds it before any test runs.

function example(file: string, args: string[]): string {
  const r = spawnSync(process.execPath, ["--import", "tsx", `${root}/examples/${file}`, data, ...args], { encoding: "utf8", cwd: root, timeout: 110_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return r.stdout;
}
function checkRun(out: string, minAccuracy: number) {
  const first = Number(/first loss ([\d.]+)/.exec(out)?.[1]), last = Number(/last loss ([\d.]+)/.exec(out)?.[1]);
  const acc = Number(/test accuracy: ([\d.]+)%/.exec(out)?.[1]);
  assert.ok(first > 2 && last < first * 0.6, `loss ${first} -> ${last}\n${out}`);
  assert.ok(acc > minAccuracy, `test accuracy ${acc}%\n${out}`);
  assert.match(out, /\d+ examples\/s/);
  assert.match(out, /epoch 1\/\d+ \[=+\] \d+\/\d+ loss [\d.]+ \d+ examples\/s/, "progress bar");
}

test("examples/mlp.ts trains on 512 Fashion-MNIST images: loss falls, accuracy well above chance", { skip, timeout: 120_000 }, () => {
  checkRun(example("mlp.ts", ["--train", "512", "--test", "500", "--batch", "64", "--epochs", "3", "--lr", "0.002"]), 55);
});

test("examples/fashion-mnist.ts (the CNN) trains on 1024 images: loss falls, accuracy well above chance", { skip, timeout: 120_000 }, () => {
  checkRun(example("fashion-mnist.ts", ["--train", "1024", "--test", "500", "--batch", "64", "--epochs", "2", "--lr", "0.002"]), 55);
});

test("the train steps lower to one program each with no needless convolution or matmul, and pooling without pads", { skip, timeout: 120_000 }, () => {
  const steps = (out: string) => {
    const m = /train step \(batch \d+\): (\d+) jaxpr equations; program of (\d+) steps \(([^)]*)\)/.exec(out);
    assert.ok(m, out);
    return Object.fromEntries(m[3]!.split(", ").map((s) => { const [n, k] = s.split(" "); return [k!, Number(n)]; }));
  };
  // CNN: 2 convolutions forward; backward the kernel gradients of both and the input gradient of the
  // second only (nothing needs the image's gradient). Dense layers: 2 matmuls forward, 4 backward.
  const cnn = steps(example("fashion-mnist.ts", ["--train", "256", "--test", "100", "--lower"]));
  assert.equal(cnn.conv_general_dilated, 5, JSON.stringify(cnn));
  assert.equal(cnn.dot_general, 6, JSON.stringify(cnn));
  assert.equal(cnn.pad, undefined, `2x2 pooling needs no pads: ${JSON.stringify(cnn)}`);
  // MLP: 3 matmuls forward, 5 backward (no gradient for the input).
  const mlp = steps(example("mlp.ts", ["--train", "256", "--test", "100", "--lower"]));
  assert.equal(mlp.dot_general, 8, JSON.stringify(mlp));
});
