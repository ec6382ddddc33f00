// An Elman RNN over a sequence with lax.scan; a cond-guarded clip of the hidden state.
import { np, lax, random, type f32, type DeviceArray } from "tensorlens";

const [k1, k2] = random.split(random.key(7));
const wx = random.normal(k1, [8, 16]);
const wh = random.normal(k2, [16, 16]);

function cell(h: DeviceArray, x: DeviceArray) {
  const next = np.tanh(x.matmul(wx).add(h.matmul(wh)));
  // expect: f32[4,16]
  return [next, next.sum({ axis: -1 })];
}

export function run(xs: f32<"T 4 8">) {
  const h0 = np.zeros([4, 16]);
  const [hT, ys] = lax.scan(cell, h0, xs);
  // expect hT: f32[4,16]
  // expect ys: f32[T,4]
  const clipped = lax.cond(np.max(hT).gt(10), (h: DeviceArray) => h.mul(0.1), (h: DeviceArray) => h, hT);
  // expect: f32[4,16]
  return [clipped, ys];
}

const [final, outputs] = run(np.zeros([12, 4, 8]));
// expect final: f32[4,16]
// expect outputs: f32[12,4]
let acc = np.zeros([4]);
for (let i = 0; i < 3; i++) {
  acc = acc.add(np.ones([4]));
}
const accumulated = acc;
// expect: f32[4]
let grows = np.zeros([1]);
while (grows.shape[0] < 10) {
  grows = np.concatenate([grows, grows], 0);
}
const grown = grows;
// expect: f32[?]
