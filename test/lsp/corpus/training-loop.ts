// A linear-regression training loop: valueAndGrad, an SGD update over a params tree, key splitting per step.
import { np, random, valueAndGrad, jit, tree, type f32, type DeviceArray } from "tensorlens";

type Params = { w: DeviceArray; b: DeviceArray };

function mse(params: Params, x: f32<"N 3">, y: f32<"N">) {
  const pred = x.matmul(params.w).add(params.b);
  // expect: f32[N]
  return np.mean(np.square(pred.sub(y)));
}

const step = jit((params: Params, x: DeviceArray, y: DeviceArray) => {
  const [loss, grads] = valueAndGrad(mse)(params, x, y);
  // expect loss: f32[]
  const next = tree.map((p: DeviceArray, g: DeviceArray) => p.sub(g.mul(0.05)), params, grads);
  return [next, loss] as const;
});

let key = random.key(0);
let params = { w: np.zeros([3]), b: np.zeros([]) };
for (let epoch = 0; epoch < 100; epoch++) {
  const [next, sub] = random.split(key);
  key = next;
  const x = random.normal(sub, [128, 3]);
  // expect: f32[128,3]
  const y = x.matmul(np.array([1, -2, 0.5])).add(0.3);
  // expect: f32[128]
  const [p, loss] = step(params, x, y);
  params = p;
}
const finalW = params.w;
// expect: f32[3]
