/**
 * The abstract values the interpreter computes: what is known about a JS value without running
 * it. Every field may be "unknown"; joining two values keeps only what both agree on, so a
 * shown shape is true on every path that reaches it.
 */
import type { Dim } from "./engineShapes.js";

export const UNKNOWN_DIM = "?";

/** Where a value came from, for hovers: the op, the rule that computed it, the operands. */
export interface Origin {
  readonly op: string;
  readonly rule?: string;
  readonly detail?: string;
}

export interface ArrayValue {
  readonly kind: "array";
  /** null: rank unknown. A "?" dim: size unknown. */
  readonly shape: readonly Dim[] | null;
  readonly dtype: string | null;
  /** Inside jit (or another transformation), the value is a tracer. */
  readonly traced: boolean;
  /** Differentiable leaves (ids) this value depends on, while a grad'd function is analyzed. */
  readonly deps: ReadonlySet<string>;
  /** PRNG keys carry an identity so that reuse can be detected. */
  readonly keyId?: string;
  readonly origin?: Origin;
}

export interface NumberValue {
  readonly kind: "number";
  /** A concrete value, or a dim (symbolic size read from `x.shape`). */
  readonly value?: number;
  readonly dim?: Dim;
}

export interface StringValue { readonly kind: "string"; readonly value?: string }
export interface BoolValue { readonly kind: "bool"; readonly value?: boolean }
export interface NullValue { readonly kind: "null" }

/** A JS array (tuple-like: items known by position). */
export interface ListValue { readonly kind: "list"; readonly items: readonly Value[] }
/**
 * A JS array whose length is not known (filled with push in a loop that does not run a known
 * number of times): every item is described by `item`. Code that does not know this kind treats
 * it as unknown, so it can never be read as an empty or short list.
 */
export interface SeqValue { readonly kind: "seq"; readonly item: Value }
export interface ObjectValue { readonly kind: "object"; readonly fields: ReadonlyMap<string, Value> }

/** A function written by the user (analyzed at each call with the call's values). */
export interface UserFunctionValue {
  readonly kind: "function";
  readonly id: number;
  /** Opaque to this module: the interpreter stores its declaration node and closure here. */
  readonly decl: unknown;
  readonly closure: unknown;
  readonly name: string;
}

/** A function or namespace of the engine, by its public path ("np.matmul", "random"). */
export interface EngineValue {
  readonly kind: "engine"; readonly path: string; readonly self?: Value;
  /** Arguments bound so far (the index of `x.at(...idx)`). */
  readonly bound?: readonly Value[];
}

/** The result of grad/vmap/jit applied to a function: analyzed when it is called. */
export interface TransformedValue {
  readonly kind: "transformed";
  readonly transform: "grad" | "valueAndGrad" | "vmap" | "jit" | "jacfwd" | "jacrev" | "hessian";
  readonly fn: Value;
  readonly options: Value | undefined;
  /** The node of the transforming call (grad(...)), where lenses and reports attach. */
  readonly site: unknown;
}

/** A class written by the user (Flax-style modules extend nn.Module). */
export interface ClassValue {
  readonly kind: "class";
  readonly id: number;
  readonly decl: unknown;
  readonly closure: unknown;
  readonly name: string;
}

/** A module instance: a built-in layer (`nn.Dense(4)`) or a user class (`new Net()`), with its constructor arguments. */
export interface ModuleValue {
  readonly kind: "module";
  readonly id: number;
  readonly layer?: string;
  readonly cls?: ClassValue;
  readonly args: readonly Value[];
  /** A user class's instance fields, as its constructor set them (parameter properties, `this.x = ...`, field initializers). */
  readonly fields?: ReadonlyMap<string, Value>;
}

export interface UnknownValue { readonly kind: "unknown" }

export type Value =
  | ArrayValue | NumberValue | StringValue | BoolValue | NullValue | ListValue | SeqValue | ObjectValue
  | UserFunctionValue | EngineValue | TransformedValue | ClassValue | ModuleValue | UnknownValue;

export const unknown: UnknownValue = { kind: "unknown" };
const noDeps: ReadonlySet<string> = new Set();

export function arrayOf(shape: readonly Dim[] | null, dtype: string | null, extra: Partial<ArrayValue> = {}): ArrayValue {
  return { kind: "array", shape, dtype, traced: false, deps: noDeps, ...extra };
}

export function num(value?: number, dim?: Dim): NumberValue {
  return value === undefined ? { kind: "number", dim } : { kind: "number", value, dim: dim ?? value };
}

export const isArray = (v: Value | undefined): v is ArrayValue => v?.kind === "array";

export function unionDeps(values: readonly Value[]): ReadonlySet<string> {
  let out: Set<string> | undefined;
  for (const v of values) {
    if (v.kind !== "array" || v.deps.size === 0) continue;
    out ??= new Set();
    for (const d of v.deps) out.add(d);
  }
  return out ?? noDeps;
}

export const anyTraced = (values: readonly Value[]): boolean => values.some((v) => v.kind === "array" && v.traced);

let joinCounter = 0;

/** The least value true of both: dims that differ become "?", structures that differ become unknown. */
export function join(a: Value, b: Value): Value {
  if (a === b) return a;
  if (a.kind === "array" && b.kind === "array") {
    let shape: Dim[] | null = null;
    if (a.shape && b.shape && a.shape.length === b.shape.length) {
      shape = a.shape.map((d, i) => (d === b.shape![i] ? d : UNKNOWN_DIM));
    }
    const keyId = a.keyId !== undefined && b.keyId !== undefined
      ? (a.keyId === b.keyId ? a.keyId : `join${++joinCounter}`)
      : undefined;
    return {
      kind: "array",
      shape,
      dtype: a.dtype === b.dtype ? a.dtype : null,
      traced: a.traced || b.traced,
      deps: unionDeps([a, b]),
      keyId,
      // Sizes or dtypes lost by the join itself are explained by it, not by the op that made either side.
      origin: a.origin?.op === b.origin?.op && !lostInJoin(a, b, shape) ? a.origin : { op: "join", detail: "joined from branches, loop iterations or calls" },
    };
  }
  if (a.kind === "number" && b.kind === "number") {
    if (a.value !== undefined && a.value === b.value) return a;
    return a.dim !== undefined && a.dim === b.dim ? { kind: "number", dim: a.dim } : { kind: "number" };
  }
  if (a.kind === "list" && b.kind === "list" && a.items.length === b.items.length) {
    return { kind: "list", items: a.items.map((x, i) => join(x, b.items[i]!)) };
  }
  // Lists of different lengths (or of unknown length): a list of unknown length of the joined items.
  if ((a.kind === "list" || a.kind === "seq") && (b.kind === "list" || b.kind === "seq")) {
    const items = [...itemsOf(a), ...itemsOf(b)];
    return items.length ? seqOf(items.reduce(join)) : { kind: "list", items: [] };
  }
  if (a.kind === "object" && b.kind === "object") {
    const fields = new Map<string, Value>();
    for (const [k, v] of a.fields) {
      const w = b.fields.get(k);
      if (w) fields.set(k, join(v, w));
    }
    if (fields.size !== a.fields.size || fields.size !== b.fields.size) return unknown;
    return { kind: "object", fields };
  }
  if (a.kind === "string" && b.kind === "string") return a.value === b.value ? a : { kind: "string" };
  if (a.kind === "bool" && b.kind === "bool") return a.value === b.value ? a : { kind: "bool" };
  if (a.kind === "function" && b.kind === "function" && a.decl === b.decl) return a;
  if (a.kind === "engine" && b.kind === "engine" && a.path === b.path && a.self === b.self) return a;
  if (a.kind === "class" && b.kind === "class" && a.decl === b.decl) return a;
  return unknown;
}

/** Whether joining a and b into `shape` lost a size, the rank or the dtype that both sides had. */
function lostInJoin(a: ArrayValue, b: ArrayValue, shape: readonly Dim[] | null): boolean {
  if (a.dtype !== b.dtype && a.dtype !== null && b.dtype !== null) return true;
  if (a.shape === null || b.shape === null) return false;
  if (shape === null) return true;
  return shape.some((d, i) => d === UNKNOWN_DIM && a.shape![i] !== UNKNOWN_DIM && b.shape![i] !== UNKNOWN_DIM);
}

/** Structural equality, used to stop loop fixpoints. */
export function sameValue(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "array": {
      const o = b as ArrayValue;
      if (a.dtype !== o.dtype || a.traced !== o.traced || a.keyId !== o.keyId) return false;
      if (a.deps.size !== o.deps.size || [...a.deps].some((d) => !o.deps.has(d))) return false;
      if (!a.shape || !o.shape) return a.shape === o.shape;
      return a.shape.length === o.shape.length && a.shape.every((d, i) => d === o.shape![i]);
    }
    case "number": return a.value === (b as NumberValue).value && a.dim === (b as NumberValue).dim;
    case "string": return a.value === (b as StringValue).value;
    case "bool": return a.value === (b as BoolValue).value;
    case "list": {
      const o = b as ListValue;
      return a.items.length === o.items.length && a.items.every((x, i) => sameValue(x, o.items[i]!));
    }
    case "seq": return sameValue(a.item, (b as SeqValue).item);
    case "object": {
      const o = b as ObjectValue;
      if (a.fields.size !== o.fields.size) return false;
      for (const [k, v] of a.fields) { const w = o.fields.get(k); if (!w || !sameValue(v, w)) return false; }
      return true;
    }
    case "function": return a.decl === (b as UserFunctionValue).decl;
    case "engine": return a.path === (b as EngineValue).path;
    case "class": return a.decl === (b as ClassValue).decl;
    default: return false;
  }
}

/** A list of unknown length whose items are all `item`. */
export const seqOf = (item: Value): SeqValue => ({ kind: "seq", item });

/** What the items of a list or seq are known to be (a seq's one summary item). */
export function itemsOf(v: ListValue | SeqValue): readonly Value[] {
  return v.kind === "list" ? v.items : [v.item];
}

/** Array leaves of a pytree with their paths ("layers[0]", "params.w"), in tree order. */
export function leavesOf(v: Value, path = ""): { path: string; leaf: Value }[] {
  if (v.kind === "list") return v.items.flatMap((x, i) => leavesOf(x, `${path}[${i}]`));
  if (v.kind === "object") return [...v.fields].flatMap(([k, x]) => leavesOf(x, path ? `${path}.${k}` : k));
  if (v.kind === "null") return [];
  return [{ path, leaf: v }];
}

/** Rebuilds a pytree with each leaf mapped. */
export function mapLeaves(v: Value, f: (leaf: Value, path: string) => Value, path = ""): Value {
  if (v.kind === "list") return { kind: "list", items: v.items.map((x, i) => mapLeaves(x, f, `${path}[${i}]`)) };
  if (v.kind === "object") {
    const fields = new Map<string, Value>();
    for (const [k, x] of v.fields) fields.set(k, mapLeaves(x, f, path ? `${path}.${k}` : k));
    return { kind: "object", fields };
  }
  if (v.kind === "null") return v;
  return f(v, path);
}

// ---- reading and writing parts of a value (destructuring, iteration, assignment) ----------

/** The i-th element when destructuring: a list's item, or an array's slice along axis 0. */
export function indexValue(v: Value, i: number): Value {
  if (v.kind === "list") return v.items[i] ?? unknown;
  if (v.kind === "seq") return v.item;
  if (v.kind === "array") {
    return arrayOf(v.shape ? v.shape.slice(1) : null, v.dtype, {
      traced: v.traced, deps: v.deps, keyId: v.keyId !== undefined ? `${v.keyId}/${i}` : undefined,
      origin: { op: "destructuring", rule: "an array iterates over its first axis" },
    });
  }
  return unknown;
}

/** What a rest element (`[a, ...rest]`) from position i gets. */
export function restOf(v: Value, i: number): Value {
  if (v.kind === "seq") return v;
  return v.kind === "list" ? { kind: "list", items: v.items.slice(i) } : unknown;
}

/** What a `for (const x of v)` loop variable holds on every iteration. */
export function elementOf(v: Value): Value {
  if (v.kind === "list") return v.items.length ? v.items.reduce(join) : unknown;
  if (v.kind === "seq") return v.item;
  if (v.kind === "array") { const item = indexValue(v, 0) as ArrayValue; return { ...item, keyId: v.keyId !== undefined ? `${v.keyId}/*` : undefined }; }
  return unknown;
}

/** `v` with the value at `path` (field names, list indices; undefined: an index we cannot read) replaced. */
export function replaceAt(v: Value, path: readonly (string | number | undefined)[], value: Value): Value {
  if (path.length === 0) return value;
  const [k, ...rest] = path;
  if (v.kind === "object" && typeof k === "string") {
    const fields = new Map(v.fields);
    fields.set(k, replaceAt(v.fields.get(k) ?? unknown, rest, value));
    return { kind: "object", fields };
  }
  if (v.kind === "module" && typeof k === "string" && v.fields) {
    const fields = new Map(v.fields);
    fields.set(k, replaceAt(v.fields.get(k) ?? unknown, rest, value));
    return { ...v, fields };
  }
  if (v.kind === "list" && typeof k === "number" && Number.isInteger(k) && k >= 0 && k < v.items.length) {
    const items = [...v.items];
    items[k] = replaceAt(items[k]!, rest, value);
    return { kind: "list", items };
  }
  if ((v.kind === "list" || v.kind === "seq") && (k === undefined || typeof k === "number") && rest.length === 0) {
    // An index we cannot place: any item may now be the new value.
    return seqOf([...itemsOf(v), value].reduce(join));
  }
  if (v.kind === "module") return v;
  return unknown;
}
