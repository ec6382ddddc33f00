// Planted shape bugs: each line marked expect-error must be reported, and nothing else.
import { np, random, vmap, lax, type f32, type DeviceArray } from "tensorlens";

const [k1, k2] = random.split(random.key(0));
const x = random.normal(k1, [32, 784]);
const w = random.normal(k2, [512, 128]);
const h = x.matmul(w);
// expect-error: shape/matmul
const transposedNeeded = np.matmul(np.ones([3, 4]), np.ones([5, 4]));
// expect-error: shape/matmul
const bias = np.ones([10]);
const summed = np.add(np.ones([32, 128]), bias);
// expect-error: shape/broadcast
const column = np.multiply(np.ones([3]), np.ones([3, 4]));
// expect-error: shape/broadcast
const flat = np.reshape(np.ones([6, 4]), [5, 5]);
// expect-error: shape/reshape
const reduced = np.sum(np.ones([3, 4]), { axis: 2 });
// expect-error: shape/axis
const joined = np.concatenate([np.ones([3, 4]), np.ones([3, 5])], 0);
// expect-error: shape/concatenate
const stacked = np.stack([np.ones([3]), np.ones([4])], 0);
// expect-error: shape/stack
const mapped = vmap((a: DeviceArray, b: DeviceArray) => a.add(b))(np.ones([8, 3]), np.ones([4, 3]));
// expect-error: shape/vmap-axis-size
const branches = lax.cond(np.ones([]).gt(0), () => np.ones([3]), () => np.ones([4]), );
// expect-error: shape/cond-branches

function layer(a: f32<"B 784">) {
  return a.sum({ axis: 1 });
}
const wrongInput = layer(np.ones([32, 512]));
// expect-error: shape/argument
function unknownInput(a: DeviceArray) {
  // Nothing is known about a: no error may be reported here.
  return a.matmul(np.ones([3, 4])).reshape([7, -1]);
}
