// The five-op chain sigmoid(relu(2x+1)-0.5) over 4M f32 as users write it and with dispose /
// donation, eager and jitted, beside a native copy of the same 16 MiB: median ms per variant,
// three interleaved rounds. `npx tsx bench/chain-variants.ts`; TENSORLENS_POOL_MAX=0 turns the
// backend's block pool off (backend/native/pool.ts) for a before/after comparison.
import { np, nn, jit, getBackend, defaultBackendName, type DeviceArray } from "../engine/src/index.js";
const N = 4 * 1024 * 1024;
const x = np.array(Float32Array.from({ length: N }, () => Math.random() * 4 - 2));
const med = (f: () => void, runs = 41) => {
  for (let i = 0; i < 5; i++) f();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) { const t = performance.now(); f(); ts.push(performance.now() - t); }
  ts.sort((a, b) => a - b);
  return ts[runs >> 1]!;
};
const be: any = getBackend(defaultBackendName());
const buf = (x as any)._buffer, av = (x as any)._aval;
const chain = (x: DeviceArray) => nn.sigmoid(nn.relu(x.mul(2).add(1)).sub(0.5));
const jf = jit(chain), jd = jit(chain, { donateArgnums: 0 });
let cur = x.mul(1);
const variants: [string, () => void][] = [
  ["memcpy", () => be.free(be.execute("reshape", { shape: av.shape }, [buf], [av], [av])[0])],
  ["eager", () => { chain(x); }],
  ["eager+dispose", () => { const a = x.mul(2), b = a.add(1), c = nn.relu(b), d = c.sub(0.5), e = nn.sigmoid(d); for (const t of [a, b, c, d, e]) t.dispose(); }],
  ["jit", () => { jf(x); }],
  ["jit+dispose", () => jf(x).dispose()],
  ["jit+donate", () => { cur = jd(cur); }],
];
for (let round = 0; round < 3; round++) {
  console.log(variants.map(([n, f]) => `${n} ${med(f).toFixed(3)}`).join(" | ") + " ms");
}
const s = be.poolStats?.();
if (s) console.log(`pool: ${s.hits} hits, ${s.misses} misses, held ${(s.heldBytes / 2 ** 20).toFixed(0)} MiB, returned by free ${s.returnedByFree} / by GC ${s.returnedByGC}`);
