/** Optax for TypeScript: gradient transformations, optimizers, schedules (and the losses, also exported as `losses`). */
export * from "./transforms.js";
export * from "./alias.js";
export * from "./schedules.js";
export * as losses from "../losses/index.js";
