import { readFileSync, writeFileSync, renameSync } from "node:fs";
import { DeviceArray } from "../array.js";
import type { DType } from "../dtype.js";
import * as np from "../numpy/index.js";

/**
 * Checkpoints as .safetensors: an 8-byte little-endian header length, a JSON header naming each
 * tensor's dtype, shape and byte range, then the raw little-endian data. Any pytree of arrays
 * (nested objects and lists, numbers, null) is saved: the tensors are named by their paths
 * ("params.Dense_0.kernel") and the tree's skeleton is kept as JSON in `__metadata__`, so other
 * readers see plain named tensors and `load` rebuilds the tree. Loading checks the whole file
 * before it makes a single array: a truncated or corrupt file is an error, never half a model.
 */

const CODES: Record<string, { dtype: DType; size: number }> = {
  F32: { dtype: "float32", size: 4 }, F64: { dtype: "float64", size: 8 }, F16: { dtype: "float16", size: 2 },
  I32: { dtype: "int32", size: 4 }, U32: { dtype: "uint32", size: 4 }, BOOL: { dtype: "bool", size: 1 },
  BF16: { dtype: "bfloat16", size: 2 }, I8: { dtype: "int8", size: 1 }, U8: { dtype: "uint8", size: 1 }, I16: { dtype: "int16", size: 2 },
};
const CODE_OF: Record<string, string> = Object.fromEntries(Object.entries(CODES).map(([k, v]) => [v.dtype, k]));
const TREE_KEY = "tensorlens.tree";
const MAX_HEADER = 100 * 1024 * 1024;

export class CheckpointError extends Error {
  constructor(readonly path: string | undefined, message: string) {
    super(`checkpoint${path ? ` ${path}` : ""}: ${message}`);
    this.name = "CheckpointError";
  }
}

type Skeleton = null | number | string | boolean | { $tensor: string } | Skeleton[] | { [k: string]: Skeleton };

function f32ToF16Bits(v: number): number {
  const f = new Float32Array([v]), u = new Uint32Array(f.buffer)[0]!;
  const sign = (u >>> 16) & 0x8000, exp = (u >>> 23) & 0xff, mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = (mant | 0x800000) >> (1 - e);
    return sign | ((m + 0x1000 + ((m >> 13) & 1) - 1) >> 13);
  }
  let h = sign | (e << 10) | (mant >> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1))) h++;
  return h;
}
function f16BitsToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function hostBytes(a: DeviceArray): Uint8Array {
  const data = a.dataSync() as ArrayLike<number>;
  switch (a.dtype) {
    case "float32": return new Uint8Array(Float32Array.from(data).buffer);
    case "float64": return new Uint8Array(Float64Array.from(data).buffer);
    case "int32": return new Uint8Array(Int32Array.from(data).buffer);
    case "uint32": return new Uint8Array(Uint32Array.from(data).buffer);
    case "bool": return Uint8Array.from(data, (v) => (v ? 1 : 0));
    case "float16": return new Uint8Array(Uint16Array.from(data, f32ToF16Bits).buffer);
    // A bfloat16 is the upper half of its float32 (the value is one already).
    case "bfloat16": return new Uint8Array(Uint16Array.from(new Uint32Array(Float32Array.from(data).buffer), (b) => b >>> 16).buffer);
    case "int8": return new Uint8Array(Int8Array.from(data).buffer);
    case "uint8": return Uint8Array.from(data);
    case "int16": return new Uint8Array(Int16Array.from(data).buffer);
    default: throw new CheckpointError(undefined, `cannot save dtype ${a.dtype}`);
  }
}

/** The bytes of a .safetensors file holding the tree. */
export function serialize(tree: unknown, metadata: Record<string, string> = {}): Uint8Array {
  const tensors: { name: string; array: DeviceArray }[] = [];
  const names = new Set<string>();
  const walk = (x: unknown, path: string[]): Skeleton => {
    if (x instanceof DeviceArray) {
      let name = path.join(".") || "value";
      for (let i = 1; names.has(name); i++) name = `${path.join(".")}#${i}`;
      names.add(name);
      tensors.push({ name, array: x });
      return { $tensor: name };
    }
    if (x === null || x === undefined) return null;
    if (typeof x === "number" || typeof x === "string" || typeof x === "boolean") return x;
    if (Array.isArray(x)) return x.map((v, i) => walk(v, [...path, String(i)]));
    if (typeof x === "object" && (Object.getPrototypeOf(x) === Object.prototype || Object.getPrototypeOf(x) === null)) {
      const o: Record<string, Skeleton> = {};
      for (const k of Object.keys(x).sort()) o[k === "$tensor" ? "$$tensor" : k] = walk((x as any)[k], [...path, k]);
      return o;
    }
    throw new CheckpointError(undefined, `cannot save a leaf of type ${(x as object).constructor?.name ?? typeof x} at ${path.join(".") || "the root"}`);
  };
  const skeleton = walk(tree, []);
  const header: Record<string, unknown> = { __metadata__: { ...metadata, [TREE_KEY]: JSON.stringify(skeleton) } };
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const { name, array } of tensors) {
    const code = CODE_OF[array.dtype];
    if (!code) throw new CheckpointError(undefined, `cannot save ${name}: dtype ${array.dtype}`);
    const bytes = hostBytes(array);
    header[name] = { dtype: code, shape: array.shape, data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data starts 8-byte aligned, as the format recommends.
  json += " ".repeat((8 - ((Buffer.byteLength(json) + 8) % 8)) % 8);
  const head = Buffer.from(json, "utf8");
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

/** Writes the tree to `path` (through a temporary file, so a crash never leaves half a checkpoint). */
export function save(path: string, tree: unknown, opts: { metadata?: Record<string, string> } = {}): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, serialize(tree, opts.metadata));
  renameSync(tmp, path);
}

interface Entry { dtype: string; shape: number[]; data_offsets: [number, number] }

/** The tree from .safetensors bytes; every check runs before any array is made. */
export function deserialize(bytes: Uint8Array, path?: string): any {
  const fail: Fail = (m) => { throw new CheckpointError(path, m); };
  const { header, dataStart } = readHeader(bytes, fail);
  const entries = checkEntries(header, bytes.length - dataStart, fail);
  const skeleton = treeSkeleton(header, entries, fail);
  // Everything checked: now make the arrays.
  return buildTree(skeleton, (name) => makeArray(bytes, dataStart, entries.get(name)!));
}

/** Throws a CheckpointError naming the file. */
type Fail = (message: string) => never;

/** The JSON header after the 8-byte length, and where the tensor data starts. */
function readHeader(bytes: Uint8Array, fail: Fail): { header: Record<string, unknown>; dataStart: number } {
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, too short for a safetensors header (truncated?)`);
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true));
  if (n > MAX_HEADER) fail(`header length ${n} is implausible (corrupt file?)`);
  if (8 + n > bytes.length) fail(`header says ${n} bytes but the file has only ${bytes.length - 8} after the length (truncated?)`);
  let header: Record<string, unknown>;
  try { header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 8, n).toString("utf8")); }
  catch (e) { return fail(`header is not valid JSON (${(e as Error).message})`); }
  if (!header || typeof header !== "object" || Array.isArray(header)) fail("header is not a JSON object");
  return { header, dataStart: 8 + n };
}

/** The header's tensors, each checked, and their byte ranges: in bounds, without overlaps, covering all `dataLen` bytes. */
function checkEntries(header: Record<string, unknown>, dataLen: number, fail: Fail): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  const ranges: [number, number, string][] = [];
  for (const [name, v] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const e = checkEntry(name, v, dataLen, fail);
    entries.set(name, e);
    ranges.push([e.data_offsets[0], e.data_offsets[1], name]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  let end = 0;
  for (const [s, e, name] of ranges) {
    if (s < end) fail(`tensor ${name} overlaps the previous tensor`);
    end = e;
  }
  if (end !== dataLen) fail(`${dataLen - end} bytes after the last tensor (corrupt file?)`);
  return entries;
}

/** One tensor's entry: a known dtype, a shape, and a byte range of exactly its size inside the data. */
function checkEntry(name: string, v: unknown, dataLen: number, fail: Fail): Entry {
  const e = v as Entry;
  if (!e || typeof e !== "object") fail(`tensor ${name}: entry is not an object`);
  const code = CODES[e.dtype];
  if (!code) fail(`tensor ${name}: unsupported dtype ${JSON.stringify(e.dtype)} (supported: ${Object.keys(CODES).join(", ")})`);
  if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`tensor ${name}: bad shape ${JSON.stringify(e.shape)}`);
  const off = e.data_offsets;
  if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isInteger(o) && o >= 0) || off[1] < off[0]) fail(`tensor ${name}: bad data_offsets ${JSON.stringify(off)}`);
  const size = e.shape.reduce((p, d) => p * d, 1) * code!.size;
  if (off[1] - off[0] !== size) fail(`tensor ${name}: ${off[1] - off[0]} bytes for dtype ${e.dtype} shape [${e.shape}] which needs ${size}`);
  if (off[1] > dataLen) fail(`tensor ${name}: data ends at byte ${off[1]} but the file has ${dataLen} bytes of data (truncated?)`);
  return e;
}

/** The tree saved in the metadata (every tensor it names checked to exist), or for another framework's file a flat object of its tensors. */
function treeSkeleton(header: Record<string, unknown>, entries: ReadonlyMap<string, Entry>, fail: Fail): Skeleton {
  const meta = header.__metadata__ as Record<string, string> | undefined;
  if (!meta || typeof meta[TREE_KEY] !== "string") return Object.fromEntries([...entries.keys()].sort().map((k) => [k, { $tensor: k }]));
  let skeleton: Skeleton;
  try { skeleton = JSON.parse(meta[TREE_KEY]); } catch { return fail("tree metadata is not valid JSON"); }
  const check = (s: Skeleton): void => {
    if (s && typeof s === "object") {
      if (!Array.isArray(s) && typeof (s as any).$tensor === "string") {
        const name = (s as any).$tensor as string;
        if (!entries.has(name)) fail(`tree refers to tensor ${name}, which the file does not have`);
        return;
      }
      (Array.isArray(s) ? s : Object.values(s)).forEach(check);
    }
  };
  check(skeleton);
  return skeleton;
}

/** One tensor's array, from a copy of its bytes (a Buffer's slice is a view of its pool). */
function makeArray(bytes: Uint8Array, dataStart: number, e: Entry): DeviceArray {
  const { dtype } = CODES[e.dtype]!;
  const start = dataStart + e.data_offsets[0], stop = dataStart + e.data_offsets[1];
  const raw = Uint8Array.prototype.slice.call(bytes, start, stop).buffer;
  const host = hostValues(dtype, raw);
  const flat = dtype === "bool" ? np.array(Array.from(host, Boolean)) : np.array(host as any, dtype);
  return np.reshape(flat, e.shape);
}

/** Little-endian raw data as numbers np.array takes (bfloat16 and float16 widened to float32). */
function hostValues(dtype: DType, raw: ArrayBuffer): ArrayLike<number> {
  switch (dtype) {
    case "float32": return new Float32Array(raw);
    case "float64": return new Float64Array(raw);
    case "int32": return new Int32Array(raw);
    case "uint32": return new Uint32Array(raw);
    case "bool": return Array.from(new Uint8Array(raw), (v) => (v ? 1 : 0));
    case "bfloat16": return new Float32Array(Uint32Array.from(new Uint16Array(raw), (h) => h << 16).buffer);
    case "int8": return new Int8Array(raw);
    case "uint8": return new Uint8Array(raw);
    case "int16": return new Int16Array(raw);
    default: return Float32Array.from(new Uint16Array(raw), f16BitsToNumber);
  }
}

/** The skeleton with each `{ $tensor }` made into its array (a saved key "$$tensor" is the user's "$tensor"). */
function buildTree(s: Skeleton, make: (name: string) => DeviceArray): any {
  if (s && typeof s === "object") {
    if (Array.isArray(s)) return s.map((x) => buildTree(x, make));
    if (typeof (s as any).$tensor === "string") return make((s as any).$tensor);
    return Object.fromEntries(Object.entries(s).map(([k, v]) => [k === "$$tensor" ? "$tensor" : k, buildTree(v, make)]));
  }
  return s;
}

/** Reads a tree saved by `save` (or any .safetensors file, as a flat object of named tensors). */
export function load(path: string): any {
  let bytes: Uint8Array;
  try { bytes = readFileSync(path); } catch (e) { throw new CheckpointError(path, (e as Error).message); }
  return deserialize(bytes, path);
}

/** The header's user metadata (without the tree). */
export function readMetadata(path: string): Record<string, string> {
  const bytes = readFileSync(path);
  if (bytes.length < 8) throw new CheckpointError(path, "file too short");
  const n = Number(bytes.readBigUInt64LE(0));
  if (8 + n > bytes.length) throw new CheckpointError(path, "truncated header");
  const meta = { ...(JSON.parse(bytes.subarray(8, 8 + n).toString("utf8")).__metadata__ ?? {}) };
  delete meta[TREE_KEY];
  return meta;
}
