// Per-example gradients of a small linear model: vmap(grad(loss)) over the batch, with the
// parameters shared (inAxes null); gradient norms per example and a clipped mean.
import { np, random, grad, vmap, jit, type DeviceArray } from "tensorlens";

type Params = { w: DeviceArray; b: DeviceArray };

function loss(params: Params, x: DeviceArray, y: DeviceArray) {
  const pred = x.matmul(params.w).add(params.b);
  return np.mean(np.square(pred.sub(y)));
}

const [kw, kx, ky] = random.split(random.key(0), 3);
const params: Params = { w: random.normal(kw, [5, 3]), b: np.zeros([3]) };
const xs = random.normal(kx, [16, 5]);
const ys = random.normal(ky, [16, 3]);

const perExample = vmap(grad(loss), { inAxes: [null, 0, 0] });
const grads = perExample(params, xs, ys);
// expect: {w: f32[16,5,3], b: f32[16,3]}
const norms = np.sqrt(np.sum(np.square(grads.w), { axis: [1, 2] }).add(np.sum(np.square(grads.b), { axis: 1 })));
// expect: f32[16]
const scale = np.minimum(1, np.divide(1.0, norms.add(1e-6)));
const clippedW = np.mean(grads.w.mul(scale.reshape([16, 1, 1])), { axis: 0 });
// expect: f32[5,3]
const step = jit((p: Params, x: DeviceArray, y: DeviceArray) => {
  const g = vmap(grad(loss), { inAxes: [null, 0, 0] })(p, x, y);
  // expect g: {w: f32[16,5,3], b: f32[16,3]}
  return { w: p.w.sub(np.mean(g.w, { axis: 0 }).mul(0.1)), b: p.b.sub(np.mean(g.b, { axis: 0 }).mul(0.1)) };
});
const updated = step(params, xs, ys);
// expect: {w: f32[5,3], b: f32[3]}
const batchLoss = vmap(loss, { inAxes: [null, 0, 0] })(params, xs, ys);
// expect: f32[16]
