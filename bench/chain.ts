// The bench's fused chain (sigmoid(relu(2x+1)-0.5) on 4M f32, jit) and a few parts of it, against a
// same-run native copy of the same bytes: median ms.
import { np, nn, jit, getBackend, defaultBackendName } from "../engine/src/index.js";
const N = 4 * 1024 * 1024;
const x = np.array(Float32Array.from({ length: N }, () => Math.random() * 4 - 2));
const med = (f: () => void, runs = 41) => { for (let i = 0; i < 3; i++) f(); const ts: number[] = []; for (let i = 0; i < runs; i++) { const t = performance.now(); f(); ts.push(performance.now() - t); } ts.sort((a, b) => a - b); return ts[runs >> 1]!; };
const be: any = getBackend(defaultBackendName());
const buf = (x as any)._buffer, av = (x as any)._aval;
const cases: [string, (x: any) => any][] = [
  ["chain", (x) => nn.sigmoid(nn.relu(x.mul(2).add(1)).sub(0.5))],
  ["2x+1", (x) => x.mul(2).add(1)],
  ["sigmoid", (x) => nn.sigmoid(x)],
  ["exp", (x) => np.exp(x)],
  ["tanh", (x) => np.tanh(x)],
  ["log", (x) => np.log(x)],
];
const out: string[] = [`memcpy ${med(() => be.free(be.execute("reshape", { shape: av.shape }, [buf], [av], [av])[0])).toFixed(3)}`];
for (const [name, f] of cases) { const jf = jit(f); out.push(`${name} ${med(() => jf(x).dispose()).toFixed(3)}`); }
out.push(`memcpy ${med(() => be.free(be.execute("reshape", { shape: av.shape }, [buf], [av], [av])[0])).toFixed(3)}`);
console.log(out.join(" | ") + " ms");
