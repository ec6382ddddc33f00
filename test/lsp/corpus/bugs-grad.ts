// Planted gradient-flow bugs.
import { np, lax, grad, valueAndGrad, type DeviceArray } from "tensorlens";

type Params = { w: DeviceArray; b: DeviceArray; unused: DeviceArray };
const params = { w: np.ones([3, 2]), b: np.ones([2]), unused: np.ones([5]) };
const x = np.ones([4, 3]);

function lossUnused(p: Params, x: DeviceArray) {
  return np.mean(x.matmul(p.w).add(p.b));
}
const g1 = grad(lossUnused)(params, x);
// expect-warning: grad/no-path
// expect-lens: ∂lossUnused/∂p: 2/3 leaves connected

function lossStopped(p: { w: DeviceArray; b: DeviceArray }, x: DeviceArray) {
  const frozen = lax.stopGradient(p.w);
  // expect-warning: grad/stop-gradient
  return np.mean(x.matmul(frozen).add(p.b));
}
const g2 = grad(lossStopped)({ w: params.w, b: params.b }, x);
// expect-lens: ∂lossStopped/∂p: 1/2 leaves connected

function lossArgmax(w: DeviceArray, x: DeviceArray) {
  const idx = np.argmax(x.matmul(w), { axis: 1 });
  // expect-warning: grad/zero-grad-op
  return np.mean(idx.astype("float32"));
}
const g3 = grad(lossArgmax)(params.w, x);
// expect-lens: ∂lossArgmax/∂w: 0/1 leaves connected

function notScalar(w: DeviceArray, x: DeviceArray) {
  return x.matmul(w);
}
const g4 = grad(notScalar)(params.w, x);
// expect-error: grad/non-scalar

function withInts(counts: DeviceArray) {
  return np.sum(counts.astype("float32"));
}
const g5 = grad(withInts)(np.ones([3], "int32"));
// expect-warning: grad/integer-leaf

function safeLog(v: DeviceArray) {
  return np.sum(np.where(v.gt(0), np.log(v), 0));
  // expect-warning: grad/where-nan
}
const [value, g6] = valueAndGrad(safeLog)(np.ones([3]));
