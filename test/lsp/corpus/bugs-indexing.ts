// Planted indexing bugs: out-of-range static indices, too many indices, bad updates.
import { np } from "tensorlens";

const x = np.zeros([3, 4]);
const a = x.get(5);
// expect-error: index 5 is out of bounds for axis 0 with size 3
const b = np.index(x, ":", -5);
// expect-error: index -5 is out of bounds for axis 1 with size 4
const c = x.get(0, 0, 0);
// expect-error: too many indices
const d = x.at(":", 4).set(0);
// expect-error: index 4 is out of bounds for axis 1 with size 4
const e = x.at(0).set(np.ones([5]));
// expect-error: shape/broadcast
const f = np.take(x, np.zeros([2], "int32"), 2);
// expect-error: axis 2 is out of range
