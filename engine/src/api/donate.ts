import { markDonated, wrapBuffer, type DeviceArray } from "../array.js";
import type { Compiled } from "../jit/program.js";
import { flatten } from "../tree.js";
import { normalizeArgnums, type Argnums } from "./args.js";

/**
 * jit's `donateArgnums`, as in JAX: the arrays of the donated arguments are given to the
 * compiled program, which may write its outputs into their buffers (a training step's new
 * parameters into the old ones'); the arrays are deleted by the call, and using one afterwards
 * throws, naming it as donated.
 *
 * Only a backend whose executable takes donations (`Executable.runDonated`; the native one)
 * deletes them; elsewhere (the reference and WebGPU backends, calls under a transformation)
 * donation is a no-op and the arrays stay usable. Shared constants (`_pinned`) and arrays on
 * another backend than the program's are never given away.
 */

/** Which flattened leaves (of the non-static arguments, in order) belong to donated arguments. */
export function donatedLeaves(args: readonly unknown[], statics: readonly number[], donateArgnums: Argnums | undefined, what: string): boolean[] | undefined {
  if (donateArgnums === undefined) return undefined;
  const donated = normalizeArgnums(what, donateArgnums, args.length);
  for (const i of donated) if (statics.includes(i)) throw new Error(`${what}: argument ${i} is both static and donated`);
  if (donated.length === 0) return undefined;
  const mask: boolean[] = [];
  for (let i = 0; i < args.length; i++) {
    if (statics.includes(i)) continue;
    const n = flatten(args[i])[0].length;
    for (let j = 0; j < n; j++) mask.push(donated.includes(i));
  }
  return mask;
}

/**
 * Runs `compiled` with the leaves marked in `donate` given to it, or returns undefined where
 * its backend cannot take donations (the caller then runs it plainly).
 */
export function runDonating(compiled: Compiled, leaves: readonly DeviceArray[], donate: readonly boolean[]): DeviceArray[] | undefined {
  const exe = compiled.executable, be = compiled.backend;
  if (!exe?.runDonated) return undefined;
  const given = leaves.map((a, i) => donate[i] === true && !a._pinned && a._backend === be);
  const inputs = leaves.map((a) => (a._backend === be ? a._buffer : be.upload(a.dataSync(), a._aval)));
  const outs = exe.runDonated(inputs, given);
  leaves.forEach((a, i) => { if (given[i]) markDonated(a); });
  const { slots, outputs } = compiled.program;
  return outs.map((b, i) => wrapBuffer(be, b, slots[outputs[i]!]!));
}
