// A longer training program: an MLP classifier trained with Adam under jit, minibatches from a
// permutation, gradient accumulation with lax.scan, a lax.cond that skips non-finite updates,
// per-example losses with vmap, and metrics collected with push in loops.
import { np, nn, lax, optim, random, grad, valueAndGrad, vmap, jit, type DeviceArray } from "tensorlens";

type Layer = { w: DeviceArray; b: DeviceArray };
type Params = Layer[];

const SIZES = [8, 32, 32, 4];
const N = 64, BATCH = 16, STEPS = 5;

function initParams(key: DeviceArray): Params {
  const params: Params = [];
  const keys = random.split(key, SIZES.length - 1);
  for (let i = 0; i < SIZES.length - 1; i++) {
    const scale = Math.sqrt(2 / SIZES[i]!);
    params.push({ w: random.normal(keys.get(i), [SIZES[i]!, SIZES[i + 1]!]).mul(scale), b: np.zeros([SIZES[i + 1]!]) });
  }
  return params;
}

function forward(params: Params, x: DeviceArray): DeviceArray {
  let h = x;
  params.forEach((layer, i) => {
    h = h.matmul(layer.w).add(layer.b);
    if (i < params.length - 1) h = nn.relu(h);
  });
  return h;
}

function lossFn(params: Params, x: DeviceArray, y: DeviceArray) {
  const logits = forward(params, x);
  // expect logits: f32[?,4]
  const logp = nn.logSoftmax(logits, { axis: -1 });
  const onehot = nn.oneHot(y, 4);
  return np.mean(np.sum(logp.mul(onehot), { axis: -1 })).mul(-1);
}

const tx = optim.adam(1e-3);
const [kp, kx, ky, kperm] = random.split(random.key(0), 4);
let params = initParams(kp);
// expect params: [{w: f32[8,32], b: f32[32]}, {w: f32[32,32], b: f32[32]}, {w: f32[32,4], b: f32[4]}]
let optState = tx.init(params);
const xAll = random.normal(kx, [N, 8]);
const yAll = random.randint(ky, [N], 0, 4);

const trainStep = jit((params: Params, optState: any, x: DeviceArray, y: DeviceArray) => {
  const [loss, grads] = valueAndGrad(lossFn)(params, x, y);
  const [updates, nextState] = tx.update(grads, optState, params);
  const nextParams = optim.applyUpdates(params, updates);
  const finite = np.isfinite(loss);
  const [p, s] = lax.cond(finite, () => [nextParams, nextState], () => [params, optState]);
  // expect p: [{w: f32[8,32], b: f32[32]}, {w: f32[32,32], b: f32[32]}, {w: f32[32,4], b: f32[4]}]
  return [p, s, loss];
});

const accumulate = jit((params: Params, xs: DeviceArray, ys: DeviceArray) => {
  const zeros = params.map((l) => ({ w: np.zerosLike(l.w), b: np.zerosLike(l.b) }));
  const [total, losses] = lax.scan((acc: Params, batch: DeviceArray[]) => {
    const [l, g] = valueAndGrad(lossFn)(params, batch[0]!, batch[1]!);
    const next = acc.map((a, i) => ({ w: a.w.add(g[i]!.w), b: a.b.add(g[i]!.b) }));
    return [next, l];
  }, zeros, [xs, ys]);
  return [total, losses];
});

const losses: DeviceArray[] = [];
const perm = random.permutation(kperm, N);
for (let step = 0; step < STEPS; step++) {
  const start = (step * BATCH) % N;
  const idx = perm.get(np.s(start, start + BATCH));
  const x = np.take(xAll, idx, { axis: 0 });
  const y = np.take(yAll, idx, { axis: 0 });
  const [p, s, loss] = trainStep(params, optState, x, y);
  params = p;
  optState = s;
  losses.push(loss);
}
const lossCurve = np.stack(losses);
// expect: f32[5]
const lossHistory = np.concatenate(losses.map((l) => l.reshape([1])), 0);
// expect lossHistory: f32[5]

const chunks: DeviceArray[] = [];
for (let i = 0; i < 4; i++) chunks.push(xAll.get(np.s(i * BATCH, (i + 1) * BATCH)));
const batched = np.stack(chunks);
// expect: f32[4,16,8]
const [summed, chunkLosses] = accumulate(params, batched, np.stack([yAll.get(np.s(0, 16)), yAll.get(np.s(16, 32)), yAll.get(np.s(32, 48)), yAll.get(np.s(48, 64))]));
// expect chunkLosses: f32[4]

const perExampleLoss = vmap((x: DeviceArray, y: DeviceArray) => lossFn(params, x.reshape([1, 8]), y.reshape([1])))(xAll, yAll);
// expect perExampleLoss: f32[64]
const steps = np.arange(STEPS);
// expect: i32[5]
const epochs = np.arange(1, 11);
// expect: i32[10]
const repeated = np.repeat(steps, 2);
// expect: i32[10]
const logits = forward(params, xAll);
// expect: f32[64,4]
const confusion = np.zeros([4, 4]).at(np.s()).add(0);
const accuracy = np.mean(np.equal(np.argmax(logits, { axis: -1 }), yAll).astype("float32"));
const diag = np.diagonal(confusion);
// expect: f32[4]

// Ordinary code around the arrays: a list of unknown length from a while loop, for...of over a
// list of lists, object spreads, default parameters, closures and early returns.
const history: DeviceArray[] = [];
let epoch = 0;
while (epoch * 10 < N) {
  history.push(np.full([2], epoch));
  epoch += 3;
}
const stacked = np.stack(history);
// expect: f32[?,2]
const groups = [[xAll, xAll], [xAll]];
let rows = 0;
for (const group of groups) {
  for (const g of group) rows += g.shape[0];
}
function summarize(xs: DeviceArray[], scale = 2) {
  const base = { axis: 0 };
  const opts = { ...base, keepdims: true };
  if (xs.length === 0) return np.zeros([1, 8]);
  return np.concatenate(xs, 0).mean(opts).mul(scale);
}
const summary = summarize([xAll, xAll]);
// expect: f32[1,8]
const scaleBy = (k: number) => (x: DeviceArray) => x.mul(k);
const doubled = scaleBy(2)(logits);
// expect: f32[64,4]
