// Scaled dot-product attention with multiple heads, written with einsum and matmul.
import { np, nn, random, type f32 } from "tensorlens";

const dModel = 64;
const heads = 4;
const dHead = dModel / heads;

export function attention(q: f32<"B T 64">, k: f32<"B S 64">, v: f32<"B S 64">) {
  const qh = q.reshape([-1, q.shape[1], heads, dHead]);
  // expect: f32[B,T,4,16]
  const kh = np.reshape(k, [-1, k.shape[1], heads, dHead]);
  // expect: f32[B,S,4,16]
  const vh = np.reshape(v, [-1, v.shape[1], heads, dHead]);
  const scores = np.einsum("bthd,bshd->bhts", qh, kh).div(Math.sqrt(dHead));
  // expect: f32[B,4,T,S]
  const weights = nn.softmax(scores, { axis: -1 });
  // expect: f32[B,4,T,S]
  const out = np.einsum("bhts,bshd->bthd", weights, vh);
  // expect: f32[B,T,4,16]
  return out.reshape([-1, q.shape[1], dModel]);
}

const [kq, kk] = random.split(random.key(1));
const x = random.normal(kq, [2, 10, 64]);
const memory = random.normal(kk, [2, 7, 64]);
const y = attention(x, memory, memory);
// expect: f32[2,10,64]
const wq = np.eye(64);
// expect: f32[64,64]
const projected = np.matmul(x, wq);
// expect: f32[2,10,64]
const pooled = projected.mean({ axis: 1, keepdims: true });
// expect: f32[2,1,64]
