/**
 * tensorlens: JAX for TypeScript. Arrays on a device, a numpy API, composable
 * transformations (grad, jit, vmap, jvp, vjp), PRNG keys, pytrees and lax control flow.
 */
import "./backend/reference/register.js";
import "./backend/native/register.js";
import "./core/eval.js";
import "./core/control.js";
import * as numpy from "./numpy/index.js";
import { withUserLocation } from "./core/source.js";
import { ShapeError } from "./shape/errors.js";
import * as lax from "./lax/index.js";
import * as nn from "./nn/index.js";
import { tree } from "./tree.js";
import * as optim from "./optim/index.js";
import * as losses from "./losses/index.js";
import * as checkpoint from "./checkpoint/index.js";
import * as random from "./random/index.js";

// Shape errors raised anywhere in the engine name the user's line that caused them.
ShapeError.decorate = (e) => { withUserLocation(e); };
export { numpy as np };
export { lax, nn, random, tree };
export { optim, losses, checkpoint };
export { DeviceArray, liveBytes } from "./array.js";
export { config } from "./config.js";
export { grad, valueAndGrad, jvp, vjp, linearize, jacfwd, jacrev, hessian } from "./api/grad.js";
export { vmap } from "./api/vmap.js";
export { jit, type Jitted } from "./api/jit.js";
export { makeJaxpr, evalShape, ShapeDtypeStruct } from "./api/inspect.js";
export { setDefaultBackend, getBackend, availableBackends, defaultBackendName } from "./backend/registry.js";
export { devicePut } from "./device.js";
export { report } from "./report.js";
export { recordArraySites, arraySite } from "./sites.js";
export type { DType } from "./dtype.js";
export type { f32, f16, f64, i32, u32, bool, Arr, PRNGKey } from "./typing.js";
export { ShapeError } from "./shape/errors.js";
export { ConcretizationError, LeakedTracerError } from "./core/trace.js";
export { startProfile, profile, Profile, type ProfileSession, type ProfileOptions, type ProfileEvent } from "./profiler/index.js";
