// A small convolutional network in NCHW layout.
import { np, nn, lax, random, type f32 } from "tensorlens";

const key = random.key(0);
const [kConv1, kConv2, kDense] = random.split(key, 3);
const conv1 = random.normal(kConv1, [8, 1, 3, 3]);
// expect: f32[8,1,3,3]
const conv2 = random.normal(kConv2, [16, 8, 3, 3]);
const dense = random.normal(kDense, [16 * 24 * 24, 10]);
// expect: f32[9216,10]

export function classify(images: f32<"N 1 28 28">) {
  const a = nn.relu(lax.conv(images, conv1, [1, 1], "VALID"));
  // expect: f32[N,8,26,26]
  const b = nn.relu(lax.conv(a, conv2, [1, 1], "VALID"));
  // expect: f32[N,16,24,24]
  const flat = b.reshape([-1, 16 * 24 * 24]);
  // expect: f32[N,9216]
  const logits = flat.matmul(dense);
  // expect: f32[N,10]
  return nn.softmax(logits, { axis: -1 });
}

const probs = classify(np.zeros([32, 1, 28, 28]));
// expect: f32[32,10]
const same = lax.conv(np.zeros([2, 1, 28, 28]), conv1, [2, 2], "SAME");
// expect: f32[2,8,14,14]
