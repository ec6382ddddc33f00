// Trains an MLP (784-512-256-10) on Fashion-MNIST with Adam under jit, and reports test accuracy and throughput.
//   npx tsx examples/mlp.ts [dataDir] [--epochs N] [--train N] [--steps N] [--batch N] [--lr X] [--lower [--print]]
// dataDir defaults to /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist).
import { nn, type DeviceArray } from "tensorlens";
import { runFromCommandLine } from "./data/train-loop.js";

/** flatten -> dense(512) -> relu -> dense(256) -> relu -> dense(10). */
export class MLP extends nn.Module {
  call(x: DeviceArray): DeviceArray {
    x = x.reshape([x.shape[0]!, -1]);
    x = nn.relu(nn.Dense(512)(x));
    x = nn.relu(nn.Dense(256)(x));
    return nn.Dense(10)(x);
  }
}

runFromCommandLine(new MLP(), (n) => [n, 28, 28]);
