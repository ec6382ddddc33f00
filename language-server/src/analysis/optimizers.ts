/**
 * Optax-style optimizers (engine/src/optim) as the analysis sees them: `optim.adam(lr)` is a
 * gradient transformation whose `init(params)` gives its state as a known pytree (as the engine
 * builds it: a chain's state is the list of its parts' states), `update(grads, state, params)`
 * gives updates shaped like the gradients and a state of the same structure, and
 * `optim.applyUpdates(params, updates)` gives parameters shaped like the parameters.
 */
import { arrayOf, mapLeaves, unknown, type ObjectValue, type Value } from "./values.js";

/** State of one part of a chain, from the params tree; undefined when it cannot be known. */
type Part = (params: Value) => Value | undefined;

const obj = (entries: [string, Value][]): ObjectValue => ({ kind: "object", fields: new Map(entries) });
const empty: Part = () => obj([]);
const count = () => arrayOf([], "int32", { origin: { op: "optimizer state", rule: "step count: int32[]" } });

/** zerosLike / fullLike over a tree: the engine's tree.map, whose objects list their keys sorted. */
function like(params: Value): Value {
  const sorted = (v: Value): Value => {
    if (v.kind === "object") return obj([...v.fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => [k, sorted(x)]));
    if (v.kind === "list") return { kind: "list", items: v.items.map(sorted) };
    return v;
  };
  return mapLeaves(sorted(params), (leaf) => (leaf.kind === "array"
    ? arrayOf(leaf.shape, leaf.dtype, { origin: { op: "optimizer state", rule: "a moment has its parameter's shape" } })
    : leaf.kind === "null" ? leaf : unknown));
}

/** The learning-rate part: a number scales (state {}), a schedule counts steps (state { count }). */
function learningRate(lr: Value | undefined): Part | undefined {
  if (lr?.kind === "number") return empty;
  if (lr?.kind === "function") return () => obj([["count", count()]]);
  return undefined;
}

const field = (o: Value | undefined, k: string): Value | undefined => (o?.kind === "object" ? o.fields.get(k) : undefined);
const absent = (v: Value | undefined) => v === undefined || v.kind === "null";

/** The chain of parts an optimizer alias builds (optim/alias.ts), or undefined when not modeled. */
function parts(alias: string, args: readonly Value[]): Part[] | undefined {
  const lr = learningRate(args[0]);
  const opts = args[1];
  if (!lr || (opts !== undefined && opts.kind !== "object")) return undefined;
  const adamState: Part = (p) => obj([["count", count()], ["mu", like(p)], ["nu", like(p)]]);
  switch (alias) {
    case "adam": return [adamState, lr];
    case "adamw": return absent(field(opts, "mask")) ? [adamState, empty, lr] : undefined;
    case "sgd": {
      const m = field(opts, "momentum");
      if (absent(m) || (m!.kind === "number" && m!.value === 0)) return [empty, lr];
      if (m!.kind === "number" && m!.value !== undefined) return [(p) => obj([["trace", like(p)]]), lr];
      return undefined;
    }
    case "adagrad": return [(p) => obj([["sumOfSquares", like(p)]]), lr];
    default: return undefined;
  }
}

/** `optim.adam(1e-3)` and friends: a transformation value carrying its alias and arguments. */
export function optimizer(alias: string, args: readonly Value[]): Value {
  return { kind: "engine", path: "$optim", self: { kind: "list", items: [{ kind: "string", value: alias }, ...args] } };
}

export const OPTIMIZERS = new Set(["adam", "adamw", "sgd", "rmsprop", "adagrad", "lion", "chain", "identity", "scale", "scaleByAdam",
  "scaleByLearningRate", "scaleByRms", "scaleByRss", "scaleByLion", "scaleBySchedule", "trace", "addDecayedWeights", "masked", "clip",
  "clipByGlobalNorm"]);

/** `tx.init(params)` / `tx.update(grads, state, params)` of a transformation value. */
export function optimizerMethod(self: Value | undefined, method: string, args: readonly Value[], inJit: boolean): Value {
  if (self?.kind !== "list") return unknown;
  const [aliasV, ...rest] = self.items;
  const alias = aliasV?.kind === "string" ? aliasV.value ?? "" : "";
  if (method === "init") {
    const ps = parts(alias, rest);
    const params = args[0];
    if (!ps || !params) return unknown;
    const states = ps.map((p) => p(params));
    if (states.some((s) => s === undefined)) return unknown;
    return traced({ kind: "list", items: states as Value[] }, inJit);
  }
  if (method === "update") {
    // Every transformation returns updates shaped like the gradients and a state of the same structure.
    const updates = mapLeaves(args[0] ?? unknown, (leaf) => (leaf.kind === "array"
      ? arrayOf(leaf.shape, leaf.dtype, { traced: leaf.traced || inJit, deps: leaf.deps, origin: { op: "tx.update", rule: "updates have the gradients' shapes" } })
      : leaf.kind === "null" ? leaf : unknown));
    return { kind: "list", items: [updates, args[1] ?? unknown] };
  }
  return unknown;
}

/** `optim.applyUpdates(params, updates)`: parameters shaped like the parameters. */
export function applyUpdates(args: readonly Value[], inJit: boolean): Value {
  const [params = unknown, updates = unknown] = args;
  return mapLeaves(params, (leaf) => {
    if (leaf.kind !== "array") return leaf.kind === "null" ? leaf : unknown;
    const deps = new Set(leaf.deps);
    for (const l of leavesOfTree(updates)) if (l.kind === "array") for (const d of l.deps) deps.add(d);
    return arrayOf(leaf.shape, leaf.dtype, { traced: leaf.traced || inJit, deps, origin: { op: "optim.applyUpdates", rule: "parameters keep their shapes and dtypes" } });
  });
}

function leavesOfTree(v: Value): Value[] {
  if (v.kind === "list") return v.items.flatMap(leavesOfTree);
  if (v.kind === "object") return [...v.fields.values()].flatMap(leavesOfTree);
  return [v];
}

function traced(v: Value, inJit: boolean): Value {
  return inJit ? mapLeaves(v, (leaf) => (leaf.kind === "array" ? { ...leaf, traced: true } : leaf)) : v;
}
