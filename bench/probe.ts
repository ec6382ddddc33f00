// Shared by the bench and its probe scripts: a synchronous median timer, random data, the
// tutorial's hand-written network (the update_step cases), and the MLP training step (the bench's
// `mlp train step` cases, bench/mlp-step.ts and bench/mlp-profile.ts).
import type * as Tensorlens from "../engine/src/index.js";
type DeviceArray = Tensorlens.DeviceArray;
/** The engine as the caller loaded it (the bench imports the built package, the probes the sources). */
type Engine = Pick<typeof Tensorlens, "np" | "nn" | "grad">;

/** Median microseconds per call of fn over `runs` rounds of `inner` calls, after warm-up. */
export function medianMicros(fn: () => void, inner: number, runs = 31): number {
  for (let j = 0; j < inner * 3; j++) fn();
  const ts: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    for (let j = 0; j < inner; j++) fn();
    ts.push((performance.now() - t) / inner);
  }
  ts.sort((a, b) => a - b);
  return ts[ts.length >> 1]! * 1000;
}

export const rand = (n: number) => { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1; return a; };

/** The tutorial's network (input 3x2, kernels 2x4 and 4x1), its loss and its SGD update_step. */
export function tutorialModel({ np, nn, grad }: Engine) {
  const input = np.array([[1, 2], [3, 4], [5, 6]]), target = np.array([[1], [0], [1]]);
  const layers = [np.array(rand(8)).reshape([2, 4]), np.array(rand(4)).reshape([4, 1])];
  const eps = 1e-8;
  const predict = (x: DeviceArray, ls: DeviceArray[]) => {
    ls.forEach((k, i) => { x = np.matmul(x, k); x = i !== ls.length - 1 ? nn.relu(x) : nn.sigmoid(x); });
    return x;
  };
  const lossFn = (x: DeviceArray, t: DeviceArray, ls: DeviceArray[]) => {
    const out = predict(x, ls);
    return np.mean(t.mul(np.log(out.add(eps))).add(np.subtract(1, t).mul(np.log(np.subtract(1, out).add(eps))))).neg();
  };
  const updateStep = (x: DeviceArray, t: DeviceArray, ls: DeviceArray[]): DeviceArray[] => {
    const grads = grad(lossFn, { argnums: 2 })(x, t, ls) as DeviceArray[];
    return ls.map((w, i) => w.sub(grads[i]!.mul(0.1)));
  };
  return { input, target, layers, updateStep };
}

/**
 * The MLP (784-512-512-10 unless told) with a batch of B random inputs and one-hot labels, and
 * its training step (grad of the softmax cross-entropy + SGD at 0.01, jit): `step(params, x, y)`
 * returns the new params.
 */
export function mlpModel({ np, nn, jit, grad }: Pick<typeof Tensorlens, "np" | "nn" | "grad" | "jit">, B = 128, sizes = [784, 512, 512, 10]) {
  const classes = sizes[sizes.length - 1]!;
  const params: DeviceArray[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) params.push(np.array(rand(sizes[i]! * sizes[i + 1]!).map((v) => v * Math.sqrt(6 / sizes[i]!))).reshape([sizes[i]!, sizes[i + 1]!]), np.zeros([sizes[i + 1]!]));
  const x = np.array(rand(B * sizes[0]!)).reshape([B, sizes[0]!]);
  const labels = new Float32Array(B * classes);
  for (let i = 0; i < B; i++) labels[i * classes + (i % classes)] = 1;
  const y = np.array(labels).reshape([B, classes]);
  const loss = (params: DeviceArray[], x: DeviceArray, y: DeviceArray) => {
    let h = x;
    for (let i = 0; i < params.length; i += 2) { h = np.matmul(h, params[i]!).add(params[i + 1]!); if (i + 2 < params.length) h = nn.relu(h); }
    return np.mean(np.sum(nn.logSoftmax(h).mul(y), { axis: 1 })).neg();
  };
  const step = jit((params: DeviceArray[], x: DeviceArray, y: DeviceArray) => { const g = grad(loss)(params, x, y) as DeviceArray[]; return params.map((p, i) => p.sub(g[i]!.mul(0.01))); });
  return { params, x, y, step };
}
