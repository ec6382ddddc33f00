import { setX64, x64Enabled } from "./dtype.js";

/**
 * Global flags, as jax.config: enableX64 (float64), threefryPartitionable (the PRNG scheme),
 * enableChecks (type-check every traced program after tracing, after each pass and after
 * lowering, as jax_enable_checks; env TENSORLENS_CHECKS=1).
 */
export interface Flags { enableX64: boolean; threefryPartitionable: boolean; enableChecks: boolean }
const flags: Flags = {
  enableX64: false,
  threefryPartitionable: process.env.TENSORLENS_THREEFRY_PARTITIONABLE !== "0",
  enableChecks: process.env.TENSORLENS_CHECKS === "1",
};

export const config = {
  update<K extends keyof Flags>(name: K, value: Flags[K]) {
    if (!(name in flags)) throw new Error(`config.update: unknown flag "${String(name)}"; known flags: ${Object.keys(flags).join(", ")}`);
    flags[name] = value;
    if (name === "enableX64") setX64(Boolean(value));
  },
  read<K extends keyof Flags>(name: K): Flags[K] {
    return name === "enableX64" ? (x64Enabled() as Flags[K]) : flags[name];
  },
};
