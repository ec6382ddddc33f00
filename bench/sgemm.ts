// SGEMM n=512/1024/2048 on the native backend: median GFLOP/s (compare with numpy in the same run:
// python3 -c ... in bench/README.md).
import { np } from "../engine/src/index.js";
const out: string[] = [];
for (const n of (process.env.SIZES ?? "512,1024,2048").split(",").map(Number)) {
  const r = () => Float32Array.from({ length: n * n }, () => Math.random() * 2 - 1);
  const a = np.array(r()).reshape([n, n]), b = np.array(r()).reshape([n, n]);
  for (let i = 0; i < 3; i++) np.matmul(a, b).dispose();
  const ts: number[] = [];
  const runs = n <= 512 ? 61 : n <= 1024 ? 21 : 9;
  for (let i = 0; i < runs; i++) { const t = performance.now(); np.matmul(a, b).dispose(); ts.push(performance.now() - t); }
  ts.sort((x, y) => x - y);
  out.push(`${n}: ${(2 * n ** 3 / (ts[runs >> 1]! / 1000) / 1e9).toFixed(0)}`);
}
console.log(`tensorlens GFLOP/s ${out.join(", ")}`);
