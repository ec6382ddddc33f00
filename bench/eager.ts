// Eager dispatch probe: `npx tsx bench/eager.ts`. Medians of eager add on 8 floats (with and
// without dispose) and of the tutorial's eager update_step (grad w.r.t. two kernels + SGD).
import { np, nn, grad, jit } from "../engine/src/index.js";

function median(fn: () => void, inner: number, runs = 31): number {
  for (let i = 0; i < 3; i++) for (let j = 0; j < inner; j++) fn();
  const ts: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    for (let j = 0; j < inner; j++) fn();
    ts.push((performance.now() - t) / inner);
  }
  ts.sort((a, b) => a - b);
  return ts[ts.length >> 1]! * 1000;
}
const rand = (n: number) => Float32Array.from({ length: n }, () => Math.random() * 2 - 1);

const a = np.ones([8]), b = np.ones([8]);
console.log(`eager add 8, disposed:     ${median(() => a.add(b).dispose(), 2000).toFixed(3)} µs`);
console.log(`eager add 8, left to GC:   ${median(() => a.add(b), 2000).toFixed(3)} µs`);
const c = np.ones([4096]), d = np.ones([4096]);
console.log(`eager add 4096, left to GC: ${median(() => c.add(d), 500).toFixed(3)} µs`);
const e = np.ones([65536]), f = np.ones([65536]);
console.log(`eager add 64Ki, left to GC: ${median(() => e.add(f), 100).toFixed(3)} µs`);

const input = np.array([[1, 2], [3, 4], [5, 6]]), target = np.array([[1], [0], [1]]);
const layers = [np.array(rand(8)).reshape([2, 4]), np.array(rand(4)).reshape([4, 1])];
const eps = 1e-8;
const predict = (input: any, layers: any[]) => {
  layers.forEach((k, i) => { input = np.matmul(input, k); input = i !== layers.length - 1 ? nn.relu(input) : nn.sigmoid(input); });
  return input;
};
const lossFn = (input: any, target: any, layers: any[]) => {
  const out = predict(input, layers);
  return np.mean(target.mul(np.log(out.add(eps))).add(np.subtract(1, target).mul(np.log(np.subtract(1, out).add(eps))))).neg();
};
const updateStep = (input: any, target: any, layers: any[]) => {
  const grads = grad(lossFn, { argnums: 2 })(input, target, layers);
  return layers.map((w: any, i: number) => w.sub(grads[i].mul(0.1)));
};
console.log(`eager update_step, disposed: ${median(() => updateStep(input, target, layers).forEach((x: any) => x.dispose()), 20, 101).toFixed(2)} µs`);
console.log(`eager update_step, GC:       ${median(() => updateStep(input, target, layers), 20, 101).toFixed(2)} µs`);
const jitted = jit(updateStep);
console.log(`jit update_step, disposed:   ${median(() => jitted(input, target, layers).forEach((x: any) => x.dispose()), 200, 51).toFixed(2)} µs`);
