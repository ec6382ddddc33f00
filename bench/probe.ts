// Shared by the bench and its probe scripts: a synchronous median timer, random data, and the
// tutorial's hand-written network (the update_step cases).
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
