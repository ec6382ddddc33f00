import { createHash } from "node:crypto";
import { inspect } from "node:util";
import { DeviceArray } from "../array.js";
import { SHORT_NAME } from "../dtype.js";
import * as random from "../random/index.js";
import type { PRNGKey } from "../typing.js";
import { setFrozenDictFactory } from "../tree.js";
import { ArgumentError, declareRestOptions, describeValue } from "../api/declared.js";
import { LIBRARY_SIGNATURES } from "../signatures/index.js";

/**
 * Modules in the style of Flax linen. A module is a callable object whose `call` method
 * creates parameters and submodules inline; `init` runs it once to create the variables, and
 * `apply` runs it with given variables. Submodules created inside `call` are named by type and
 * order (Dense_0, Dense_1) unless given a `name`; submodules held in a field (made in the
 * constructor) are named by that field. Variables live in collections (`params`, `batchStats`,
 * ...), each a tree that mirrors the module tree.
 *
 * Keys are derived as Flax linen derives them (flax/core/scope.py): a scope carries the root
 * key of each rng stream and the path of names from the root; `makeRng(stream)` appends the
 * scope's counter for that stream (1 for the first call). The default ("legacy") scheme folds
 * into the key, one after the other, the first 4 bytes (big-endian uint32) of the SHA-1 of each
 * name and then the counter, as Flax did when the tutorial was written (its printed parameters
 * are reproduced). `rngConfig.scheme = "lazy"` is current Flax (LazyRng): one fold of the SHA-1
 * of all names and the counter (integers as big-endian bytes) together.
 */

export type Variables = Readonly<Record<string, any>>;
export type Collection = Record<string, any>;
export type RngStreams = Readonly<Record<string, PRNGKey>>;

export interface ModuleOptions { name?: string }
export interface ApplyOptions {
  /** Collections that may change: their new values are returned as [out, updates]. */
  mutable?: readonly string[] | string | boolean;
  /** Keys of named rng streams (e.g. { dropout: key }). */
  rngs?: RngStreams;
  /** Name of the method to run instead of `call`. */
  method?: string;
}

/** How child keys are derived: "legacy" folds each name separately (the tutorial's Flax); "lazy" is current Flax linen. */
export const rngConfig = { scheme: "legacy" as "lazy" | "legacy" };

function sha1Word(parts: readonly (string | number)[]): number {
  const h = createHash("sha1");
  for (const p of parts) {
    if (typeof p === "string") h.update(Buffer.from(p, "utf8"));
    else {
      const bytes: number[] = [];
      for (let v = BigInt(p); v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
      h.update(Buffer.from(bytes));
    }
  }
  return h.digest().readUInt32BE(0);
}

/** A key of a stream: its root key and the names (and counters) folded in after it. */
interface LazyRng { readonly key: PRNGKey; readonly suffix: readonly (string | number)[] }
function realize(r: LazyRng): PRNGKey {
  if (r.suffix.length === 0) return r.key;
  if (rngConfig.scheme === "lazy") return random.foldIn(r.key, sha1Word(r.suffix));
  let k = r.key;
  for (const p of r.suffix) k = random.foldIn(k, typeof p === "string" ? sha1Word([p]) : p);
  return k;
}

/** One module's place in one init/apply: its path, its variables, its rngs. */
export class Scope {
  readonly children = new Map<string, Scope>();
  readonly reserved = new Set<string>();
  readonly typeCounters = new Map<string, number>();
  readonly rngCounters = new Map<string, number>();
  constructor(readonly ctx: Context, readonly path: readonly string[], readonly rngs: Readonly<Record<string, LazyRng>>) {}

  child(name: string): Scope {
    if (this.reserved.has(name)) throw new Error(`nn: duplicate submodule or variable name "${name}" in ${pathText(this.path)}`);
    this.reserved.add(name);
    const rngs = Object.fromEntries(Object.entries(this.rngs).map(([k, r]) => [k, { key: r.key, suffix: [...r.suffix, name] }]));
    const s = new Scope(this.ctx, [...this.path, name], rngs);
    this.children.set(name, s);
    return s;
  }
  autoName(typeName: string): string {
    for (let n = this.typeCounters.get(typeName) ?? 0; ; n++) {
      const name = `${typeName}_${n}`;
      if (!this.reserved.has(name)) { this.typeCounters.set(typeName, n + 1); return name; }
    }
  }
  hasRng(stream: string): boolean { return stream in this.rngs; }
  makeRng(stream: string): PRNGKey {
    const r = this.rngs[stream];
    if (!r) throw new Error(`nn: ${pathText(this.path)} needs an rng stream "${stream}"; pass it as rngs: { ${stream}: key }`);
    const n = (this.rngCounters.get(stream) ?? 0) + 1;
    this.rngCounters.set(stream, n);
    return realize({ key: r.key, suffix: [...r.suffix, n] });
  }
  /** The collection's subtree at this scope's path, created when `create`. */
  node(collection: string, create: boolean): Record<string, any> | undefined {
    let o = this.ctx.variables[collection];
    if (!o) { if (!create) return undefined; o = this.ctx.variables[collection] = {}; }
    for (const p of this.path) {
      let next = o[p];
      if (!next) { if (!create) return undefined; next = o[p] = {}; }
      o = next;
    }
    return o;
  }
  isMutable(collection: string): boolean {
    const m = this.ctx.mutable;
    return m === true || (Array.isArray(m) && m.includes(collection));
  }
}

export interface CallRecord { path: readonly string[]; type: string; inputs: unknown[]; output: unknown; module: Module }

class Context {
  readonly scopes = new Map<Module, Scope>();
  readonly frames: { module: Module; scope: Scope }[] = [];
  readonly records: CallRecord[] = [];
  constructor(readonly variables: Record<string, any>, readonly mutable: readonly string[] | boolean, readonly initializing: boolean, readonly record: boolean) {}
}
let current: Context | undefined;

const pathText = (p: readonly string[]) => "/" + p.join("/");

/** Module: subclass it and write `call`. Instances are callable: `layer(x)` runs `call` in the module's scope. */
export interface Module {
  (...args: any[]): any;
}
export abstract class Module {
  /** The name given at construction (or derived when the module is bound). */
  declare name: string | undefined;
  constructor(opts: ModuleOptions = {}) {
    const self = function (this: unknown, ...args: unknown[]) { return (self as unknown as Module).__call__(...args); } as unknown as Module;
    // Functions own non-writable `name` and `length`; modules use `name` as an attribute.
    delete (self as any).name;
    delete (self as any).length;
    Object.setPrototypeOf(self, new.target.prototype);
    Object.defineProperty(self, "name", { value: opts.name, writable: true, enumerable: true, configurable: true });
    // Created inside a parent's call: bound now, so names follow creation order as in Flax.
    const ctx = current, frame = ctx?.frames[ctx.frames.length - 1];
    if (ctx && frame) ctx.scopes.set(self, frame.scope.child(opts.name ?? frame.scope.autoName(new.target.name)));
    return self;
  }

  /** The module's computation. Create parameters with `this.param`, submodules inline. */
  abstract call(...args: any[]): any;

  /** @internal Runs a method in this module's scope (binding it to the calling module when needed). */
  __call__(...args: unknown[]): any { return this.runMethod("call", args); }

  private runMethod(method: string, args: unknown[]): any {
    const ctx = current;
    if (!ctx) throw new Error(`nn: ${this.constructor.name} was called outside init/apply; use module.init(key, x) or module.apply(variables, x)`);
    let scope = ctx.scopes.get(this);
    if (!scope) {
      const parent = ctx.frames[ctx.frames.length - 1];
      if (!parent) throw new Error("nn: internal: a module without a scope outside any frame");
      // A submodule held in a field of its parent takes the field's name, in a list field `${field}_${index}` (Flax's setup naming).
      let field: string | undefined;
      for (const k of Object.keys(parent.module)) {
        const v = (parent.module as any)[k];
        if (v === this) { field = k; break; }
        if (Array.isArray(v) && v.includes(this)) { field = `${k}_${v.indexOf(this)}`; break; }
      }
      scope = parent.scope.child(this.name ?? field ?? parent.scope.autoName(this.constructor.name));
      ctx.scopes.set(this, scope);
    }
    ctx.frames.push({ module: this, scope });
    // Recorded when the call begins, so that a table lists calls in the order they were made (as Flax's).
    const record: CallRecord | undefined = ctx.record ? { path: scope.path, type: this.constructor.name, inputs: args, output: undefined, module: this } : undefined;
    if (record) ctx.records.push(record);
    try {
      const fn = (this as any)[method];
      if (typeof fn !== "function") throw new Error(`nn: ${this.constructor.name} has no method "${method}"`);
      const out = fn.apply(this, args);
      if (record) record.output = out;
      return out;
    } finally {
      ctx.frames.pop();
    }
  }

  private get scope(): Scope {
    const s = current?.scopes.get(this);
    if (!s || current!.frames[current!.frames.length - 1]?.module !== this) {
      throw new Error(`nn: ${this.constructor.name}: parameters and variables can only be made inside its own call, during init/apply`);
    }
    return s;
  }

  /** The module's path from the root, e.g. ["Block_0", "Dense_1"]. */
  get path(): readonly string[] { return current?.scopes.get(this)?.path ?? []; }
  /** Whether this run is `init` (parameters are being created). */
  isInitializing(): boolean { return !!current?.initializing; }

  /** A parameter: read from the `params` collection, or created with `init(makeRng("params"), ...args)` during init. */
  param<T = DeviceArray>(name: string, init: (key: PRNGKey, ...args: any[]) => T, ...args: any[]): T {
    const scope = this.scope;
    const node = scope.node("params", false);
    if (node && name in node) return node[name] as T;
    if (!scope.isMutable("params")) {
      throw new Error(`nn: parameter "${name}" of ${pathText(scope.path)} is missing from the variables given to apply (known here: ${node ? Object.keys(node).join(", ") || "none" : "none"})`);
    }
    const v = init(scope.makeRng("params"), ...args);
    scope.node("params", true)![name] = v;
    return v;
  }

  /** A variable of any collection; its value may be assigned when the collection is mutable. */
  variable<T = DeviceArray>(collection: string, name: string, init?: () => T): Variable<T> {
    const scope = this.scope;
    const node = scope.node(collection, false);
    if (!(node && name in node)) {
      if (!init) throw new Error(`nn: variable ${collection}/${name} of ${pathText(scope.path)} does not exist and has no initializer`);
      if (!scope.isMutable(collection)) {
        throw new Error(`nn: variable ${collection}/${name} of ${pathText(scope.path)} is missing; pass it in the variables, or make "${collection}" mutable`);
      }
      scope.node(collection, true)![name] = init();
    }
    return new Variable<T>(scope, collection, name);
  }
  /** Whether a variable exists. */
  hasVariable(collection: string, name: string): boolean {
    const node = this.scope.node(collection, false);
    return !!node && name in node;
  }
  /** A fresh key of a named stream (e.g. "dropout"). */
  makeRng(stream = "params"): PRNGKey { return this.scope.makeRng(stream); }
  hasRng(stream: string): boolean { return this.scope.hasRng(stream); }

  /** Runs the module once to create its variables: `init(key, ...inputs)` or `init({ params, dropout }, ...)`. */
  init(rngs: PRNGKey | RngStreams, ...args: any[]): Variables {
    return this.initRun(initArgs, rngs, args)[1];
  }
  initWithOutput(rngs: PRNGKey | RngStreams, ...args: any[]): [any, Variables] {
    return this.initRun(initWithOutputArgs, rngs, args);
  }
  private initRun(declared: typeof initArgs, rngs: PRNGKey | RngStreams, args: any[]): [any, Variables] {
    const [all, opts] = declared([rngs, ...args]) as [any[], ApplyOptions];
    checkRngs(declared, rngs);
    const inputs = all.slice(1);
    const streams = rngs instanceof DeviceArray ? { params: rngs } : rngs;
    const [out, vars] = run(this, {}, streams, true, inputs, opts.method ?? "call", false);
    return [out, freeze(vars)];
  }

  /**
   * Runs the module with the given variables. With `mutable`, returns [output, updated
   * collections] (e.g. new batch statistics); without, the output alone.
   */
  apply(variables: Variables, ...args: any[]): any {
    const [all, opts] = applyArgs([variables, ...args]) as [any[], ApplyOptions];
    if (opts.rngs) checkRngs(applyArgs, opts.rngs);
    const inputs = all.slice(1);
    const mutable = opts.mutable === undefined || opts.mutable === false ? [] : opts.mutable === true ? true : typeof opts.mutable === "string" ? [opts.mutable] : opts.mutable;
    const [out, vars] = run(this, variables, opts.rngs ?? {}, false, inputs, opts.method ?? "call", false, mutable);
    if (mutable === true || mutable.length) {
      const updated = Object.fromEntries(Object.entries(vars).filter(([k]) => mutable === true || mutable.includes(k)));
      return [out, freeze(updated)];
    }
    return out;
  }

  /** @internal init with a record of every module call (for tabulate). */
  _initRecording(rngs: PRNGKey | RngStreams, args: unknown[]): { vars: Variables; records: CallRecord[]; out: unknown } {
    const streams = rngs instanceof DeviceArray ? { params: rngs } : rngs;
    const records: CallRecord[] = [];
    const [out, vars] = run(this, {}, streams, true, args, "call", true, true, records);
    return { vars: freeze(vars), records, out };
  }

  toString(): string {
    const attrs = Object.entries(this).filter(([k, v]) => k !== "name" && v !== undefined && !(v instanceof DeviceArray) && typeof v !== "function" && !(v instanceof Module));
    return `${this.constructor.name}(${attrs.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ")})`;
  }
  [inspect.custom](): string { return this.toString(); }
}

/** A handle on one variable: `.value` reads it and, in a mutable collection, writes it. */
export class Variable<T = DeviceArray> {
  constructor(private readonly scope: Scope, readonly collection: string, readonly name: string) {}
  get value(): T { return this.scope.node(this.collection, false)![this.name] as T; }
  set value(v: T) {
    if (!this.scope.isMutable(this.collection)) {
      throw new Error(`nn: cannot update ${this.collection}/${this.name} of ${pathText(this.scope.path)}: "${this.collection}" is not mutable (apply(..., { mutable: ["${this.collection}"] }))`);
    }
    this.scope.node(this.collection, true)![this.name] = v;
  }
  isMutable(): boolean { return this.scope.isMutable(this.collection); }
}

/**
 * init's and apply's arguments by their declarations (signatures/library.ts): the rngs or the
 * variables checked, then the inputs and a trailing options object ({ mutable, rngs, method });
 * an unknown or misspelled option is a TypeError naming it, not an input.
 */
const method = (name: string) => Object.assign(declareRestOptions(LIBRARY_SIGNATURES.get(`nn.Module.${name}`)!), { path: `nn.Module.${name}` });
const initArgs = method("init"), initWithOutputArgs = method("initWithOutput"), applyArgs = method("apply");
/** Each rng stream's value is a key. */
function checkRngs(declared: { path: string }, rngs: unknown) {
  if (rngs instanceof DeviceArray) return;
  for (const [k, v] of Object.entries(rngs as object)) {
    if (!(v instanceof DeviceArray)) throw new ArgumentError(`${declared.path}: rng stream "${k}" must be a PRNG key (from random.key); got ${describeValue(v)}`);
  }
}

/** Deep, mutable copies of the collections' dict nodes (leaves shared), so a run never alters its input. */
function thaw(x: any): any {
  if (x && typeof x === "object" && !(x instanceof DeviceArray) && !Array.isArray(x) && Object.getPrototypeOf(x) === Object.prototype) {
    return Object.fromEntries(Object.keys(x).map((k) => [k, thaw(x[k])]));
  }
  return x;
}

function run(module: Module, variables: Variables, rngs: RngStreams, initializing: boolean, args: unknown[], method: string,
  record: boolean, mutable: readonly string[] | boolean = true, records?: CallRecord[]): [any, Record<string, any>] {
  if (current) throw new Error("nn: init/apply of a module inside another module's call; call the submodule directly instead");
  const ctx = new Context(thaw(variables), mutable, initializing, record);
  const root = new Scope(ctx, [], Object.fromEntries(Object.entries(rngs).map(([k, key]) => [k, { key, suffix: [] }])));
  ctx.scopes.set(module, root);
  current = ctx;
  try {
    const out = (module as any).runMethod(method, args);
    if (records) records.push(...ctx.records);
    return [out, ctx.variables];
  } finally {
    current = undefined;
  }
}

/**
 * Formats a variables tree with shapes and dtypes, as Flax users print
 * `jax.tree_util.tree_map(jnp.shape, variables)`: keys in creation order (kernel before bias),
 * and a dict of arrays alone on one line when it fits:
 *   { params: { Dense_0: { kernel: f32[2,4], bias: f32[4] }, ... } } spread over lines by level.
 */
export function formatTree(x: unknown, indent = ""): string {
  if (x instanceof DeviceArray) return shapeText(x);
  if (x && typeof x === "object" && !Array.isArray(x)) {
    const keys = Object.keys(x);
    if (!keys.length) return "{}";
    const vals = keys.map((k) => (x as any)[k]);
    if (vals.every((v) => v instanceof DeviceArray || v === null || typeof v !== "object")) {
      const flat = `{ ${keys.map((k, i) => `${k}: ${formatTree(vals[i], indent)}`).join(", ")} }`;
      if (indent.length + flat.length <= 100) return flat;
    }
    const inner = indent + "  ";
    return `{\n${keys.map((k, i) => `${inner}${k}: ${formatTree(vals[i], inner)}`).join(",\n")}\n${indent}}`;
  }
  if (Array.isArray(x)) return `[${x.map((v) => formatTree(v, indent)).join(", ")}]`;
  return String(x);
}
export const shapeText = (a: DeviceArray) => `${SHORT_NAME[a.dtype]}[${a.shape.join(",")}]`;

/**
 * Freezes a tree of plain objects (Flax's FrozenDict): frozen nodes stay plain objects, so
 * pytree functions traverse them (and keep them frozen), and print with shapes and dtypes.
 */
export function freeze<T>(x: T): T {
  if (x && typeof x === "object" && !(x instanceof DeviceArray) && !Array.isArray(x) && Object.getPrototypeOf(x) === Object.prototype) {
    for (const k of Object.keys(x)) freeze((x as any)[k]);
    const o = x as any;
    if (!Object.isFrozen(o)) {
      Object.defineProperty(o, "toString", { value: function (this: unknown) { return formatTree(this); }, enumerable: false });
      Object.defineProperty(o, inspect.custom, { value: function (this: unknown) { return formatTree(this); }, enumerable: false });
      Object.freeze(o);
    }
  }
  return x;
}
// Trees rebuilt by tree.map & co. keep the frozen variables' printing.
setFrozenDictFactory((o) => freeze(o));

/** A mutable deep copy of a frozen tree (leaves shared). */
export const unfreeze = <T>(x: T): T => thaw(x);
