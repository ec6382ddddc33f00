// An LSTM over a sequence with lax.scan: the carry is [h, c], gates from one fused matmul.
import { np, nn, lax, random, type DeviceArray } from "tensorlens";

const IN = 6, HID = 12, B = 3, T = 9;
const [k1, k2, k3] = random.split(random.key(42), 3);
const wx = random.normal(k1, [IN, 4 * HID]).mul(0.1);
const wh = random.normal(k2, [HID, 4 * HID]).mul(0.1);
const bias = np.zeros([4 * HID]);

function lstmCell(carry: DeviceArray[], x: DeviceArray): [DeviceArray[], DeviceArray] {
  const [h, c] = carry;
  const z = x.matmul(wx).add(h!.matmul(wh)).add(bias);
  const [i, f, g, o] = np.split(z, 4, { axis: -1 });
  // expect o: f32[3,12]
  const cNext = nn.sigmoid(f!).mul(c!).add(nn.sigmoid(i!).mul(np.tanh(g!)));
  const hNext = nn.sigmoid(o!).mul(np.tanh(cNext));
  return [[hNext, cNext], hNext];
}

const xs = random.normal(k3, [T, B, IN]);
const init = [np.zeros([B, HID]), np.zeros([B, HID])];
const [[hT, cT], hs] = lax.scan(lstmCell, init, xs);
// expect hs: f32[9,3,12]
const last = hs.get(-1);
// expect: f32[3,12]
const readout = hs.mean({ axis: 0 }).matmul(np.ones([HID, 2]));
// expect: f32[3,2]
const reversed = lax.scan(lstmCell, init, xs, { reverse: true })[1];
// expect: f32[9,3,12]
