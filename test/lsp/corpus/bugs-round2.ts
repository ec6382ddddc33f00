// Planted bugs from real programs: captured state mutated under jit, PRNG keys reused across
// calls and loop iterations, vmap axes that do not match the arguments.
import { np, random, jit, vmap, type DeviceArray } from "tensorlens";

const seen: DeviceArray[] = [];
const stats = { calls: 0, last: np.zeros([3]) };
const step = jit((x: DeviceArray) => {
  const y = np.tanh(x);
  seen.push(y);
  // expect-warning: purity/captured-mutation
  stats.last = y;
  // expect-warning: purity/captured-mutation
  return y.sum();
});
const total = step(np.ones([3]));
// expect: f32[]

function sample(k: DeviceArray) {
  return random.normal(k, [2]);
}
const key = random.key(0);
const a = sample(key);
const b = sample(key);
// expect-warning: prng/key-reuse

const base = random.key(1);
let acc = np.zeros([4]);
for (let i = 0; i < 3; i++) {
  acc = acc.add(random.uniform(base, [4]));
  // expect-warning: prng/key-reuse
}

const pairwise = vmap((p: DeviceArray, q: DeviceArray) => p.dot(q), { inAxes: [0, 0] });
const dots = pairwise(np.ones([5, 3]), np.ones([6, 3]));
// expect-error: shape/vmap-axis-size
const tooMany = vmap((p: DeviceArray) => p.sum(), { inAxes: [0, 0] })(np.ones([5, 3]));
// expect-error: vmap
