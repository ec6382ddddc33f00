// Heap-vs-native buffer threshold probe: `TENSORLENS_HEAP_MAX=<bytes> npx tsx bench/heap-threshold.ts`
// prints the median eager add (results left to the collector) per size.
import { np } from "../engine/src/index.js";
import { medianMicros as median } from "./probe.js";
const out: string[] = [];
const disp = !!process.env.DISPOSE;
for (const kib of (process.env.SIZES ?? "0.03125,1,4,16,32,64,128,256").split(",").map(Number)) {
  const n = (kib * 1024) / 4;
  const a = np.ones([n]), b = np.ones([n]);
  out.push(`${kib} KiB: ${median(disp ? () => a.add(b).dispose() : () => a.add(b), Math.max(20, Math.round(2000 / Math.max(1, kib)))).toFixed(2)} µs`);
}
console.log(`heap max ${process.env.TENSORLENS_HEAP_MAX ?? "default"}: ${out.join(", ")}`);
