// Flax-style modules (issue 4): init infers parameter shapes from the example input, apply runs them.
import { np, nn, random, type DeviceArray } from "tensorlens";

class Net extends nn.Module {
  call(x: DeviceArray) {
    x = nn.Dense(4)(x);
    x = nn.relu(x);
    x = nn.Dense(1)(x);
    return nn.sigmoid(x);
  }
}

const input = np.ones([3, 2]);
const vars = new Net().init(random.PRNGKey(0), input);
// expect: {params: {Dense_0: {kernel: f32[2,4], bias: f32[4]}, Dense_1: {kernel: f32[4,1], bias: f32[1]}}}
const out = new Net().apply(vars, input);
// expect: f32[3,1]

// Submodules with explicit names, hyperparameters from constructor fields, nested user modules.
class Block extends nn.Module {
  constructor(readonly features: number) { super(); }
  call(x: DeviceArray) {
    const h = nn.Dense(this.features, { name: "proj" })(x);
    return nn.LayerNorm()(nn.gelu(h));
  }
}
class Tower extends nn.Module {
  call(x: DeviceArray) {
    const h = new Block(8)(x);
    // expect: f32[5,8]
    return nn.Dense(2)(h);
  }
}
const towerVars = new Tower().init(random.PRNGKey(1), np.ones([5, 3]));
const blockParams = towerVars.params.Block_0;
// expect: {proj: {kernel: f32[3,8], bias: f32[8]}, LayerNorm_0: {scale: f32[8], bias: f32[8]}}
const headParams = towerVars.params.Dense_0;
// expect: {kernel: f32[8,2], bias: f32[2]}
const towerOut = new Tower().apply(towerVars, np.ones([5, 3]));
// expect: f32[5,2]

// A CNN on NHWC images: Conv kernels are HWIO; BatchNorm keeps running statistics in batchStats.
class CNN extends nn.Module {
  call(x: DeviceArray) {
    const c1 = nn.relu(nn.Conv(32, [3, 3])(x));
    // expect: f32[8,28,28,32]
    const p1 = nn.avgPool(c1, [2, 2], { strides: [2, 2] });
    // expect: f32[8,14,14,32]
    const c2 = nn.Conv(64, [3, 3], { strides: 2, padding: "VALID" })(p1);
    // expect: f32[8,6,6,64]
    const n2 = nn.BatchNorm({ useRunningAverage: false })(c2);
    const m2 = nn.maxPool(n2, [2, 2], { strides: [2, 2], padding: "SAME" });
    // expect: f32[8,3,3,64]
    const flat = m2.reshape([m2.shape[0], -1]);
    // expect: f32[8,576]
    return nn.Dense(10)(nn.Dropout(0.1)(flat, { deterministic: true }));
  }
}
const images = np.zeros([8, 28, 28, 1]);
const cnnVars = new CNN().init(random.PRNGKey(2), images);
const [logits, updates] = new CNN().apply(cnnVars, images, { mutable: ["batchStats"] });
// expect logits: f32[8,10]
// expect updates: {batchStats: {BatchNorm_0: {mean: f32[64], var: f32[64]}}}

// Other layers.
const tokens = np.zeros([4, 7], "int32");
const embed = nn.Embed(100, 16);
const embedVars = embed.init(random.PRNGKey(3), tokens);
// expect: {params: {embedding: f32[100,16]}}
const embedded = embed.apply(embedVars, tokens);
// expect: f32[4,7,16]
const attention = nn.MultiHeadDotProductAttention(4, { qkvFeatures: 32 });
const attnVars = attention.init(random.PRNGKey(4), embedded);
const attended = attention.apply(attnVars, embedded);
// expect: f32[4,7,16]
const mlp = nn.Sequential([nn.Dense(16), nn.relu, nn.Dense(3)]);
const mlpVars = mlp.init(random.PRNGKey(5), np.ones([4, 5]));
// expect: {params: {layers_0: {kernel: f32[5,16], bias: f32[16]}, layers_2: {kernel: f32[16,3], bias: f32[3]}}}
const mlpOut = mlp.apply(mlpVars, np.ones([4, 5]));
// expect: f32[4,3]
const general = nn.DenseGeneral([2, 3]).init(random.PRNGKey(6), np.ones([4, 5]));
// expect: {params: {kernel: f32[5,2,3], bias: f32[2,3]}}
const norms = nn.RMSNorm().init(random.PRNGKey(7), np.ones([2, 6]));
// expect: {params: {scale: f32[6]}}
const groups = nn.GroupNorm({ numGroups: 2 }).init(random.PRNGKey(8), np.ones([2, 6]));
// expect: {params: {scale: f32[6], bias: f32[6]}}
