// A two-layer MLP classifier on flattened 28x28 images, with shape-annotated inputs.
import { np, nn, random, grad, jit, type f32, type i32, type PRNGKey, type DeviceArray } from "tensorlens";

interface Params { w1: DeviceArray; b1: DeviceArray; w2: DeviceArray; b2: DeviceArray }

export function initParams(key: PRNGKey) {
  const [k1, k2] = random.split(key);
  // expect k1: key u32[2]
  return {
    w1: random.normal(k1, [784, 128]).mul(0.01),
    b1: np.zeros([128]),
    w2: random.normal(k2, [128, 10]).mul(0.01),
    b2: np.zeros([10]),
  };
}

function forward(params: Params, x: f32<"B 784">) {
  const h = nn.relu(x.matmul(params.w1).add(params.b1));
  // expect: f32[B,128]
  const logits = h.matmul(params.w2).add(params.b2);
  // expect: f32[B,10]
  return nn.logSoftmax(logits);
}

function loss(params: Params, x: f32<"B 784">, labels: i32<"B">) {
  const logp = forward(params, x);
  // expect: f32[B,10]
  const onehot = nn.oneHot(labels, 10);
  // expect: f32[B,10]
  return np.negative(np.mean(np.sum(logp.mul(onehot), { axis: -1 })));
}

const params = initParams(random.key(42));
// expect: {w1: f32[784,128], b1: f32[128], w2: f32[128,10], b2: f32[10]}
const images = np.zeros([64, 784]);
const labels = np.zeros([64], "int32");
// expect: i32[64]
const logits = forward(params, images);
// expect: f32[64,10]
const grads = jit(grad(loss))(params, images, labels);
// expect: {w1: f32[784,128], b1: f32[128], w2: f32[128,10], b2: f32[10]}
const accuracy = np.mean(np.equal(np.argmax(logits, { axis: 1 }), labels));
// expect: f32[]
