// Planted module bugs: applying parameters to an input they do not fit, bad layer configurations.
import { np, nn, random, type DeviceArray } from "tensorlens";

class Net extends nn.Module {
  call(x: DeviceArray) {
    x = nn.Dense(4)(x);
    // expect-error: Dense: contraction dims differ
    return nn.Dense(1)(nn.relu(x));
  }
}
const vars = new Net().init(random.PRNGKey(0), np.ones([3, 2]));
const wrong = new Net().apply(vars, np.ones([3, 5]));

const groups = nn.GroupNorm({ numGroups: 3 }).init(random.PRNGKey(1), np.ones([2, 8]));
// expect-error: GroupNorm: 8 features are not divisible by numGroups 3
const attention = nn.MultiHeadDotProductAttention(3, { qkvFeatures: 32 }).init(random.PRNGKey(2), np.ones([2, 5, 16]));
// expect-error: qkvFeatures 32 is not divisible by numHeads 3
const conv = nn.Conv(8, [3, 3]).init(random.PRNGKey(3), np.ones([28, 28]));
// expect-error: Conv: a 2-D kernel needs inputs
