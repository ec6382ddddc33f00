// Per-example gradients: vmap over grad, with the parameters shared (inAxes null).
import { np, random, grad, vmap, type f32, type DeviceArray } from "tensorlens";

function loss(w: DeviceArray, x: DeviceArray, y: DeviceArray) {
  const pred = np.tanh(x.matmul(w));
  // expect: f32[5]
  return np.sum(np.square(pred.sub(y)));
}

const [kw, kx, ky] = random.split(random.key(3), 3);
const w = random.normal(kw, [4, 5]);
const xs = random.normal(kx, [32, 4]);
const ys = random.normal(ky, [32, 5]);
const perExample = vmap(grad(loss), { inAxes: [null, 0, 0] })(w, xs, ys);
// expect: f32[32,4,5]
const batchMean = perExample.mean({ axis: 0 });
// expect: f32[4,5]
const norms = vmap((g: DeviceArray) => np.sqrt(np.sum(np.square(g))))(perExample);
// expect: f32[32]
const transposedOut = vmap((x: DeviceArray) => x.mul(2), { outAxes: 1 })(xs);
// expect: f32[4,32]
