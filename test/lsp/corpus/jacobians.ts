// Forward and reverse mode beyond grad: jvp, vjp, linearize, jacfwd, jacrev, hessian, valueAndGrad with aux.
import { np, jvp, vjp, linearize, jacfwd, jacrev, hessian, valueAndGrad, type DeviceArray } from "tensorlens";

const W = np.ones([3, 4]);
const f = (x: DeviceArray) => np.tanh(np.matmul(W, x));
const x = np.ones([4]);
// expect: f32[4]
const J = jacfwd(f)(x);
// expect: f32[3,4]
const Jr = jacrev(f)(x);
// expect: f32[3,4]
const energy = (v: DeviceArray) => np.sum(np.tanh(v));
const H = hessian(energy)(x);
// expect: f32[4,4]
const H3 = hessian(f)(x);
// expect: f32[3,4,4]
const [y, ty] = jvp(f, [x], [np.ones([4])]);
// expect y: f32[3]
// expect ty: f32[3]
const [out, pullback] = vjp(f, x);
// expect out: f32[3]
const [ct] = pullback(np.ones([3]));
// expect: f32[4]
const [y2, fJvp] = linearize(f, x);
// expect y2: f32[3]
const t2 = fJvp(np.ones([4]));
// expect: f32[3]
const lossWithAux = (w: DeviceArray) => [np.sum(np.tanh(w)), np.tanh(w)];
const [[value, aux], g] = valueAndGrad(lossWithAux, { hasAux: true })(x);
// expect value: f32[]
// expect aux: f32[4]
// expect g: f32[4]
const M = np.ones([2, 5]);
const Jm = jacrev((m: DeviceArray) => np.sum(m, { axis: 1 }))(M);
// expect: f32[2,2,5]
