// Planted jit/purity bugs and PRNG key reuse.
import { np, jit, random, type DeviceArray } from "tensorlens";

let calls = 0;
const history: number[] = [];

export const f = jit((x: DeviceArray) => {
  if (x.sum()) {
    // expect-warning: purity/array-condition
    x = x.mul(2);
  }
  const s = x.sum().item();
  // expect-error: purity/concretize
  const n = Number(x.max());
  // expect-error: purity/concretize
  const noise = Math.random();
  // expect-warning: purity/impure-call
  const t = Date.now();
  // expect-warning: purity/impure-call
  console.log("tracing", x);
  // expect-warning: purity/impure-call
  calls = calls + 1;
  // expect-warning: purity/captured-mutation
  const y = x.gt(0) ? x : x.neg();
  // expect-warning: purity/array-condition
  return y.mul(s + n + noise + t);
});

const key = random.key(0);
const a = random.normal(key, [3]);
const b = random.uniform(key, [3]);
// expect-warning: prng/key-reuse
let k = random.key(1);
const samples = [];
for (let i = 0; i < 4; i++) {
  samples.push(random.normal(k, [2]));
  // expect-warning: prng/key-reuse
}
const fine = (() => {
  const [k1, k2] = random.split(random.key(2));
  return [random.normal(k1, [2]), random.normal(k2, [2])];
})();
const outsideJit = np.ones([3]).sum().item();
const ok = np.where(np.ones([3]).gt(0), np.ones([3]), np.zeros([3]));
