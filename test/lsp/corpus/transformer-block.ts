// A transformer encoder block written as plain functions over a parameter object: multi-head
// self-attention (split heads with reshape/transpose), residuals, layer norm and a GELU MLP.
import { np, nn, random, type DeviceArray } from "tensorlens";

const D = 32, H = 4, F = 64;
const HD = D / H;

function dense(key: DeviceArray, nIn: number, nOut: number) {
  return { w: random.normal(key, [nIn, nOut]).mul(1 / Math.sqrt(nIn)), b: np.zeros([nOut]) };
}

function initBlock(key: DeviceArray) {
  const [kq, kk, kv, ko, k1, k2] = random.split(key, 6);
  return {
    q: dense(kq, D, D), k: dense(kk, D, D), v: dense(kv, D, D), o: dense(ko, D, D),
    ff1: dense(k1, D, F), ff2: dense(k2, F, D),
    ln1: { scale: np.ones([D]), bias: np.zeros([D]) },
    ln2: { scale: np.ones([D]), bias: np.zeros([D]) },
  };
}

function layerNorm(x: DeviceArray, p: { scale: DeviceArray; bias: DeviceArray }) {
  const mu = np.mean(x, { axis: -1, keepdims: true });
  const v = np.var(x, { axis: -1, keepdims: true });
  return x.sub(mu).div(np.sqrt(v.add(1e-5))).mul(p.scale).add(p.bias);
}

function splitHeads(x: DeviceArray) {
  const [b, t] = x.shape;
  return x.reshape([b, t, H, HD]).transpose([0, 2, 1, 3]);
}

function attention(p: ReturnType<typeof initBlock>, x: DeviceArray, mask: DeviceArray) {
  const q = splitHeads(x.matmul(p.q.w).add(p.q.b));
  const k = splitHeads(x.matmul(p.k.w).add(p.k.b));
  const v = splitHeads(x.matmul(p.v.w).add(p.v.b));
  const scores = q.matmul(k.transpose([0, 1, 3, 2])).mul(1 / Math.sqrt(HD));
  const masked = np.where(mask, scores, -1e9);
  const weights = nn.softmax(masked, { axis: -1 });
  // expect: f32[2,4,10,10]
  const ctx = weights.matmul(v);
  const [b, , t] = ctx.shape;
  const merged = ctx.transpose([0, 2, 1, 3]).reshape([b, t, D]);
  // expect: f32[2,10,32]
  return merged.matmul(p.o.w).add(p.o.b);
}

export function encoderBlock(p: ReturnType<typeof initBlock>, x: DeviceArray, mask: DeviceArray) {
  const h = x.add(attention(p, layerNorm(x, p.ln1), mask));
  const ff = nn.gelu(layerNorm(h, p.ln2).matmul(p.ff1.w).add(p.ff1.b));
  return h.add(ff.matmul(p.ff2.w).add(p.ff2.b));
}

const params = initBlock(random.key(0));
const tokens = random.normal(random.key(1), [2, 10, D]);
const causal = np.tril(np.ones([10, 10], "bool"));
const out = encoderBlock(params, tokens, causal);
// expect: f32[2,10,32]
const pooled = out.mean({ axis: 1 });
const positions = np.arange(10);
// expect: i32[10]
const posEmbedding = np.sin(positions.astype("float32").reshape([10, 1]).div(np.power(10000, np.arange(0, D, 2).div(D))));
// expect: f32[10,16]
