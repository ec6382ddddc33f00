// "What is JAX?" ported to Tensorlens, step by step (../shared/tutorial.md).
import { np, nn, grad, jit, vmap, random, type DeviceArray } from "tensorlens";

// 1. Arrays and matmul
const input = np.array([[2, 3], [4, 5], [6, 7]]);
// expect: f32[3,2]
const kernel = np.array([[9, 1, 0, 0], [1, 0, 1, 0]]);
// expect: f32[2,4]
const viaMatmul = np.matmul(input, kernel);
// expect: f32[3,4]
const viaDot = np.dot(input, kernel);
// expect: f32[3,4]
const viaMethod = input.matmul(kernel);
// expect: f32[3,4]

// 2. A hand-written network, a loss, a gradient, an SGD step
function predict(x: DeviceArray, layers: DeviceArray[]) {
  for (const [layerIndex, w] of layers.entries()) {
    x = x.matmul(w);
    x = layerIndex !== layers.length - 1 ? nn.relu(x) : nn.sigmoid(x);
  }
  return x;
}

const eps = 1e-8;
function lossFn(x: DeviceArray, target: DeviceArray, layers: DeviceArray[]) {
  const output = predict(x, layers);
  // expect: f32[3,1]
  const ll = target.mul(np.log(output.add(eps))).add(np.subtract(1, target).mul(np.log(np.subtract(1, output).add(eps))));
  // expect: f32[3,1]
  return np.negative(np.mean(ll));
}

const key = random.PRNGKey(0);
const [k1, k2] = random.split(key);
// expect k2: key u32[2]
const layers = [random.normal(k1, [2, 4]), random.normal(k2, [4, 1])];
// expect: [f32[2,4], f32[4,1]]
const target = np.array([[0], [1], [0]]);
// expect: f32[3,1]

const gInput = grad(lossFn)(input, target, layers);
// expect: f32[3,2]
const gLayers = grad(lossFn, { argnums: 2 })(input, target, layers);
// expect: [f32[2,4], f32[4,1]]

function updateStep(x: DeviceArray, t: DeviceArray, ls: DeviceArray[]) {
  const grads = grad(lossFn, { argnums: 2 })(x, t, ls);
  // expect: [f32[2,4], f32[4,1]]
  return ls.map((w, i) => w.sub(grads[i].mul(0.1)));
}

// 3. jit
const updateStepJit = jit(updateStep);
const newLayers = updateStepJit(input, target, layers);
// expect: [f32[2,4], f32[4,1]]

// 4. vmap: one example at a time
const perExample = vmap((row: DeviceArray) => predict(row, layers))(input);
// expect: f32[3,1]
const secondDerivative = grad(grad((s: DeviceArray) => np.tanh(s)))(np.array(0.5));
// expect: f32[]
