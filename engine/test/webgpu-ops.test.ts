// The numpy op fixtures (numpy's own outputs, scripts/gen_fixtures.py) on the webgpu backend:
// each case runs with webgpu as the default backend, its outputs are read with `await x.data()`
// (after which synchronous reads work), then compared as on every backend. Skips only when no
// adapter can be found (TENSORLENS_REQUIRE_WEBGPU=1 makes that a failure).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { np, nn, setDefaultBackend, defaultBackendName, getBackend, DeviceArray } from "./helpers/engine.js";
import { callCase, compareOut } from "./helpers/op-cases.js";
import { loadFixture, type OpCase } from "./helpers/fixtures.js";
import type { WebGPUBackend } from "../src/backend/webgpu/backend.js";

const ready = await (getBackend("webgpu") as WebGPUBackend).ready().then(() => true, (e: Error) => e.message);
if (ready !== true && process.env.TENSORLENS_REQUIRE_WEBGPU === "1") throw new Error(`TENSORLENS_REQUIRE_WEBGPU=1 but ${ready}`);
const skip = ready === true ? false : `no WebGPU adapter: ${ready}`;

/** Reads every array of a result (arrays, lists, dicts) back to the host. */
async function materialize(x: unknown): Promise<void> {
  if (x instanceof DeviceArray) { await x.data(); return; }
  if (Array.isArray(x)) { for (const v of x) await materialize(v); return; }
  if (x && typeof x === "object") for (const v of Object.values(x)) await materialize(v);
}

/**
 * Cases that read values synchronously, so on webgpu they throw the error that says to await:
 * results whose size depends on values (nonzero and its kin, extract, place, unique's inverse,
 * choose with mode "raise"; under jit these need static sizes too). (gcd/lcm, a while loop on
 * device values, run: the backend reads its predicate asynchronously, webgpu-control.test.ts.)
 */
const READS_VALUES = new Set<string>(["place#0", "extract#0", "choose#0", "nonzero#0", "flatnonzero#0", "argwhere#0", "uniqueInverse#0"]);

for (const [file, root] of [["numpy-ops.json", { ...np, nn }], ["nn-functions.json", { ...np, nn }]] as const) {
  const cases = loadFixture<OpCase[]>(file);
  describe(`${file} on webgpu`, { skip }, () => {
    let was = "reference";
    before(() => { was = defaultBackendName(); setDefaultBackend("webgpu"); });
    after(() => setDefaultBackend(was));
    for (const c of cases) {
      it(c.id, async () => {
        if (READS_VALUES.has(c.id)) {
          assert.throws(() => callCase(root, c), /await x\.data\(\)/);
          return;
        }
        const out = callCase(root, c);
        await materialize(out);
        compareOut(out, c.out, c.id, { rtol: Math.max(c.rtol ?? 0, 1e-4), atol: Math.max(c.atol ?? 0, 1e-5) });
      });
    }
  });
}
