import type { DeviceArray } from "../../array.js";
import * as np from "../../numpy/index.js";
import * as l from "../../lax/primitives.js";
import { scalar } from "../../trace/constants.js";
import { resolvePadding } from "../../shape/conv.js";

/**
 * Pooling as Flax's (inputs [batch..., *window axes, features]; the window covers the axes
 * between the first and the last). There is no reduce_window primitive. Windows that tile the
 * input (strides equal to the window, no padding: the usual 2x2 pooling) are a
 * reshape that splits each window axis in two and one reduction over the inner halves: one
 * fused kernel forward, and the reduction's gradient (shared among tied maxima) backward.
 * Other windows are the elementwise max (or sum) of their k1*k2*... strided slices, which
 * differentiates through slice and max/add; it costs a padded copy per window position
 * backward, several times the tiled form.
 */
export type PoolPadding = "SAME" | "VALID" | readonly (readonly [number, number])[];

type Reduce = (x: DeviceArray, axes: readonly number[]) => DeviceArray;

function pool(x: DeviceArray, window: readonly number[], strides: readonly number[] | undefined, padding: PoolPadding, init: number,
  combine: (a: DeviceArray, b: DeviceArray) => DeviceArray, reduce: Reduce): DeviceArray {
  const n = window.length;
  const st = strides ?? window.map(() => 1);
  if (x.ndim < n + 1) throw new Error(`pool: input of shape [${x.shape}] needs ${n} window axes and a feature axis`);
  const first = x.ndim - 1 - n;
  const spatial = x.shape.slice(first, first + n);
  const pads = resolvePadding(spatial, window, { strides: st, padding });
  if (window.every((k, i) => st[i] === k) && pads.every(([a, b]) => a === 0 && b === 0)) {
    // Tiles: [..., H, W, C] -> [..., H/kh, kh, W/kw, kw, C], reduced over the kh and kw axes
    // (a remainder that no window reaches is sliced off first, as VALID drops it).
    const tiles = spatial.map((d, i) => Math.floor(d / window[i]!));
    const used = tiles.map((t, i) => t * window[i]!);
    const xs = used.every((u, i) => u === spatial[i]) ? x
      : l.slice(x, x.shape.map(() => 0), x.shape.map((d, i) => (i >= first && i < first + n ? used[i - first]! : d)));
    const y = l.reshape(xs, [...x.shape.slice(0, first), ...tiles.flatMap((t, i) => [t, window[i]!]), x.shape[x.ndim - 1]!]);
    return reduce(y, window.map((_, i) => first + 2 * i + 1));
  }
  let xp = x;
  if (pads.some(([a, b]) => a || b)) {
    const config = x.shape.map((_, i) => (i >= first && i < first + n ? [pads[i - first]![0], pads[i - first]![1], 0] as const : [0, 0, 0] as const));
    xp = l.pad(x, scalar(init, x.dtype), config);
  }
  const padded = xp.shape.slice(first, first + n);
  const out = padded.map((d, i) => Math.floor((d - window[i]!) / st[i]!) + 1);
  let acc: DeviceArray | null = null;
  const total = window.reduce((p, k) => p * k, 1);
  for (let w = 0; w < total; w++) {
    const offs: number[] = [];
    for (let i = n - 1, r = w; i >= 0; i--) { offs[i] = r % window[i]!; r = Math.floor(r / window[i]!); }
    const start = xp.shape.map((_, i) => (i >= first && i < first + n ? offs[i - first]! : 0));
    const limit = xp.shape.map((d, i) => (i >= first && i < first + n ? offs[i - first]! + (out[i - first]! - 1) * st[i - first]! + 1 : d));
    const stride = xp.shape.map((_, i) => (i >= first && i < first + n ? st[i - first]! : 1));
    const s = l.slice(xp, start, limit, stride);
    acc = acc ? combine(acc, s) : s;
  }
  return acc!;
}

export function maxPool(x: DeviceArray, windowShape: readonly number[], opts: { strides?: readonly number[]; padding?: PoolPadding } = {}): DeviceArray {
  return pool(x, windowShape, opts.strides, opts.padding ?? "VALID", -Infinity, l.max, l.reduceMax);
}
export function minPool(x: DeviceArray, windowShape: readonly number[], opts: { strides?: readonly number[]; padding?: PoolPadding } = {}): DeviceArray {
  return pool(x, windowShape, opts.strides, opts.padding ?? "VALID", Infinity, l.min, l.reduceMin);
}
/** Mean over each window; with countIncludePad false, padded positions are left out of the count. */
export function avgPool(x: DeviceArray, windowShape: readonly number[], opts: { strides?: readonly number[]; padding?: PoolPadding; countIncludePad?: boolean } = {}): DeviceArray {
  const padding = opts.padding ?? "VALID";
  const sum = pool(x, windowShape, opts.strides, padding, 0, l.add, l.reduceSum);
  if (opts.countIncludePad ?? true) return np.divide(sum, windowShape.reduce((p, k) => p * k, 1));
  const counts = pool(np.onesLike(x), windowShape, opts.strides, padding, 0, l.add, l.reduceSum);
  return np.divide(sum, counts);
}
