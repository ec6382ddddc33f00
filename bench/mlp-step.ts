// The bench's MLP training step alone (784-512-512-10, B=128, grad + SGD, jit): median ms.
import { np, nn, jit, grad } from "../engine/src/index.js";
import { rand } from "./probe.js";
const B = 128, sizes = [784, 512, 512, 10];
const params: any[] = [];
for (let i = 0; i + 1 < sizes.length; i++) params.push(np.array(rand(sizes[i]! * sizes[i + 1]!).map((v) => v * Math.sqrt(6 / sizes[i]!))).reshape([sizes[i]!, sizes[i + 1]!]), np.zeros([sizes[i + 1]!]));
const x = np.array(rand(B * 784)).reshape([B, 784]);
const labels = new Float32Array(B * 10);
for (let i = 0; i < B; i++) labels[i * 10 + (i % 10)] = 1;
const y = np.array(labels).reshape([B, 10]);
const loss = (params: any[], x: any, y: any) => {
  let h = x;
  for (let i = 0; i < params.length; i += 2) { h = np.matmul(h, params[i]).add(params[i + 1]); if (i + 2 < params.length) h = nn.relu(h); }
  return np.mean(np.sum(nn.logSoftmax(h).mul(y), { axis: 1 })).neg();
};
const step = jit((params: any[], x: any, y: any) => { const g = grad(loss)(params, x, y); return params.map((p: any, i: number) => p.sub(g[i].mul(0.01))); });
const ts: number[] = [];
for (let i = 0; i < 150; i++) { const t = performance.now(); step(params, x, y).forEach((a: any) => a.dispose()); ts.push(performance.now() - t); }
ts.sort((a, b) => a - b);
console.log(`mlp train step (jit): median ${ts[75]!.toFixed(2)} ms, p10 ${ts[15]!.toFixed(2)} ms${process.env.TL_NOEPI ? " (no epilogues)" : ""}`);
