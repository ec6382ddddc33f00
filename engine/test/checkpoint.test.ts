import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { safetensors, config, nn, np, random, type DeviceArray } from "../src/index.js";
import { assertClose, values } from "./nn-helpers.js";

config.update("enableX64", true); // float64 tensors round-trip too
const dir = mkdtempSync(join(tmpdir(), "tl-ckpt-"));
const sample = () => ({
  params: { Dense_0: { kernel: np.arange(6).reshape([2, 3]).astype("float32"), bias: np.array([1.5, -2], "float64") } },
  step: np.array(7, "int32"), flags: np.array([true, false, true]), half: np.array([0.1, 65504, -3], "float16"),
  list: [np.array([4294967295, 1], "uint32"), null, 3], note: "hello",
});

test("checkpoint round trip: any pytree of arrays (all dtypes, lists, null, numbers, strings)", () => {
  const path = join(dir, "a.safetensors");
  safetensors.save(path, sample(), { metadata: { epoch: "3" } });
  const t = safetensors.load(path);
  assert.deepEqual(t.params.Dense_0.kernel.shape, [2, 3]);
  assertClose(t.params.Dense_0.kernel, [0, 1, 2, 3, 4, 5], { rtol: 0, atol: 0 });
  assert.equal(t.params.Dense_0.bias.dtype, "float64");
  assertClose(t.params.Dense_0.bias, [1.5, -2], { rtol: 0, atol: 0 });
  assert.equal(t.step.dtype, "int32"); assert.deepEqual(t.step.shape, []); assert.equal(values(t.step)[0], 7);
  assert.equal(t.flags.dtype, "bool"); assert.deepEqual(values(t.flags), [1, 0, 1]);
  assert.equal(t.half.dtype, "float16"); assertClose(t.half, [0.0999755859375, 65504, -3], { rtol: 0, atol: 0 });
  assert.equal(t.list[0].dtype, "uint32"); assert.deepEqual(values(t.list[0]), [4294967295, 1]);
  assert.equal(t.list[1], null); assert.equal(t.list[2], 3); assert.equal(t.note, "hello");
  assert.deepEqual(safetensors.readMetadata(path), { epoch: "3" });
});

test("checkpoint file is standard safetensors: header JSON with dtype/shape/data_offsets, tensors named by path", () => {
  const path = join(dir, "b.safetensors");
  safetensors.save(path, { params: { w: np.array([[1, 2]], "float32") } });
  const bytes = readFileSync(path);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString());
  assert.deepEqual(header["params.w"], { dtype: "F32", shape: [1, 2], data_offsets: [0, 8] });
  assert.equal((8 + n) % 8, 0);
  assert.deepEqual(Array.from(new Float32Array(bytes.buffer.slice(bytes.byteOffset + 8 + n, bytes.byteOffset + 16 + n))), [1, 2]);
  // a file written by another framework (no tree metadata) loads as a flat object
  const hdr = Buffer.from(JSON.stringify({ "layer.weight": { dtype: "F32", shape: [2], data_offsets: [0, 8] } }));
  const len = Buffer.alloc(8); len.writeBigUInt64LE(BigInt(hdr.length));
  const foreign = join(dir, "foreign.safetensors");
  writeFileSync(foreign, Buffer.concat([len, hdr, Buffer.from(new Float32Array([5, 6]).buffer)]));
  assertClose(safetensors.load(foreign)["layer.weight"], [5, 6]);
});

test("a module's variables survive a checkpoint; truncated and corrupt files give clear errors", () => {
  class Net extends nn.Module { call(x: DeviceArray) { return nn.Dense(2)(nn.relu(nn.Dense(4)(x))); } }
  const x = np.ones([3, 5]);
  const vars = new Net().init(random.PRNGKey(0), x);
  const path = join(dir, "net.safetensors");
  safetensors.save(path, vars);
  const loaded = safetensors.load(path);
  assertClose(new Net().apply(loaded, x), new Net().apply(vars, x), { rtol: 0, atol: 0 });

  const good = readFileSync(path);
  const bad = (name: string, bytes: Uint8Array, re: RegExp) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    assert.throws(() => safetensors.load(p), (e: Error) => e.name === "CheckpointError" && re.test(e.message), name);
  };
  bad("short", good.subarray(0, 5), /too short/);
  bad("truncated-header", good.subarray(0, 40), /truncated/);
  bad("truncated-data", good.subarray(0, good.length - 3), /truncated/);
  const n = Number(good.readBigUInt64LE(0));
  const corruptJson = Buffer.from(good); corruptJson[8 + 3] = 0x7b; corruptJson[8 + 1] = 0x00;
  bad("json", corruptJson, /not valid JSON/);
  const huge = Buffer.from(good); huge.writeBigUInt64LE(1n << 40n);
  bad("huge", huge, /implausible/);
  const header = JSON.parse(good.subarray(8, 8 + n).toString());
  const rewrite = (h: unknown, data = good.subarray(8 + n)) => {
    const hb = Buffer.from(JSON.stringify(h)); const len = Buffer.alloc(8); len.writeBigUInt64LE(BigInt(hb.length));
    return Buffer.concat([len, hb, data]);
  };
  bad("dtype", rewrite({ ...header, "params.Dense_0.kernel": { ...header["params.Dense_0.kernel"], dtype: "Q7" } }), /unsupported dtype/);
  bad("shape", rewrite({ ...header, "params.Dense_0.kernel": { ...header["params.Dense_0.kernel"], shape: [5, 5] } }), /needs/);
  bad("extra", rewrite(header, Buffer.concat([good.subarray(8 + n), Buffer.alloc(4)])), /after the last tensor/);
  const { ["params.Dense_1.bias"]: _drop, ...missing } = header;
  bad("missing", rewrite(missing), /does not have|after the last tensor/);
  assert.throws(() => safetensors.load(join(dir, "nope.safetensors")), /ENOENT/);
});
