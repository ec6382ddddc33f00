import { test } from "node:test";
import { createHash } from "node:crypto";
import { inspect } from "node:util";
import assert from "node:assert/strict";
import { config, grad, jit, nn, np, random, tree, vmap, type DeviceArray } from "../src/index.js";
import { assertClose, values } from "./nn-helpers.js";

class Net extends nn.Module {
  call(x: DeviceArray): DeviceArray {
    x = nn.Dense(4)(x);
    x = nn.relu(x);
    x = nn.Dense(1)(x);
    return nn.sigmoid(x);
  }
}
const input = np.array([[1, 2], [3, 4], [5, 6]]);
function withLegacyPrng<T>(f: () => T): T {
  const prev = config.read("threefryPartitionable");
  config.update("threefryPartitionable", false);
  try { return f(); } finally { config.update("threefryPartitionable", prev); }
}

test("tutorial Net: init gives the tutorial's printed parameters (legacy PRNG scheme)", () => {
  withLegacyPrng(() => {
    const vars = new Net().init(random.PRNGKey(0), input);
    assertClose(vars.params.Dense_0.kernel, [1.1381536, -1.0838526, 0.37998098, 0.15393464, 0.17555283, -0.3848625, 0.52419275, -1.4104135], { atol: 2e-6, rtol: 0 });
    assertClose(vars.params.Dense_1.kernel, [0.22024584, 0.5676514, 0.4185372, -0.3969197], { atol: 2e-6, rtol: 0 });
    assertClose(vars.params.Dense_0.bias, [0, 0, 0, 0]);
  });
});

test("tutorial Net: variable shapes, names, frozen tree printing with shapes and dtypes", () => {
  const vars = new Net().init(random.PRNGKey(0), input);
  assert.deepEqual(Object.keys(vars), ["params"]);
  assert.deepEqual(Object.keys(vars.params).sort(), ["Dense_0", "Dense_1"]);
  assert.deepEqual(vars.params.Dense_0.kernel.shape, [2, 4]);
  assert.deepEqual(vars.params.Dense_0.bias.shape, [4]);
  assert.deepEqual(vars.params.Dense_1.kernel.shape, [4, 1]);
  assert.deepEqual(vars.params.Dense_1.bias.shape, [1]);
  assert.ok(Object.isFrozen(vars) && Object.isFrozen(vars.params) && Object.isFrozen(vars.params.Dense_0));
  assert.throws(() => { (vars.params as any).Dense_0 = null; }, TypeError);
  // As the text (and Flax's FrozenDict): creation order, leaf dicts on one line.
  assert.equal(String(vars), "{\n  params: {\n    Dense_0: { kernel: f32[2,4], bias: f32[4] },\n    Dense_1: { kernel: f32[4,1], bias: f32[1] }\n  }\n}");
  assert.equal(inspect(vars), String(vars));
  assert.equal(`${vars.params.Dense_1}`, "{ kernel: f32[4,1], bias: f32[1] }");
  // pytree functions see the frozen tree as a dict and keep it frozen
  const doubled = tree.map((x: DeviceArray) => np.multiply(x, 2), vars);
  assert.ok(Object.isFrozen(doubled.params));
});

test("tutorial Net: input shapes (3,2), (1,2) and (2,) give identical params; apply and vmap agree", () => {
  const key = random.PRNGKey(0);
  const a = new Net().init(key, input), b = new Net().init(key, np.ones([1, 2])), c = new Net().init(key, np.ones([2]));
  for (const other of [b, c]) tree.map((x: DeviceArray, y: DeviceArray) => assertClose(x, values(y), { rtol: 0, atol: 0 }), a, other);
  const out = new Net().apply(a, input);
  assert.deepEqual(out.shape, [3, 1]);
  const mapped = vmap((x: DeviceArray) => new Net().apply(a, x))(input);
  assert.deepEqual(mapped.shape, [3, 1]);
  assertClose(mapped, values(out), { rtol: 1e-6 });
  // by hand: sigmoid(relu(x W0 + b0) W1 + b1)
  const p = a.params;
  const manual = nn.sigmoid(np.add(np.matmul(nn.relu(np.add(np.matmul(input, p.Dense_0.kernel), p.Dense_0.bias)), p.Dense_1.kernel), p.Dense_1.bias));
  assertClose(out, values(manual), { rtol: 1e-6 });
});

test("modules nest; explicit names; submodules held in fields are named by the field; constructor options are attributes", () => {
  class Block extends nn.Module {
    constructor(readonly width: number, opts: nn.ModuleOptions = {}) { super(opts); }
    call(x: DeviceArray) { return nn.relu(nn.Dense(this.width)(x)); }
  }
  class Model extends nn.Module {
    head = nn.Dense(3);
    call(x: DeviceArray) {
      x = new Block(5)(x);
      x = new Block(6, { name: "middle" })(x);
      x = new Block(7)(x);
      return this.head(nn.Dense(2, { name: "proj", useBias: false })(x));
    }
  }
  const vars = new Model().init(random.PRNGKey(1), np.ones([2, 4]));
  assert.deepEqual(Object.keys(vars.params).sort(), ["Block_0", "Block_1", "head", "middle", "proj"]);
  assert.deepEqual(vars.params.Block_0.Dense_0.kernel.shape, [4, 5]);
  assert.deepEqual(vars.params.middle.Dense_0.kernel.shape, [5, 6]);
  assert.deepEqual(vars.params.Block_1.Dense_0.kernel.shape, [6, 7]);
  assert.deepEqual(Object.keys(vars.params.proj), ["kernel"]);
  assert.deepEqual(vars.params.head.kernel.shape, [2, 3]);
  assert.equal(new Block(9).width, 9);
  // same-named layers at different paths get different keys
  assert.notDeepEqual(values(vars.params.Block_0.Dense_0.kernel).slice(0, 4), values(vars.params.middle.Dense_0.kernel).slice(0, 4));
  const y = new Model().apply(vars, np.ones([2, 4]));
  assert.deepEqual(y.shape, [2, 3]);
  assert.throws(() => new Model().apply({ params: { ...vars.params, proj: {} } }, np.ones([2, 4])), /parameter "kernel" of \/proj is missing/);
  assert.throws(() => nn.Dense(3)(np.ones([2, 2])), /outside init\/apply/);
});

test("key derivation: a child key is foldIn(parent, sha1(name)[0:4] big-endian), then the param counter", () => {
  const key = random.PRNGKey(3);
  const vars = new Net().init(key, input);
  // kernel: counter 1 of scope Dense_0 (sha1("Dense_0") = 0x... computed by node:crypto)
  const h = createHash("sha1").update("Dense_0").digest().readUInt32BE(0);
  const k = random.foldIn(random.foldIn(key, h), 1);
  assertClose(vars.params.Dense_0.kernel, nn.initializers.lecunNormal()(k, [2, 4]), { rtol: 0, atol: 0 });
});

test("BatchNorm: batchStats collection, mutable updates, running averages at inference", () => {
  class M extends nn.Module {
    call(x: DeviceArray, train: boolean) { return nn.BatchNorm({ useRunningAverage: !train, momentum: 0.9 })(nn.Dense(3)(x)); }
  }
  const x = np.array([[1, 2], [3, 5], [0, -1], [2, 2]]);
  const vars = new M().init(random.PRNGKey(0), x, false);
  assert.deepEqual(Object.keys(vars).sort(), ["batchStats", "params"]);
  assertClose(vars.batchStats.BatchNorm_0.mean, [0, 0, 0]);
  assertClose(vars.batchStats.BatchNorm_0.var, [1, 1, 1]);
  const [y, updates] = new M().apply(vars, x, true, { mutable: ["batchStats"] });
  // training output is standardized per feature
  assertClose(np.mean(y, { axis: 0 }), [0, 0, 0], { atol: 1e-5 });
  assertClose(np.mean(np.square(y), { axis: 0 }), [1, 1, 1], { atol: 1e-3 });
  const h = np.add(np.matmul(x, vars.params.Dense_0.kernel), vars.params.Dense_0.bias);
  assertClose(updates.batchStats.BatchNorm_0.mean, values(np.multiply(np.mean(h, { axis: 0 }), 0.1)), { atol: 1e-6 });
  assertClose(updates.batchStats.BatchNorm_0.var, values(np.add(0.9, np.multiply(np.variance(h, { axis: 0 }), 0.1))), { atol: 1e-5 });
  assert.throws(() => new M().apply(vars, x, true), /not mutable/);
  const yEval = new M().apply({ ...vars, ...updates }, x, false);
  assert.deepEqual(yEval.shape, [4, 3]);
});

test("Dropout: needs a dropout rng, keeps about 1-rate of the inputs scaled by 1/(1-rate); deterministic is the identity", () => {
  class D extends nn.Module { call(x: DeviceArray, det: boolean) { return nn.Dropout(0.25)(x, det); } }
  const x = np.ones([100, 100]);
  const vars = new D().init(random.PRNGKey(0), x, true);
  assert.throws(() => new D().apply(vars, x, false), /rng stream "dropout"/);
  const y = new D().apply(vars, x, false, { rngs: { dropout: random.PRNGKey(5) } });
  const v = values(y);
  const kept = v.filter((t) => t !== 0);
  assert.ok(kept.every((t) => Math.abs(t - 1 / 0.75) < 1e-6));
  assert.ok(Math.abs(kept.length / v.length - 0.75) < 0.02, `kept fraction ${kept.length / v.length}`);
  assertClose(new D().apply(vars, x, true), values(x));
});

test("initializers: moments over large draws match Flax's definitions", () => {
  const key = random.PRNGKey(42);
  const moments = (a: DeviceArray) => { const v = values(a); const m = v.reduce((s, t) => s + t, 0) / v.length; return [m, Math.sqrt(v.reduce((s, t) => s + (t - m) ** 2, 0) / v.length), v.reduce((s, t) => Math.max(s, Math.abs(t)), 0)]; };
  // lecun normal on [256, 400]: truncated normal with std sqrt(1/256), support 2 * 0.0625 / 0.8796
  let [m, s, mx] = moments(nn.initializers.lecunNormal()(key, [256, 400]));
  assert.ok(Math.abs(m) < 2e-3 && Math.abs(s - 1 / 16) < 1.5e-3 && mx <= 2 * (1 / 16) / 0.87962566 + 1e-6, `lecun ${m} ${s} ${mx}`);
  [m, s] = moments(nn.initializers.heNormal()(key, [3, 3, 16, 400]));
  assert.ok(Math.abs(s - Math.sqrt(2 / 144)) < 2e-3, `he ${s}`);
  [m, s, mx] = moments(nn.initializers.glorotUniform()(key, [300, 500]));
  const lim = Math.sqrt(6 / 800);
  assert.ok(Math.abs(s - lim / Math.sqrt(3)) < 1e-3 && mx <= lim, `glorot uniform ${s} ${mx}`);
  [m, s] = moments(nn.initializers.normal(0.5)(key, [200, 500]));
  assert.ok(Math.abs(s - 0.5) < 5e-3, `normal ${s}`);
  // Embed: variance_scaling(1, fan_in, normal, out_axis=0) on [N, F] has std 1/sqrt(F)
  class E extends nn.Module { call(ids: DeviceArray) { return nn.Embed(1000, 64)(ids); } }
  const ev = new E().init(key, np.array([1, 2], "int32"));
  [m, s] = moments(ev.params.Embed_0.embedding);
  assert.ok(Math.abs(s - 1 / 8) < 3e-3, `embed ${s}`);
  assert.deepEqual(nn.initializers.computeFans([3, 3, 16, 32]), [144, 288]);
});

test("Conv (NHWC, HWIO) matches a direct sum; SAME/VALID/strides/dilation/groups shapes; 1-D conv; ConvTranspose shapes", () => {
  class C extends nn.Module { call(x: DeviceArray) { return nn.Conv(2, [2, 2], { padding: "VALID", useBias: false })(x); } }
  const x = np.arange(2 * 3 * 3 * 2).reshape([2, 3, 3, 2]).astype("float32");
  const vars = new C().init(random.PRNGKey(0), x);
  const k = vars.params.Conv_0.kernel;
  assert.deepEqual(k.shape, [2, 2, 2, 2]);
  const y = new C().apply(vars, x);
  assert.deepEqual(y.shape, [2, 2, 2, 2]);
  const xv = values(x), kv = values(k), yv = values(y);
  const X = (n: number, i: number, j: number, c: number) => xv[((n * 3 + i) * 3 + j) * 2 + c]!;
  const K = (i: number, j: number, c: number, o: number) => kv[((i * 2 + j) * 2 + c) * 2 + o]!;
  for (let n = 0; n < 2; n++) for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) for (let o = 0; o < 2; o++) {
    let acc = 0;
    for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) for (let c = 0; c < 2; c++) acc += X(n, i + a, j + b, c) * K(a, b, c, o);
    assert.ok(Math.abs(acc - yv[((n * 2 + i) * 2 + j) * 2 + o]!) < 1e-4);
  }
  const shapeOf = (layer: () => (x: DeviceArray) => DeviceArray, inShape: number[]) => {
    class S extends nn.Module { call(z: DeviceArray) { return layer()(z); } }
    const z = np.ones(inShape);
    return new S().apply(new S().init(random.PRNGKey(0), z), z).shape;
  };
  assert.deepEqual(shapeOf(() => nn.Conv(8, [3, 3]), [2, 7, 7, 4]), [2, 7, 7, 8]);
  assert.deepEqual(shapeOf(() => nn.Conv(8, [3, 3], { strides: 2 }), [2, 7, 7, 4]), [2, 4, 4, 8]);
  assert.deepEqual(shapeOf(() => nn.Conv(8, [3, 3], { kernelDilation: 2, padding: "VALID" }), [2, 7, 7, 4]), [2, 3, 3, 8]);
  assert.deepEqual(shapeOf(() => nn.Conv(8, [3, 3], { featureGroupCount: 4 }), [1, 5, 5, 4]), [1, 5, 5, 8]);
  assert.deepEqual(shapeOf(() => nn.Conv(6, [5]), [3, 20, 2]), [3, 20, 6]);
  assert.deepEqual(shapeOf(() => nn.Conv(6, [3, 3]), [5, 5, 2]), [5, 5, 6]);
  assert.deepEqual(shapeOf(() => nn.ConvTranspose(3, [3, 3], { strides: 2 }), [2, 4, 4, 5]), [2, 8, 8, 3]);
  assert.deepEqual(shapeOf(() => nn.ConvTranspose(3, [3, 3], { strides: 2, padding: "VALID" }), [2, 4, 4, 5]), [2, 9, 9, 3]);
});

test("pooling: maxPool and avgPool values, strides and SAME padding; gradients flow", () => {
  const x = np.arange(16).reshape([1, 4, 4, 1]).astype("float32");
  assertClose(nn.maxPool(x, [2, 2], { strides: [2, 2] }), [5, 7, 13, 15]);
  assertClose(nn.avgPool(x, [2, 2], { strides: [2, 2] }), [2.5, 4.5, 10.5, 12.5]);
  assert.deepEqual(nn.maxPool(x, [3, 3], { padding: "SAME" }).shape, [1, 4, 4, 1]);
  assertClose(nn.avgPool(np.ones([1, 3, 3, 1]), [3, 3], { padding: "SAME", countIncludePad: false }), Array(9).fill(1));
  const g = grad((z: DeviceArray) => np.sum(nn.maxPool(z, [2, 2], { strides: [2, 2] })))(x);
  assertClose(g, [0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1]);
});

test("normalization layers: LayerNorm, RMSNorm, GroupNorm outputs; DenseGeneral, Embed, attention and Sequential shapes", () => {
  const x = np.array([[1, 2, 3, 4], [2, 2, 2, 6]]);
  const run = (layer: () => (...a: any[]) => DeviceArray, ...args: unknown[]) => {
    class S extends nn.Module { call(...z: unknown[]) { return layer()(...z); } }
    const vars = new S().init(random.PRNGKey(0), ...args);
    return [new S().apply(vars, ...args), vars] as const;
  };
  const [ln] = run(() => nn.LayerNorm(), x);
  assertClose(ln, values(nn.standardize(x, { epsilon: 1e-6 })), { atol: 1e-5 });
  const [rms, rv] = run(() => nn.RMSNorm(), x);
  assert.deepEqual(Object.keys(rv.params.RMSNorm_0), ["scale"]);
  assertClose(rms, values(np.divide(x, np.sqrt(np.add(np.mean(np.square(x), { axis: -1, keepdims: true }), 1e-6)))), { atol: 1e-5 });
  const img = np.arange(2 * 3 * 3 * 4).reshape([2, 3, 3, 4]).astype("float32");
  const [gn] = run(() => nn.GroupNorm({ numGroups: 2 }), img);
  const grouped = np.reshape(img, [2, 9, 2, 2]);
  assertClose(gn, values(np.reshape(nn.standardize(np.transpose(grouped, [0, 2, 1, 3]).reshape([2, 2, 18]), { epsilon: 1e-6 }).reshape([2, 2, 9, 2]).transpose([0, 2, 1, 3]), [2, 3, 3, 4])), { atol: 1e-4 });
  const [dg, dgv] = run(() => nn.DenseGeneral([2, 3], { axis: [-2, -1] }), np.ones([5, 4, 6]));
  assert.deepEqual(dg.shape, [5, 2, 3]);
  assert.deepEqual(dgv.params.DenseGeneral_0.kernel.shape, [4, 6, 2, 3]);
  const [emb] = run(() => nn.Embed(10, 3), np.array([[1, 2], [3, 9]], "int32"));
  assert.deepEqual(emb.shape, [2, 2, 3]);
  const seq = np.ones([2, 5, 8]);
  const [att, av] = run(() => nn.MultiHeadDotProductAttention(2), seq);
  assert.deepEqual(att.shape, [2, 5, 8]);
  assert.deepEqual(Object.keys(av.params.MultiHeadDotProductAttention_0).sort(), ["key", "out", "query", "value"]);
  assert.deepEqual(av.params.MultiHeadDotProductAttention_0.query.kernel.shape, [8, 2, 4]);
  assert.deepEqual(av.params.MultiHeadDotProductAttention_0.out.kernel.shape, [2, 4, 8]);
  const seqModel = nn.Sequential([nn.Dense(4), nn.relu, nn.Dense(2)]);
  const sv = seqModel.init(random.PRNGKey(0), np.ones([3, 5]));
  assert.deepEqual(Object.keys(sv.params).sort(), ["layers_0", "layers_2"]);
  assert.deepEqual(seqModel.apply(sv, np.ones([3, 5])).shape, [3, 2]);
});

test("apply works under jit and grad (a training step of a module)", () => {
  const vars = new Net().init(random.PRNGKey(0), input);
  const loss = (p: any) => np.mean(np.square(new Net().apply({ params: p }, input)));
  const g = jit(grad(loss))(vars.params);
  const g2 = grad(loss)(vars.params);
  tree.map((a: DeviceArray, b: DeviceArray) => assertClose(a, values(b), { rtol: 1e-5, atol: 1e-7 }), g, g2);
  assert.deepEqual(g.Dense_0.kernel.shape, [2, 4]);
});

test("tabulate lists every module with shapes, parameter counts and bytes", () => {
  const t = nn.tabulate(new Net(), random.PRNGKey(0), input);
  const lines = t.split("\n");
  assert.match(lines[0]!, /^ +Net Summary$/);
  assert.match(t, /│ Dense_0 +│ Dense +│ f32\[3,2\] +│ f32\[3,4\] +│ bias: f32\[4\] +│\n│ +│ +│ +│ +│ kernel: f32\[2,4\] +│\n│( +│){4} +│\n│( +│){4} 12 \(48 B\) +│/);
  assert.match(t, /Dense_1 .*bias: f32\[1\][^]*kernel: f32\[4,1\][^]*5 \(20 B\)/);
  assert.match(t, /│ +Total │ 17 \(68 B\) +│/);
  assert.match(lines[lines.length - 1]!, /^ +Total Parameters: 17 \(68 B\)$/);
  // Every line of the box has the same width.
  const box = lines.slice(1, -2);
  assert.ok(box.every((l) => l.length === box[0]!.length), t);
});

test("tabulate: rows in the order calls began (root, then each submodule before its children), params first, other collections after", () => {
  class Block extends nn.Module { call(x: DeviceArray) { return nn.BatchNorm({ useRunningAverage: false })(nn.Dense(3)(x)); } }
  class Outer extends nn.Module {
    call(x: DeviceArray) {
      // nn.Dense(2) is made (named Dense_0) before the Block runs, but called after it.
      return nn.Dense(2)(new Block()(x));
    }
  }
  const t = nn.tabulate(new Outer(), random.PRNGKey(0), np.ones([4, 5]));
  const paths = [...t.matchAll(/^│ (\S*) +│ (\w+) +│ f32/gm)].map((m) => `${m[1]}:${m[2]}`);
  assert.deepEqual(paths, [":Outer", "Block_0:Block", "Block_0/Dense_0:Dense", "Block_0/BatchNorm_0:BatchNorm", "Dense_0:Dense"]);
  assert.match(t, /┃ path +┃ module +┃ inputs +┃ outputs +┃ params +┃ batchStats +┃/);
  assert.match(t, /│ Block_0\/BatchNorm_0 .* bias: f32\[3\] +│ mean: f32\[3\] +│/);
  assert.match(t, /Total │ 32 \(128 B\) +│ 6 \(24 B\) +│/);
  assert.match(t, /Total Parameters: 38 \(152 B\)/);
});
