import { DeviceArray } from "../array.js";
import { config } from "../config.js";
import { fromHost, scalar } from "../trace/constants.js";
import * as l from "../lax/primitives.js";
import { threefry2x32 } from "../lax/extra.js";
import { LocatedTypeError, LocatedRangeError } from "../ir/source.js";

/**
 * JAX's threefry2x32 PRNG, key layer: how counters are laid out for split, fold_in and
 * random_bits in each of JAX's two schemes. Everything is written with lax ops, so it traces
 * under jit and vmap (a key is a uint32[2] array; under vmap it is a tracer of shape [2]).
 *
 * - partitionable (jax_threefry_partitionable=True, JAX's current default): element i of an
 *   output of shape S is threefry(key, (hi(i), lo(i))) with (hi, lo) the 64-bit row-major
 *   position; random bits are y0 ^ y1, split keys are (y0, y1).
 * - original (the legacy scheme): the counters 0..n-1 are cut in two halves, the first half
 *   goes into x0 and the second into x1, and the two outputs are concatenated.
 */

export const partitionable = () => config.read("threefryPartitionable");

export const u32 = (v: number) => scalar(v, "uint32");

/** Checks that `key` is one raw threefry key (uint32[2]); `op` names the caller for messages. */
export function checkKey(op: string, key: unknown): DeviceArray {
  if (!(key instanceof DeviceArray)) throw new LocatedTypeError(`random.${op}: expected a PRNG key (a uint32[2] array from random.key), got ${typeof key}`);
  if (key.dtype !== "uint32") throw new LocatedTypeError(`random.${op}: a PRNG key has dtype uint32, got ${key.dtype} (make keys with random.key(seed))`);
  if (key.ndim !== 1 || key.shape[0] !== 2) {
    const batch = key.ndim > 1 && key.shape[key.ndim - 1] === 2;
    throw new LocatedTypeError(batch
      ? `random.${op}: expected a single key of shape [2], got a key array of shape [${key.shape.join(", ")}]; use vmap for batching`
      : `random.${op}: a PRNG key has shape [2], got [${key.shape.join(", ")}]`);
  }
  return key;
}

/** The two key words as uint32 scalars. */
export function keyWords(key: DeviceArray): [DeviceArray, DeviceArray] {
  return [l.reshape(l.slice(key, [0], [1]), []), l.reshape(l.slice(key, [1], [2]), [])];
}

const zerosU32 = (shape: readonly number[]) => l.broadcastInDim(u32(0), shape, []);

/** Low words of the row-major positions of an array of `shape` (the high words are 0 below 2^32 elements). */
function positions(shape: readonly number[]): DeviceArray {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size >= 2 ** 32) throw new LocatedRangeError(`random: arrays of 2^32 or more elements are not supported (shape [${shape.join(", ")}])`);
  return l.reshape(l.iota("uint32", [size]), shape);
}

/** JAX's threefry_2x32(key, counts) over a 1-D count array: halves in, concatenation out. */
export function threefryFlat(key: DeviceArray, counts: DeviceArray): DeviceArray {
  const n = counts.shape[0]!;
  if (n === 0) return counts;
  const padded = n % 2 ? l.concatenate([counts, zerosU32([1])], 0) : counts;
  const half = padded.shape[0]! / 2;
  const [k0, k1] = keyWords(key);
  const [y0, y1] = threefry2x32(k0, k1, l.slice(padded, [0], [half]), l.slice(padded, [half], [2 * half]));
  const out = l.concatenate([y0, y1], 0);
  return n % 2 ? l.slice(out, [0], [n]) : out;
}

/** threefry(key, position) for every element of `shape`: the two output words. */
function threefryAtPositions(key: DeviceArray, shape: readonly number[]): [DeviceArray, DeviceArray] {
  const [k0, k1] = keyWords(key);
  return threefry2x32(k0, k1, zerosU32(shape), positions(shape));
}

/** split: keys of shape [...shape, 2]. */
export function splitKey(key: DeviceArray, shape: readonly number[]): DeviceArray {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size === 0) return zerosU32([...shape, 2]);
  if (partitionable()) {
    const [y0, y1] = threefryAtPositions(key, shape);
    return l.concatenate([l.reshape(y0, [...shape, 1]), l.reshape(y1, [...shape, 1])], shape.length);
  }
  return l.reshape(threefryFlat(key, l.iota("uint32", [2 * size])), [...shape, 2]);
}

/** fold_in: threefry of the counters (0, data); the same in both schemes. `data` is a uint32 scalar. */
export function foldInKey(key: DeviceArray, data: DeviceArray): DeviceArray {
  return threefryFlat(key, l.concatenate([zerosU32([1]), l.reshape(data, [1])], 0));
}

/** 32 random bits per element of `shape`. */
export function bits32(key: DeviceArray, shape: readonly number[]): DeviceArray {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size === 0) return zerosU32(shape);
  if (partitionable()) {
    const [y0, y1] = threefryAtPositions(key, shape);
    return l.binary("xor")(y0, y1);
  }
  return l.reshape(threefryFlat(key, l.iota("uint32", [size])), shape);
}

/** 16 random bits per element (in the low half of uint32 words), as JAX's 16-bit random_bits. */
export function bits16(key: DeviceArray, shape: readonly number[]): DeviceArray {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size === 0) return zerosU32(shape);
  const mask = u32(0xffff);
  if (partitionable()) return l.and(bits32(key, shape), mask);
  // Original scheme: ceil(size / 2) words, each read as two 16-bit values, low half first.
  const words = threefryFlat(key, l.iota("uint32", [Math.ceil(size / 2)]));
  const shifts = l.reshape(l.mul(l.iota("uint32", [2]), u32(16)), [1, 2]);
  const halves = l.and(l.binary("shift_right_logical")(l.reshape(words, [words.shape[0]!, 1]), shifts), mask);
  return l.reshape(l.slice(l.reshape(halves, [2 * words.shape[0]!]), [0], [size]), shape);
}

/** 64 random bits per element as (high word, low word), as JAX's 64-bit random_bits. */
export function bits64(key: DeviceArray, shape: readonly number[]): [DeviceArray, DeviceArray] {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size === 0) return [zerosU32(shape), zerosU32(shape)];
  if (partitionable()) return threefryAtPositions(key, shape);
  // Original scheme: 2 * size words; the first half are the high words, the second the low.
  const words = threefryFlat(key, l.iota("uint32", [2 * size]));
  return [l.reshape(l.slice(words, [0], [size]), shape), l.reshape(l.slice(words, [size], [2 * size]), shape)];
}

/** A uint32[2] key from host words. */
export function keyFromWords(hi: number, lo: number): DeviceArray {
  return fromHost(Uint32Array.of(hi >>> 0, lo >>> 0), [2], "uint32");
}
