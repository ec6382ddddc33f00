// numpy indexing in the engine's API: x.get(...idx), np.index, x.at(...idx).set/add, take, takeAlongAxis.
import { np, type f32 } from "tensorlens";

const x = np.zeros([3, 4, 5]);
// expect: f32[3,4,5]
const row = x.get(0);
// expect: f32[4,5]
const col = x.get(":", 1);
// expect: f32[3,5]
const sliced = x.get("1:3", "::-1", null);
// expect: f32[2,4,1,5]
const last = np.index(x, "...", -1);
// expect: f32[3,4]
const strided = x.get(np.s(0, 2), np.s(null, null, 2));
// expect: f32[2,2,5]
const idx = np.array([0, 2], "int32");
// expect: i32[2]
const gathered = x.get(idx);
// expect: f32[2,4,5]
const inner = x.get(":", np.zeros([2, 3], "int32"), np.zeros([3], "int32"));
// expect: f32[3,2,3]
const apart = x.get(idx, ":", idx);
// expect: f32[2,4]
const listIdx = x.get([0, 1]);
// expect: f32[2,4,5]
const updated = x.at(0, ":", 1).set(1);
// expect: f32[3,4,5]
const added = x.at(idx).add(np.ones([2, 4, 5]));
// expect: f32[3,4,5]
const taken = np.take(x, idx, 1);
// expect: f32[3,2,5]
const flatTaken = np.take(x, np.zeros([6], "int32"));
// expect: f32[6]
const along = np.takeAlongAxis(x, np.zeros([3, 4, 2], "int32"), 2);
// expect: f32[3,4,2]

export function lastToken(h: f32<"B T 8">) {
  const out = h.get(":", -1);
  // expect: f32[B,8]
  return out;
}
