/**
 * A function's return value as a protocol result tree: arrays with statistics (and their data
 * when small), JS values shown as text, lists, objects, Maps and class instances as dicts,
 * cycles as references. Arrays too large to send whole get a handle; their preview follows the
 * result. Never throws on odd values: a getter that throws or a revoked proxy shows as text.
 */
import { LIMITS } from "./limits.js";
import type { ArrayLeaf, DTypeName, Location, TreeNode } from "./protocol.js";
import { arrayStats, encodeData, type HostData } from "./stats.js";

/** What the serializer needs of the engine's DeviceArray. */
export interface ArrayLike {
  readonly shape: number[];
  readonly dtype: string;
  data(): Promise<ArrayLike_Data>;
}
type ArrayLike_Data = HostData;

export interface HeldArray { readonly data: HostData; readonly shape: number[]; readonly dtype: DTypeName }

export interface Serialized {
  tree: TreeNode;
  /** Arrays sent without data, by handle, for the preview messages and later fetches. */
  held: Map<string, HeldArray>;
}

export interface SerializeOptions {
  isArray(x: unknown): x is ArrayLike;
  /** Bytes of array data allowed in the result in all. */
  maxResultBytes?: number;
  /** Handle prefix, unique per run. */
  handlePrefix: string;
  /** Where an array was made, when known. */
  siteOf?(x: ArrayLike): Location | undefined;
}

const MAX_NODES = 50_000;
const MAX_CHILDREN = 10_000;
const TYPED: [Function, DTypeName][] = [[Float32Array, "float32"], [Float64Array, "float64"], [Int32Array, "int32"], [Uint32Array, "uint32"]];

export async function serializeResult(value: unknown, opts: SerializeOptions): Promise<Serialized> {
  let budget = opts.maxResultBytes ?? LIMITS.maxResultBytes;
  let nodes = 0, handles = 0;
  const held = new Map<string, HeldArray>();
  const ancestors = new Map<object, string[]>();

  const leaf = (data: HostData, shape: number[], dtype: DTypeName): ArrayLeaf => {
    const node: ArrayLeaf = { kind: "array", shape, dtype, size: data.length, stats: arrayStats(data) };
    const bytes = data.byteLength;
    if (data.length <= LIMITS.maxInlineElements && bytes <= budget) {
      budget -= bytes;
      node.data = encodeData(data);
    } else {
      const handle = `${opts.handlePrefix}.${handles++}`;
      held.set(handle, { data, shape, dtype });
      node.handle = handle;
    }
    return node;
  };

  const walk = async (v: unknown, path: string[]): Promise<TreeNode> => {
    if (++nodes > MAX_NODES) return { kind: "value", type: "other", text: "…" };
    if (opts.isArray(v)) {
      const data = await v.data();
      const node = leaf(data, [...v.shape], v.dtype as DTypeName);
      const source = opts.siteOf?.(v);
      if (source) node.source = source;
      return node;
    }
    const scalar = scalarNode(v);
    if (scalar) return scalar;
    const obj = v as object;
    const seen = ancestors.get(obj);
    if (seen) return { kind: "ref", path: seen };
    for (const [ctor, dtype] of TYPED) if (obj instanceof ctor) return leaf(obj as HostData, [(obj as HostData).length], dtype);
    const shown = opaqueNode(obj);
    if (shown) return shown;
    // On the path while its children are walked: a child that reaches it again is a cycle.
    ancestors.set(obj, path);
    try {
      if (Array.isArray(obj)) {
        const items: TreeNode[] = [];
        const n = Math.min(obj.length, MAX_CHILDREN);
        for (let i = 0; i < n; i++) items.push(await walk(obj[i], [...path, String(i)]));
        return obj.length > n ? { kind: "list", items, omitted: obj.length - n } : { kind: "list", items };
      }
      const { pairs, className, total } = dictPairs(obj);
      const entries: { key: string; value: TreeNode }[] = [];
      for (const [k, x] of pairs) entries.push({ key: k, value: await walk(x, [...path, k]) });
      const node: TreeNode = { kind: "dict", entries };
      if (className) node.className = className;
      if (total > pairs.length) node.omitted = total - pairs.length;
      return node;
    } finally {
      ancestors.delete(obj);
    }
  };

  const tree = await walk(value, []);
  return { tree, held };
}

/** A value that is not an object (null included) as text; undefined for objects. */
function scalarNode(v: unknown): TreeNode | undefined {
  switch (typeof v) {
    case "number": return { kind: "value", type: "number", text: String(v) };
    case "string": return { kind: "value", type: "string", text: v.length > 10_000 ? JSON.stringify(v.slice(0, 10_000)) + "…" : JSON.stringify(v) };
    case "boolean": return { kind: "value", type: "boolean", text: String(v) };
    case "bigint": return { kind: "value", type: "bigint", text: `${v}n` };
    case "undefined": return { kind: "value", type: "undefined", text: "undefined" };
    case "symbol": return { kind: "value", type: "symbol", text: v.toString() };
    case "function": return { kind: "value", type: "function", text: `[Function ${v.name || "anonymous"}]` };
  }
  if (v === null) return { kind: "value", type: "null", text: "null" };
  return undefined;
}

/** Objects shown as one line of text rather than walked (dates, errors, promises, weak collections). */
function opaqueNode(obj: object): TreeNode | undefined {
  if (obj instanceof Date) return { kind: "value", type: "other", text: isNaN(obj.getTime()) ? "Invalid Date" : obj.toISOString() };
  if (obj instanceof Error) return { kind: "value", type: "other", text: `${obj.name}: ${obj.message}` };
  if (obj instanceof Promise || obj instanceof WeakMap || obj instanceof WeakSet) return { kind: "value", type: "other", text: `[${obj.constructor.name}]` };
  return undefined;
}

/**
 * A Map, Set or other object as up to MAX_CHILDREN key/value pairs (a Set's keys are positions),
 * its class name where it is not a plain object, and how many pairs it has in all.
 */
function dictPairs(obj: object): { pairs: [string, unknown][]; className: string | undefined; total: number } {
  const pairs: [string, unknown][] = [];
  if (obj instanceof Map) {
    for (const [k, x] of obj) { if (pairs.length >= MAX_CHILDREN) break; pairs.push([typeof k === "string" ? k : String(k), x]); }
    return { pairs, className: "Map", total: obj.size };
  }
  if (obj instanceof Set) {
    let i = 0;
    for (const x of obj) { if (pairs.length >= MAX_CHILDREN) break; pairs.push([String(i++), x]); }
    return { pairs, className: "Set", total: obj.size };
  }
  let className: string | undefined;
  const proto = Object.getPrototypeOf(obj);
  if (proto !== null && proto !== Object.prototype) className = proto.constructor?.name || "Object";
  const keys = Object.keys(obj);
  for (const k of keys.slice(0, MAX_CHILDREN)) pairs.push([k, readProperty(obj, k)]);
  return { pairs, className, total: keys.length };
}

function readProperty(obj: object, key: string): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch (e) {
    return `<getter threw: ${(e as Error)?.message ?? String(e)}>`;
  }
}
