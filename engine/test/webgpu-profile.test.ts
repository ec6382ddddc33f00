// The profiler on the webgpu backend: where the adapter has `timestamp-query`, the steps of a
// jitted program carry GPU kernel times (one timed pass per dispatch, attributed to the jit call
// that ran them, placed inside the profile); where it has not, no kernel times are invented and
// the profile says so once. Skips only when no adapter can be found (TENSORLENS_REQUIRE_WEBGPU=1
// makes that a failure).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { np, nn, jit, devicePut, getBackend, profile, type DeviceArray, type ProfileEvent } from "../src/index.js";
import { WebGPUBackend } from "../src/backend/webgpu/backend.js";
import { acquireGpu } from "../src/backend/webgpu/device.js";
import { startProfile } from "../src/profiler/index.js";
import { registerBackend } from "../src/backend/registry.js";

const be = getBackend("webgpu") as WebGPUBackend;
const ready = await be.ready().then((info) => ({ ok: true as const, info }), (e: Error) => ({ ok: false as const, reason: e.message }));
if (!ready.ok && process.env.TENSORLENS_REQUIRE_WEBGPU === "1") throw new Error(`TENSORLENS_REQUIRE_WEBGPU=1 but ${ready.reason}`);
const skip: string | false = ready.ok ? false : `no WebGPU adapter: ${ready.reason}`;
const hasTimestamps = ready.ok && ready.info.features.includes("timestamp-query");
if (ready.ok) console.log(`# webgpu adapter: ${ready.info.adapter}; timestamp-query: ${hasTimestamps}`);

type StepEvent = Extract<ProfileEvent, { type: "step" }>;
const steps = (events: readonly ProfileEvent[]) => events.filter((e): e is StepEvent => e.type === "step");

function layer(x: DeviceArray, w: DeviceArray): DeviceArray {
  return nn.relu(np.matmul(x, w)).sum(1);
}

describe("webgpu kernel times in the profiler", { skip }, () => {
  test("with timestamp-query: each step of a jitted program has a GPU time, in its jit call, inside the profile", { skip: hasTimestamps ? false : "the adapter has no timestamp-query" }, async () => {
    const f = jit(layer);
    const x = devicePut(np.ones([8, 16]), "webgpu"), w = devicePut(np.ones([16, 4]).mul(0.5), "webgpu");
    await f(x, w).data(); // compiled outside the profile
    const { value, profile: p } = await profile(async () => {
      f(x, w);
      const y = f(x, w);
      return y.data(); // an awaited result brings the kernel times of the work before it
    })();
    assert.deepEqual([...value], Array(8).fill(32));
    const timed = steps(p.events).filter((e) => e.timer === "device");
    const program = timed[0]?.program;
    assert.ok(program, "device-timed steps were recorded");
    const dispatchSteps = program.steps.filter((s) => s.kind !== "free").length;
    assert.ok(dispatchSteps >= 2, "a matmul and a fused reduction at least");
    assert.equal(timed.length, 2 * dispatchSteps, "every dispatch of both calls is timed");
    for (const e of timed) {
      assert.equal(e.jit, "layer", "attributed to the jit call that ran it");
      assert.ok(e.dur >= 0 && Number.isFinite(e.dur), `a duration: ${e.dur}`);
      assert.ok(e.ts >= p.meta.start && e.ts + e.dur <= p.meta.end + 1, "placed inside the profile");
    }
    const calls = [timed.slice(0, dispatchSteps), timed.slice(dispatchSteps)];
    for (const c of calls) assert.deepEqual(c.map((e) => e.step), [...c.map((e) => e.step)].sort((a, b) => a - b), "steps in program order");
    assert.ok(calls[1]![0]!.ts >= calls[0]![dispatchSteps - 1]!.ts, "the second call after the first");
    assert.match(p.format(), /note: .*the steps of jitted programs carry the GPU's kernel times/);
    const trace = p.chromeTrace().traceEvents as { ph: string; tid?: number; name: string }[];
    assert.ok(trace.some((e) => e.ph === "X" && e.tid === 2 && e.name.startsWith("dot_general")), "the matmul on the device track");
  });

  test("a profile stopped before the times were read back says so, instead of showing none silently", { skip: hasTimestamps ? false : "the adapter has no timestamp-query" }, async () => {
    const f = jit(layer);
    const x = devicePut(np.ones([8, 16]), "webgpu"), w = devicePut(np.ones([16, 4]), "webgpu");
    await f(x, w).data();
    const s = startProfile();
    const y = f(x, w);
    const p = s.stop();
    assert.match(p.format(), /kernel times of 1 program run\(s\) had not been read back when the profile stopped/);
    await y.data();
  });

  test("without timestamp-query: no kernel times, and the profile says why, once", async () => {
    // A second device whose backend is told the adapter lacks the feature (as adapters without it are).
    const plain = new WebGPUBackend(async () => {
      const g = await acquireGpu();
      return { ...g, features: new Set([...g.features].filter((f) => f !== "timestamp-query")) };
    });
    await plain.ready();
    registerBackend("webgpu-without-timestamps", () => plain, 1001);
    const f = jit(layer);
    const x = devicePut(np.ones([8, 16]), "webgpu-without-timestamps"), w = devicePut(np.ones([16, 4]), "webgpu-without-timestamps");
    await f(x, w).data();
    const before = plain.stats.submissions;
    const { value, profile: p } = await profile(async () => f(x, w).data())();
    assert.ok(plain.stats.submissions > before, "the program ran on that backend");
    assert.deepEqual([...value], Array(8).fill(64));
    assert.equal(steps(p.events).filter((e) => e.timer === "device").length, 0, "no kernel times invented");
    const text = p.format();
    assert.equal(text.match(/has no timestamp-query/g)?.length, 1, `said once in:\n${text}`);
    assert.match(text, /note: webgpu eager ops and jit executions are timed from JavaScript: the time to issue the work.*the adapter ".*" has no timestamp-query, so GPU kernel times are not measured/);
  });
});
