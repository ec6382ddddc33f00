// Eager dispatch probe: `npx tsx bench/eager.ts`. Medians of eager add on 8 floats (with and
// without dispose) and of the tutorial's eager update_step (grad w.r.t. two kernels + SGD).
import * as tl from "../engine/src/index.js";
import { medianMicros as median, tutorialModel } from "./probe.js";

const { np, jit } = tl;

const a = np.ones([8]), b = np.ones([8]);
console.log(`eager add 8, disposed:     ${median(() => a.add(b).dispose(), 2000).toFixed(3)} µs`);
console.log(`eager add 8, left to GC:   ${median(() => a.add(b), 2000).toFixed(3)} µs`);
const c = np.ones([4096]), d = np.ones([4096]);
console.log(`eager add 4096, left to GC: ${median(() => c.add(d), 500).toFixed(3)} µs`);
const e = np.ones([65536]), f = np.ones([65536]);
console.log(`eager add 64Ki, left to GC: ${median(() => e.add(f), 100).toFixed(3)} µs`);

const { input, target, layers, updateStep } = tutorialModel(tl);
console.log(`eager update_step, disposed: ${median(() => updateStep(input, target, layers).forEach((x: any) => x.dispose()), 20, 101).toFixed(2)} µs`);
console.log(`eager update_step, GC:       ${median(() => updateStep(input, target, layers), 20, 101).toFixed(2)} µs`);
const jitted = jit(updateStep);
console.log(`jit update_step, disposed:   ${median(() => jitted(input, target, layers).forEach((x: any) => x.dispose()), 200, 51).toFixed(2)} µs`);
