import { LocatedError } from "./checks.js";
import type { DeviceArray } from "../array.js";
import * as l from "../lax/primitives.js";
import { broadcastShapes } from "./checks.js";
import { dotShape, einsumShape, matmulShape, parseEinsum } from "./checks.js";
import { normalizeAxis, ShapeError } from "./checks.js";
import { asArray, promote, promoteFloat, type ArrayLike } from "./convert.js";

/** Linear algebra on dot_general, with numpy's batching and broadcasting. */

const label = (a: DeviceArray) => String(a.aval);

export function matmul(x: ArrayLike, y: ArrayLike): DeviceArray {
  const [a, b] = promote(x, y) as [DeviceArray, DeviceArray];
  matmulShape(a.shape, b.shape, () => [label(a), label(b)]);
  const a2 = a.ndim === 1 ? l.reshape(a, [1, a.shape[0]!]) : a;
  const b2 = b.ndim === 1 ? l.reshape(b, [b.shape[0]!, 1]) : b;
  let out: DeviceArray;
  if (b2.ndim === 2) {
    // [..., m, k] @ [k, n]: contract without broadcasting b over the batch.
    out = l.dotGeneral(a2, b2, { contract: [[a2.ndim - 1], [0]], batch: [[], []] });
  } else {
    const batch = broadcastShapes("matmul", a2.shape.slice(0, -2), b2.shape.slice(0, -2)) as number[];
    const a3 = l.broadcastTo(a2, [...batch, ...a2.shape.slice(-2)]);
    const b3 = l.broadcastTo(b2, [...batch, ...b2.shape.slice(-2)]);
    const nb = batch.length;
    const bd = [...Array(nb).keys()];
    out = l.dotGeneral(a3, b3, { contract: [[nb + 1], [nb]], batch: [bd, bd] });
  }
  if (a.ndim === 1 && b.ndim === 1) return l.reshape(out, []);
  if (a.ndim === 1) return l.reshape(out, [...out.shape.slice(0, -2), out.shape[out.ndim - 1]!]);
  if (b.ndim === 1) return l.reshape(out, out.shape.slice(0, -1));
  return out;
}

export function dot(x: ArrayLike, y: ArrayLike): DeviceArray {
  const [a, b] = promote(x, y) as [DeviceArray, DeviceArray];
  if (a.ndim === 0 || b.ndim === 0) return l.mul(a, b);
  if (a.ndim <= 2 && b.ndim <= 2) {
    dotShape(a.shape, b.shape, () => [label(a), label(b)]);
    return matmul(a, b);
  }
  dotShape(a.shape, b.shape, () => [label(a), label(b)]);
  return l.dotGeneral(a, b, { contract: [[a.ndim - 1], [b.ndim === 1 ? 0 : b.ndim - 2]], batch: [[], []] });
}

export function vdot(x: ArrayLike, y: ArrayLike): DeviceArray {
  const [a, b] = promote(x, y) as [DeviceArray, DeviceArray];
  return dot(l.reshape(a, [a.size]), l.reshape(b, [b.size]));
}
export const vecdot = (x: ArrayLike, y: ArrayLike, axis = -1) => {
  const [a, b] = promote(x, y) as [DeviceArray, DeviceArray];
  const prod = l.mul(a, b);
  return l.reduceSum(prod, [normalizeAxis("vecdot", axis, prod.ndim, prod.shape)]);
};

export function inner(x: ArrayLike, y: ArrayLike): DeviceArray {
  const [a, b] = promote(x, y) as [DeviceArray, DeviceArray];
  if (a.ndim === 0 || b.ndim === 0) return l.mul(a, b);
  if (a.shape[a.ndim - 1] !== b.shape[b.ndim - 1]) throw new ShapeError("inner", "last dims differ", [a.shape, b.shape], `inner: last dims differ: ${label(a)} and ${label(b)}`);
  return l.dotGeneral(a, b, { contract: [[a.ndim - 1], [b.ndim - 1]], batch: [[], []] });
}

export function outer(x: ArrayLike, y: ArrayLike): DeviceArray {
  const [a, b] = promote(x, y) as [DeviceArray, DeviceArray];
  return l.mul(l.reshape(a, [a.size, 1]), l.reshape(b, [1, b.size]));
}

export function tensordot(x: ArrayLike, y: ArrayLike, axes: number | readonly [readonly number[], readonly number[]] = 2): DeviceArray {
  const [a, b] = promote(x, y) as [DeviceArray, DeviceArray];
  let ca: number[], cb: number[];
  if (typeof axes === "number") {
    ca = Array.from({ length: axes }, (_, i) => a.ndim - axes + i);
    cb = Array.from({ length: axes }, (_, i) => i);
  } else {
    ca = axes[0].map((i) => normalizeAxis("tensordot", i, a.ndim, a.shape));
    cb = axes[1].map((i) => normalizeAxis("tensordot", i, b.ndim, b.shape));
  }
  ca.forEach((i, k) => {
    if (a.shape[i] !== b.shape[cb[k]!]) throw new ShapeError("tensordot", "contraction dims differ", [a.shape, b.shape], `tensordot: contraction dims differ: ${label(a)} axis ${i} (${a.shape[i]}) vs ${label(b)} axis ${cb[k]} (${b.shape[cb[k]!]})`);
  });
  return l.dotGeneral(a, b, { contract: [ca, cb], batch: [[], []] });
}

/**
 * einsum by pairwise dot_general: letters shared and kept are batch dims, shared and dropped
 * are contracted, letters in one operand only and dropped are summed first.
 */
export function einsum(spec: string, ...operands: ArrayLike[]): DeviceArray {
  const arrs = promote(...operands);
  einsumShape(spec, arrs.map((a) => a.shape));
  const { inputs, output } = parseEinsum(spec, arrs.length, arrs.map((a) => a.ndim));
  // A letter repeated within one operand takes that operand's diagonal first ("ii->i", "iij->j").
  let terms = arrs.map((a, i) => takeRepeatedDiagonals(a, inputs[i]!));
  const neededLater = (k: number, c: string) => output.includes(c) || terms.some((t, j) => j > k && t.letters.includes(c));
  // Sum out letters that appear in one operand only and not in the output.
  terms = terms.map((t, k) => {
    const drop = [...t.letters].filter((c) => !output.includes(c) && !terms.some((o, j) => j !== k && o.letters.includes(c)));
    if (!drop.length) return t;
    return { a: l.reduceSum(t.a, drop.map((c) => t.letters.indexOf(c))), letters: [...t.letters].filter((c) => !drop.includes(c)).join("") };
  });
  let acc = terms[0]!;
  for (let k = 1; k < terms.length; k++) {
    const t = terms[k]!;
    const shared = [...acc.letters].filter((c) => t.letters.includes(c));
    const batch = shared.filter((c) => neededLater(k, c));
    const contract = shared.filter((c) => !neededLater(k, c));
    const x = l.broadcastTo(acc.a, acc.a.shape), y = t.a;
    // Broadcast size-1 dims against their partner so dot_general sees equal sizes.
    const xs = fixOnes(x, acc.letters, y, t.letters), ys = fixOnes(y, t.letters, x, acc.letters);
    const res = l.dotGeneral(xs, ys, {
      contract: [contract.map((c) => acc.letters.indexOf(c)), contract.map((c) => t.letters.indexOf(c))],
      batch: [batch.map((c) => acc.letters.indexOf(c)), batch.map((c) => t.letters.indexOf(c))],
    });
    const freeA = [...acc.letters].filter((c) => !shared.includes(c));
    const freeB = [...t.letters].filter((c) => !shared.includes(c));
    acc = { a: res, letters: [...batch, ...freeA, ...freeB].join("") };
  }
  const remaining = [...acc.letters].filter((c) => !output.includes(c));
  let r = remaining.length ? l.reduceSum(acc.a, remaining.map((c) => acc.letters.indexOf(c))) : acc.a;
  const letters = [...acc.letters].filter((c) => output.includes(c));
  r = l.transpose(r, [...output].map((c) => letters.indexOf(c)));
  return r;
}

function takeRepeatedDiagonals(a: DeviceArray, letters: string): { a: DeviceArray; letters: string } {
  for (;;) {
    const c = [...letters].find((ch, i) => letters.indexOf(ch) !== i);
    if (c === undefined) return { a, letters };
    const i = letters.indexOf(c), j = letters.indexOf(c, i + 1);
    // diagonal puts the diagonal axis last.
    a = diagonal(a, 0, i, j);
    letters = [...letters].filter((_, k) => k !== i && k !== j).join("") + c;
  }
}

function fixOnes(x: DeviceArray, lx: string, y: DeviceArray, ly: string): DeviceArray {
  const target = x.shape.map((d, i) => {
    const j = ly.indexOf(lx[i]!);
    return d === 1 && j >= 0 ? y.shape[j]! : d;
  });
  return l.broadcastTo(x, target);
}

export function trace(x: ArrayLike, offset = 0): DeviceArray {
  return l.reduceSum(diagonal(x, offset), [0]);
}

export function diagonal(x: ArrayLike, offset = 0, axis1 = 0, axis2 = 1): DeviceArray {
  const a = asArray(x);
  const i1 = normalizeAxis("diagonal", axis1, a.ndim, a.shape), i2 = normalizeAxis("diagonal", axis2, a.ndim, a.shape);
  const rest = [...a.shape.keys()].filter((i) => i !== i1 && i !== i2);
  const t = l.transpose(a, [...rest, i1, i2]);
  const n = t.shape[t.ndim - 2]!, m = t.shape[t.ndim - 1]!;
  const len = Math.max(0, Math.min(n - Math.max(0, -offset), m - Math.max(0, offset)));
  // Flatten the two axes; the diagonal is a strided slice of length len and step m+1.
  const flat = l.reshape(t, [...t.shape.slice(0, -2), n * m]);
  const start = Math.max(0, -offset) * m + Math.max(0, offset);
  if (len === 0) return l.reshape(l.slice(flat, flat.shape.map(() => 0), [...flat.shape.slice(0, -1), 0]), [...t.shape.slice(0, -2), 0]);
  return l.slice(flat, [...flat.shape.slice(0, -1).map(() => 0), start], [...flat.shape.slice(0, -1), start + (len - 1) * (m + 1) + 1], [...flat.shape.slice(0, -1).map(() => 1), m + 1]);
}

export function kron(x: ArrayLike, y: ArrayLike): DeviceArray {
  const [a, b] = promote(x, y) as [DeviceArray, DeviceArray];
  const n = Math.max(a.ndim, b.ndim);
  const as = [...Array(n - a.ndim).fill(1), ...a.shape], bs = [...Array(n - b.ndim).fill(1), ...b.shape];
  const ar = l.reshape(a, as.flatMap((d) => [d, 1])), br = l.reshape(b, bs.flatMap((d) => [1, d]));
  return l.reshape(l.mul(ar, br), as.map((d, i) => d * bs[i]!));
}

export function cross(x: ArrayLike, y: ArrayLike): DeviceArray {
  const [a, b] = promote(x, y) as [DeviceArray, DeviceArray];
  if (a.shape[a.ndim - 1] !== 3 || b.shape[b.ndim - 1] !== 3) throw new ShapeError("cross", "last dim must be 3", [a.shape, b.shape], `cross: vectors must have 3 components on the last axis: ${label(a)}, ${label(b)}`);
  const c = (v: DeviceArray, i: number) => l.reshape(l.slice(v, v.shape.map((_, k) => (k === v.ndim - 1 ? i : 0)), v.shape.map((d, k) => (k === v.ndim - 1 ? i + 1 : d))), v.shape.slice(0, -1));
  const [a0, a1, a2] = [0, 1, 2].map((i) => c(a, i)), [b0, b1, b2] = [0, 1, 2].map((i) => c(b, i));
  const comps = [l.sub(l.mul(a1!, b2!), l.mul(a2!, b1!)), l.sub(l.mul(a2!, b0!), l.mul(a0!, b2!)), l.sub(l.mul(a0!, b1!), l.mul(a1!, b0!))];
  return l.concatenate(comps.map((v) => l.reshape(v, [...v.shape, 1])), comps[0]!.ndim);
}
