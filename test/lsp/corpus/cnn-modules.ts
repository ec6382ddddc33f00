// A CNN built from Flax-style modules whose hyperparameters are constructor fields, as the
// engine runs them (`constructor(readonly features: number) { super(); }`).
import { np, nn, random, type DeviceArray } from "tensorlens";

class ConvBlock extends nn.Module {
  constructor(readonly features: number, readonly strides = 1) { super(); }
  call(x: DeviceArray) {
    const y = nn.Conv(this.features, [3, 3], { strides: this.strides })(x);
    // expect: f32[4,?,?,?]
    return nn.relu(nn.LayerNorm()(y));
  }
}

class Classifier extends nn.Module {
  readonly widths: number[];
  constructor(readonly numClasses: number, widths: number[] = [16, 32]) {
    super();
    this.widths = widths;
  }
  call(x: DeviceArray) {
    let h = x;
    for (const w of this.widths) {
      h = new ConvBlock(w, 2)(h);
    }
    const pooled = np.mean(h, { axis: [1, 2] });
    // expect: f32[4,32]
    return nn.Dense(this.numClasses)(pooled);
    // expect: f32[4,10]
  }
}

const images = np.zeros([4, 16, 16, 3]);
const model = new Classifier(10);
const variables = model.init(random.key(0), images);
const logits = model.apply(variables, images);
// expect: f32[4,10]
const first = new ConvBlock(8).init(random.key(1), images);
// expect: {params: {Conv_0: {kernel: f32[3,3,3,8], bias: f32[8]}, LayerNorm_0: {scale: f32[8], bias: f32[8]}}}
const probs = nn.softmax(logits);
const labels = np.argmax(probs, { axis: -1 });
// expect: i32[4]

// A submodule held in a field is named by the field, as the engine names it.
class Head extends nn.Module {
  readonly proj = nn.Dense(3);
  readonly layers = [nn.Dense(4), nn.Dense(2)];
  call(x: DeviceArray) {
    return this.layers[1]!(this.layers[0]!(this.proj(x)));
  }
}
const headVars = new Head().init(random.key(2), np.ones([2, 5]));
// expect: {params: {proj: {kernel: f32[5,3], bias: f32[3]}, layers_0: {kernel: f32[3,4], bias: f32[4]}, layers_1: {kernel: f32[4,2], bias: f32[2]}}}
const headOut = new Head().apply(headVars, np.ones([2, 5]));
// expect: f32[2,2]
