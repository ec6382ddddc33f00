import { DeviceArray } from "../array.js";
import { config } from "../config.js";
import * as l from "../lax/primitives.js";
import { bitcastConvertType } from "../lax/extra.js";
import { bits32, checkKey, foldInKey, keyFromWords, splitKey, u32 } from "./threefry.js";
import type { PRNGKey as Key } from "../typing.js";
import { LocatedTypeError } from "../ir/source.js";

/**
 * Keys are raw uint32[2] arrays, as jax.random.PRNGKey returns them (JAX's typed key arrays,
 * `key<fry>[]`, are not modelled: `key` and `PRNGKey` are the same function here).
 */

/**
 * A key from an integer seed, as JAX does it. With `enableX64` the seed is an int64 bit-cast to
 * [high word, low word] (so -1 gives [4294967295, 4294967295] and 2^32 + 5 gives [1, 5]). In
 * JAX's default 32-bit mode the seed is first narrowed to 32 bits: the key is [0, seed mod 2^32]
 * (-1 gives [0, 4294967295]). Seeds beyond 2^53 lose precision as JS numbers: pass a bigint.
 * A scalar int32/uint32 array seed also works, and traces (vmap over seeds).
 */
export function key(seed: number | bigint | DeviceArray): Key {
  if (seed instanceof DeviceArray) {
    if (seed.ndim !== 0) throw new LocatedTypeError(`random.key: accepts a scalar seed, but was given an array of shape [${seed.shape.join(", ")}]; use vmap for batching`);
    if (seed.dtype !== "int32" && seed.dtype !== "uint32") throw new LocatedTypeError(`random.key: the seed must be an integer; got an array of dtype ${seed.dtype}`);
    // A 32-bit seed: its high word is 0 (a logical shift by 32 clears it) and its low word is its bits.
    const lo = seed.dtype === "uint32" ? seed : bitcastConvertType(seed, "uint32");
    return l.concatenate([l.reshape(u32(0), [1]), l.reshape(lo, [1])], 0);
  }
  let s: bigint;
  if (typeof seed === "bigint") s = seed;
  else {
    if (typeof seed !== "number" || !Number.isInteger(seed)) throw new LocatedTypeError(`random.key: the seed must be an integer; got ${String(seed)}`);
    s = BigInt(seed);
  }
  const bits = BigInt.asUintN(64, s);
  const hi = config.read("enableX64") ? Number(bits >> 32n) : 0;
  return keyFromWords(hi, Number(bits & 0xffffffffn));
}

/** jax.random.PRNGKey: the same raw uint32[2] key as `key`. */
export const PRNGKey = key;

/** `num` new keys (or an array of keys of shape `num`), shape [...num, 2]. */
export function split(k: Key, num: number | readonly number[] = 2): Key {
  const shape = typeof num === "number" ? [num] : [...num];
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new LocatedTypeError(`random.split: num must be a non-negative integer or a shape, got ${JSON.stringify(num)}`);
  return splitKey(checkKey("split", k), shape);
}

/** Converts fold-in data to a uint32 scalar by wrapping modulo 2^32, as jnp.uint32 does. */
function dataWord(data: number | DeviceArray): DeviceArray {
  if (data instanceof DeviceArray) {
    if (data.ndim !== 0) throw new LocatedTypeError(`random.foldIn: accepts a scalar, but was given an array of shape [${data.shape.join(", ")}]; use vmap for batching`);
    if (data.dtype === "uint32") return data;
    if (data.dtype === "int32") return bitcastConvertType(data, "uint32");
    throw new LocatedTypeError(`random.foldIn: data must be an integer, got dtype ${data.dtype}`);
  }
  if (!Number.isInteger(data)) throw new LocatedTypeError(`random.foldIn: data must be an integer, got ${data}`);
  return u32(Number(BigInt.asUintN(32, BigInt(data))));
}

/** A new key, a deterministic function of `key` and the 32-bit integer `data`. */
export function foldIn(k: Key, data: number | DeviceArray): Key {
  return foldInKey(checkKey("foldIn", k), dataWord(data));
}

/** The raw uint32 words of keys (keys are already raw here, so this is the identity). */
export function keyData(keys: Key): DeviceArray {
  if (!(keys instanceof DeviceArray) || keys.dtype !== "uint32" || keys.shape[keys.ndim - 1] !== 2) {
    throw new LocatedTypeError(`random.keyData: expected uint32 key data of shape [..., 2]`);
  }
  return keys;
}

/** Random bits (jax.random.bits): uint32 only, since the engine has no 8/16/64-bit unsigned dtypes. */
export function bits(k: Key, shape: readonly number[] = [], dtype: "uint32" = "uint32"): DeviceArray {
  if (dtype !== "uint32") throw new LocatedTypeError(`random.bits: dtype must be uint32 (the engine has no other unsigned dtypes), got ${String(dtype)}`);
  return bits32(checkKey("bits", k), shape);
}
