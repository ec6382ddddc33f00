import type { DeviceArray } from "../array.js";
import { eagerSite } from "../ir/source.js";
import { vmapFlat } from "../trace/transforms.js";
import { flatten, unflatten, type TreeDef } from "../tree.js";
import { flattenArrays } from "./args.js";
import { LocatedTypeError, LocatedRangeError } from "../ir/source.js";

export type Axis = number | null;
/** inAxes: one axis for all arguments, or one entry per argument (an axis, null, or a pytree of axes matching the argument). */
export interface VmapOptions { inAxes?: Axis | readonly unknown[]; outAxes?: Axis | readonly unknown[] }

/** vmap(f, { inAxes, outAxes }): maps f over a batch axis of its arguments. */
export function vmap<F extends (...args: any[]) => any>(f: F, opts: VmapOptions = {}): (...args: Parameters<F>) => ReturnType<F> {
  const inAxes = opts.inAxes === undefined ? 0 : opts.inAxes;
  const outAxes = opts.outAxes === undefined ? 0 : opts.outAxes;
  return (...args: any[]) => {
    if (Array.isArray(inAxes) && inAxes.length !== args.length) {
      throw new LocatedTypeError(`vmap: inAxes has ${inAxes.length} entries but the function was called with ${args.length} arguments`);
    }
    const flat: DeviceArray[] = [], dims: Axis[] = [], defs: TreeDef[] = [];
    args.forEach((a, i) => {
      const [leaves, def] = flattenArrays(a, "vmap");
      const spec = Array.isArray(inAxes) ? inAxes[i] : inAxes;
      const axes = axesFor(spec, def, `vmap: inAxes for argument ${i}`);
      leaves.forEach((x, j) => {
        const ax = axes[j]!;
        if (ax !== null && (ax >= x.ndim || ax < -x.ndim)) throw new LocatedRangeError(`vmap: inAxes ${ax} is out of range for argument ${i} of shape [${x.shape}]`);
        dims.push(ax === null ? null : ax < 0 ? ax + x.ndim : ax);
      });
      flat.push(...leaves); defs.push(def);
    });
    let outDef: TreeDef | undefined;
    const run = (...xs: DeviceArray[]) => {
      let k = 0;
      const callArgs = defs.map((d) => unflatten(d, xs.slice(k, (k += d.numLeaves))));
      const [outs, od] = flattenArrays(f(...callArgs), "vmap");
      outDef = od;
      return outs;
    };
    // Out axes need the output structure: resolve them lazily per leaf index.
    const outs = vmapFlat(run, flat, dims, resolvedOutAxes(outAxes, () => outDef!), eagerSite());
    return unflatten(outDef!, outs) as ReturnType<F>;
  };
}

function axesFor(spec: unknown, def: TreeDef, what: string): Axis[] {
  if (spec === null || typeof spec === "number") return Array(def.numLeaves).fill(spec);
  const [axes, sdef] = flatten(spec, (x) => x === null);
  if (axes.length !== def.numLeaves) throw new LocatedTypeError(`${what}: structure ${sdef} does not match the argument's ${def}`);
  return axes as Axis[];
}

function resolvedOutAxes(spec: Axis | readonly unknown[], def: () => TreeDef): Axis[] | number {
  if (spec === null) return new Proxy([], { get: (_t, k) => (k === "length" ? Infinity : null) }) as Axis[];
  if (typeof spec === "number") return spec;
  // A list: one entry per output leaf of the output tree, resolved once the function has run.
  return new Proxy([], {
    get: (_t, k) => {
      const axes = axesFor(spec, def(), "vmap: outAxes");
      return (axes as any)[k];
    },
  }) as Axis[];
}
