// Trains a small CNN on Fashion-MNIST with Adam under jit, and reports test accuracy and throughput.
//   npx tsx examples/fashion-mnist.ts [dataDir] [--epochs N] [--train N] [--steps N] [--batch N] [--lr X] [--lower [--print]]
// dataDir defaults to /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist).
import { nn, type DeviceArray } from "tensorlens";
import { runFromCommandLine } from "./data/train-loop.js";

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

runFromCommandLine(new CNN(), (n) => [n, 28, 28, 1]);
