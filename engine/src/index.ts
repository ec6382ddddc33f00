/**
 * tensorlens: JAX for TypeScript. Arrays on a device, a numpy API, composable
 * transformations (grad, jit, vmap, jvp, vjp), PRNG keys, pytrees and lax control flow.
 */
import * as rawNumpy from "./numpy/index.js";
import { withUserLocation } from "./ir/source.js";
import { ShapeError } from "./shape/errors.js";
import * as rawLax from "./lax/index.js";
import * as rawNn from "./nn/index.js";
import { tree as rawTree } from "./tree.js";
import * as rawOptim from "./optim/index.js";
import * as rawLosses from "./losses/index.js";
// The safetensors module (save / load pytrees); `checkpoint` is jax.checkpoint (remat), as in JAX.
import * as safetensors from "./checkpoint/index.js";
import * as rawRandom from "./random/index.js";
import * as rawScipy from "./scipy/index.js";
import { declareNamespace, type Declared } from "./api/declared.js";
import { SIGNATURES, ALL_SIGNATURES } from "./signatures/index.js";
import { installMethods } from "./numpy/methods.js";
import * as G from "./api/grad.js";
import { vmap as rawVmap } from "./api/vmap.js";
import { jit as rawJit } from "./api/jit.js";
import { makeJaxpr as rawMakeJaxpr, evalShape as rawEvalShape } from "./api/inspect.js";
import { customJvp as rawCustomJvp, customVjp as rawCustomVjp, checkpoint as rawCheckpoint } from "./api/custom.js";

// Shape errors raised anywhere in the engine name the user's line that caused them.
ShapeError.decorate = (e) => { withUserLocation(e); };
// The public API: every function wrapped by its declared signature (signatures/), which accepts
// numpy's positional form and an options object and validates arguments at the boundary.
// The engine's own modules import the raw implementations and skip the checks.
const numpy: Declared<typeof rawNumpy> = declareNamespace("np", rawNumpy, SIGNATURES);
const lax: Declared<typeof rawLax> = declareNamespace("lax", rawLax, SIGNATURES);
// nn's functions and its module classes (declared by their constructors: signatures/library.ts).
const nn: Declared<typeof rawNn> = declareNamespace("nn", rawNn, ALL_SIGNATURES);
const random: Declared<typeof rawRandom> = declareNamespace("random", rawRandom, SIGNATURES);
const scipy: Declared<typeof rawScipy> = declareNamespace("scipy", rawScipy, SIGNATURES);
// The library layers (signatures/library.ts): optimizers, transformations and schedules, losses
// (also optim.losses), the pytree functions.
const losses: Declared<typeof rawLosses> = declareNamespace("losses", rawLosses, ALL_SIGNATURES);
const optim: Declared<typeof rawOptim> = declareNamespace("optim", { ...rawOptim, losses }, ALL_SIGNATURES) as Declared<typeof rawOptim>;
const tree: Declared<typeof rawTree> = declareNamespace("tree", rawTree, ALL_SIGNATURES);
installMethods(numpy);
const transforms = declareNamespace("", {
  grad: G.grad, valueAndGrad: G.valueAndGrad, jvp: G.jvp, vjp: G.vjp, linearize: G.linearize, jacfwd: G.jacfwd, jacrev: G.jacrev,
  hessian: G.hessian, vmap: rawVmap, jit: rawJit, makeJaxpr: rawMakeJaxpr, evalShape: rawEvalShape,
  customJvp: rawCustomJvp, customVjp: rawCustomVjp, checkpoint: rawCheckpoint, remat: rawCheckpoint,
}, SIGNATURES);
export const { grad, valueAndGrad, jvp, vjp, linearize, jacfwd, jacrev, hessian, vmap, jit, makeJaxpr, evalShape, customJvp, customVjp, checkpoint, remat } = transforms;
export type { CustomJvpFunction, CustomVjpFunction } from "./api/custom.js";
export { numpy as np };
export { lax, nn, random, tree, scipy };
export { optim, losses, safetensors };
export { DeviceArray, liveBytes } from "./array.js";
export { ComplexArray } from "./numpy/fft.js";
export { config } from "./config.js";
export { type Jitted } from "./api/jit.js";
export { ShapeDtypeStruct } from "./api/inspect.js";
export { SIGNATURES, LIBRARY_SIGNATURES, ALL_SIGNATURES } from "./signatures/index.js";
export { setDefaultBackend, getBackend, availableBackends, defaultBackendName } from "./backend/registry.js";
export { devicePut } from "./device.js";
export { report } from "./report.js";
export { recordArraySites, arraySite } from "./sites.js";
export type { DType } from "./dtype.js";
export type { f32, f16, bf16, f64, i8, i16, i32, u8, u32, bool, Arr, PRNGKey } from "./typing.js";
export { ShapeError } from "./shape/errors.js";
export { ConcretizationError, LeakedTracerError } from "./trace/trace.js";
export { startProfile, profile, Profile, type ProfileSession, type ProfileOptions, type ProfileEvent } from "./profiler/index.js";
