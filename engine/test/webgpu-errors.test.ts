// The webgpu backend's failures are clear errors, never a hang or a crash: no adapter (what was
// looked for and how to get one), an array too large for the adapter, and a lost device (naming
// the adapter). The device-loss test destroys this process's device, so it lives in its own file
// (node --test runs each file in its own process).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { np, devicePut, getBackend } from "../src/index.js";
import type { WebGPUBackend } from "../src/backend/webgpu/backend.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const be = getBackend("webgpu") as WebGPUBackend;
const ready = await be.ready().then(() => true, (e: Error) => e.message);
if (ready !== true && process.env.TENSORLENS_REQUIRE_WEBGPU === "1") throw new Error(`TENSORLENS_REQUIRE_WEBGPU=1 but ${ready}`);
const skip = ready === true ? false : `no WebGPU adapter: ${ready}`;

test("no adapter: the error says what was looked for and how to get one", () => {
  // A driver list naming no driver: the system has none, and lavapipe is not searched for.
  const script = `import("./engine/src/index.ts").then(async (t) => {
    const x = t.np.ones([2]).mul(2);
    try { await t.devicePut(x, "webgpu").add(1).data(); console.log("NO ERROR"); } catch (e) { console.log(e.message); }
    try { t.devicePut(x, "webgpu"); console.log("NO ERROR"); } catch (e) { console.log("SYNC: " + e.message.split("\\n")[0]); }
  })`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", script], {
    encoding: "utf8", cwd: root, timeout: 60_000,
    env: { ...process.env, VK_ICD_FILENAMES: "/nonexistent/icd.json", VK_DRIVER_FILES: "/nonexistent/icd.json" },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /webgpu: no WebGPU adapter was found/);
  assert.match(r.stdout, /Looked for: the `webgpu` npm package \(Dawn\) over the system's drivers \(VK_ICD_FILENAMES=\/nonexistent\/icd.json\)/);
  assert.match(r.stdout, /install your GPU's driver/);
  assert.match(r.stdout, /lavapipe/);
  assert.match(r.stdout, /scripts\/setup-lavapipe\.sh/);
  assert.match(r.stdout, /SYNC: webgpu: no WebGPU adapter was found/, "later synchronous use raises it too");
  assert.doesNotMatch(r.stdout, /NO ERROR/);
});

test("an array larger than the adapter allows is an out-of-memory error naming the adapter", { skip }, async () => {
  const info = await be.ready();
  const n = Math.ceil(info.limits.maxStorageBufferBindingSize / 4) + 1024;
  const one = devicePut(np.ones([1]), "webgpu");
  assert.throws(() => np.broadcastTo(one, [n]), (e: Error) => {
    assert.match(e.message, /webgpu: out of memory/);
    assert.ok(e.message.includes(info.adapter), e.message);
    return true;
  });
  // The backend keeps working afterwards.
  assert.deepEqual([...await one.add(1).data()], [2]);
});

test("a lost device: every later use fails with an error naming the adapter", { skip }, async () => {
  const info = await be.ready();
  const x = devicePut(np.array([1, 2, 3]), "webgpu").mul(2);
  assert.deepEqual([...await x.data()], [2, 4, 6]);
  const unread = x.add(1);
  be.device!.destroy();
  await be.device!.lost;
  const check = (e: Error) => {
    assert.match(e.message, /webgpu: the device on adapter ".*" was lost/);
    assert.ok(e.message.includes(info.adapter), e.message);
    return true;
  };
  assert.throws(() => devicePut(np.array([1]), "webgpu"), check);
  assert.throws(() => x.add(1), check);
  await assert.rejects(unread.data(), check);
});
