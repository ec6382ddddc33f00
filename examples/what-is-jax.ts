// The "What is JAX?" tutorial, step by step, in TypeScript. Run with `npm start`; on a GPU with
// `TENSORLENS_BACKEND=webgpu npm start` (the same program prints the same numbers).
import { np, nn, random, grad, jit, vmap, config, tree, type DeviceArray } from "tensorlens";

const section = (title: string) => console.log(`\n=== ${title} ===`);

// Like JAX, arrays are computed asynchronously: an op returns at once and the device works
// behind it. On a GPU the values come back only when awaited, so what is printed is fetched
// first (`await x.data()`, here for every array of a pytree); on the CPU backends this returns
// at once. After that the arrays print, `tolist()` and `item()` as on any backend.
async function fetched<T>(x: T): Promise<T> {
  await Promise.all(tree.leaves(x).map((a) => (a as DeviceArray).data()));
  return x;
}

// 1. Arrays and matmul -------------------------------------------------------------------
section("1. Arrays and matmul");
const input = np.array([[2, 3], [4, 5], [6, 7]]);
const kernel = np.array([[9, 1, 0, 0], [1, 0, 1, 0]]);
console.log("np.matmul(input, kernel) =", await fetched(np.matmul(input, kernel)));
console.log("np.dot(input, kernel)    =", await fetched(np.dot(input, kernel)));
console.log("input.matmul(kernel)     =", await fetched(input.matmul(kernel)));

// 2. A hand-written network, a loss, a gradient, an SGD step ---------------------------------
section("2. A network by hand, its loss and gradients");
function predict(x: DeviceArray, layers: DeviceArray[]): DeviceArray {
  layers.forEach((k, i) => {
    x = x.matmul(k);
    x = i !== layers.length - 1 ? nn.relu(x) : nn.sigmoid(x);
  });
  return x;
}
const eps = 1e-8;
function lossFn(x: DeviceArray, target: DeviceArray, layers: DeviceArray[]): DeviceArray {
  const output = predict(x, layers);
  return np.mean(target.mul(np.log(output.add(eps))).add(np.subtract(1, target).mul(np.log(np.subtract(1, output).add(eps))))).neg();
}
// The tutorial does not give its target or second kernel: these are ours.
const target = np.array([[0], [1], [0]]);
const layers = [np.array([[0.2, -0.1, 0.05, 0.3], [-0.25, 0.1, 0.2, -0.05]]), np.array([[0.3], [-0.2], [0.1], [0.25]])];
console.log("loss =", await fetched(lossFn(input, target, layers)));
console.log("grad w.r.t. input (argnums 0) =", await fetched(grad(lossFn)(input, target, layers)));
console.log("grad w.r.t. layers (argnums 2) =", await fetched(grad(lossFn, { argnums: 2 })(input, target, layers)));
console.log("second derivative of sin at 1.0:", await fetched(grad(grad(np.sin))(np.array(1.0))), "(-sin(1) =", -Math.sin(1), ")");

function updateStep(x: DeviceArray, t: DeviceArray, ls: DeviceArray[]): DeviceArray[] {
  const grads = grad(lossFn, { argnums: 2 })(x, t, ls) as DeviceArray[];
  return ls.map((w, i) => w.sub(grads[i]!.mul(0.1)));
}
let trained = layers;
for (let i = 0; i < 100; i++) trained = updateStep(input, target, trained);
console.log("loss after 100 SGD steps =", await fetched(lossFn(input, target, trained)));

// 3. jit ---------------------------------------------------------------------------------------
section("3. jit");
const updateStepJit = jit(updateStep);
// Like %timeit: µs per call, the median of 5 timed loops of n calls, n chosen so that a loop takes
// about 0.1 s, after 0.3 s of warm-up (JavaScript engines reach their optimized code only after
// some thousands of calls). Each loop ends by fetching its last result, as %timeit's
// `.block_until_ready()`: the time includes the device's work, not only the dispatch.
async function time(f: () => unknown): Promise<number> {
  const loop = async (n: number) => {
    const t0 = performance.now();
    let r: unknown;
    for (let i = 0; i < n; i++) r = f();
    await fetched(r);
    return (performance.now() - t0) * 1000 / n;
  };
  let n = 1;
  for (const warm = performance.now() + 300; performance.now() < warm;) n = Math.max(1, Math.round(100_000 / await loop(n)));
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) runs.push(await loop(n));
  return runs.sort((x, y) => x - y)[2]!;
}
const eager = await time(() => updateStep(input, target, layers));
const jitted = await time(() => updateStepJit(input, target, layers));
console.log(`update_step eager: ${eager.toFixed(1)} µs per call; jitted: ${jitted.toFixed(2)} µs per call (backend: ${input.device})`);
const [fromJit, fromEager] = await fetched([updateStepJit(input, target, layers), updateStep(input, target, layers)]);
console.log("jitted and eager agree:", (await fetched(fromJit!.map((w, i) => np.allclose(w, fromEager![i]!)))).every((ok) => ok.item()));
console.log("the jitted program:\n" + updateStepJit.lower(input, target, layers).program);

// 4. DeviceArray, PRNG keys, vmap --------------------------------------------------------------
section("4. DeviceArray, PRNG keys, vmap");
const x = np.arange(6).reshape([2, 3]);
console.log(`x lives on "${x.device}": shape [${x.shape}], dtype ${x.dtype}; copied back only when asked:`, (await fetched(x)).tolist());
const key = random.PRNGKey(0);
const keys = random.split(key);
const [k1, k2] = keys;
console.log("random.split(PRNGKey(0)) ->", (await fetched(random.keyData(keys))).tolist());
console.log("random.normal(k1, [3]) =", await fetched(random.normal(k1!, [3])));
console.log("random.uniform(k2, [2, 2]) =", await fetched(random.uniform(k2!, [2, 2])));
const perExample = (row: DeviceArray) => predict(row.reshape([1, 2]), layers).reshape([]);
console.log("vmap(predict one example)(input) =", await fetched(vmap(perExample)(input)));
console.log("predict(input, layers)           =", await fetched(predict(input, layers).reshape([3])));

// 5. Flax: a network as a module ---------------------------------------------------------------
section("5. Flax-style modules");
// Flax's own printed numbers came from the JAX of the tutorial's time, which used the legacy
// threefry scheme; switching to it reproduces them exactly.
config.update("threefryPartitionable", false);
class Net extends nn.Module {
  call(h: DeviceArray): DeviceArray {
    h = nn.Dense(4)(h);
    h = nn.relu(h);
    h = nn.Dense(1)(h);
    return nn.sigmoid(h);
  }
}
const vars = await fetched(new Net().init(random.PRNGKey(0), input));
console.log("Net().init(PRNGKey(0), input) =", vars);
console.log("Dense_0.kernel =", vars.params.Dense_0.kernel);
console.log("Dense_1.kernel =", vars.params.Dense_1.kernel);
// The kernel's shape depends only on the example's last axis: (1, 2) and (2,) give the same parameters.
const same = await fetched([np.ones([1, 2]), np.ones([2])].map((x) => np.allclose(new Net().init(random.PRNGKey(0), x).params.Dense_0.kernel, vars.params.Dense_0.kernel)));
console.log("init with inputs of shape (1, 2) and (2,) gives the same parameters:", same.every((ok) => ok.item()));
console.log("Net().apply(vars, input) =", await fetched(new Net().apply(vars, input)));
console.log("vmap(x => Net().apply(vars, x))(input) =", await fetched(vmap((row: DeviceArray) => new Net().apply(vars, row))(input)));
config.update("threefryPartitionable", true);
