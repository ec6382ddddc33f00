/**
 * Flax-linen-style modules (issue 4's `nn.Module`): `new Net().init(key, x)` runs `call` with
 * x's shapes and collects the parameter tree that its layers create, named as Flax names them
 * (an inline submodule is `Dense_0`, `Dense_1` by type and order, or its explicit `name`; a user
 * module used inside another gets its own subtree); `new Net().apply(vars, x)` runs `call` again,
 * reading each layer's parameters from vars (so a kernel that does not fit the input is an
 * error, and gradients flow from the parameter leaves). Layer shape rules follow Flax's layouts:
 * Dense kernels are [in, features], Conv takes NHWC inputs and HWIO kernels.
 */
import ts from "typescript";
import {
  broadcastShapes, convShape, matmulShape, normalizeAxis, ShapeError, type Dim, type Padding,
} from "./engineShapes.js";
import type { CallSite } from "./callContext.js";
import { checkRule, label } from "./shapeCheck.js";
import { dimOf, intListOf, intOf, isFloat, option } from "./engineArgs.js";
import { asArray, result } from "./handlerArrays.js";
import {
  arrayOf, leavesOf, unknown, UNKNOWN_DIM, type ArrayValue, type ClassValue, type ModuleValue, type ObjectValue, type Value,
} from "./values.js";
import type { Interpreter } from "./interpreter.js";

/** Built-in layers (module factories); pooling and activations are plain functions. */
export const LAYERS = new Set(["Dense", "DenseGeneral", "Conv", "Embed", "LayerNorm", "RMSNorm", "BatchNorm", "GroupNorm", "Dropout",
  "MultiHeadDotProductAttention", "MultiHeadAttention", "SelfAttention", "Sequential"]);

/** One module's scope while init/apply runs: the variables it creates or reads, and its child counters. */
export interface ModuleCtx {
  readonly id: number;
  readonly mode: "init" | "apply";
  /** collection ("params", "batchStats") -> child name -> subtree. */
  readonly created: Map<string, Map<string, Value>>;
  readonly counters: Map<string, number>;
  /** apply: this module's variables ({ params: {...}, batchStats: {...} }), or unknown. */
  readonly vars: Value;
  /** The module running in this scope (its fields name the submodules it holds). */
  readonly owner?: ModuleValue;
}

let ctxIds = 0;
let moduleIds = 0;

export function newModule(layer: string | undefined, cls: ClassValue | undefined, args: readonly Value[], fields?: ReadonlyMap<string, Value>): ModuleValue {
  return { kind: "module", id: ++moduleIds, layer, cls, args, fields };
}

const typeName = (m: ModuleValue) => m.layer ?? m.cls?.name ?? "Module";

/** The options object of a module's constructor arguments (the last object argument). */
function opts(m: ModuleValue): Value | undefined {
  for (let i = m.args.length - 1; i >= 0; i--) if (m.args[i]!.kind === "object") return m.args[i];
  return undefined;
}

/**
 * A positional constructor argument (features, kernelSize, numHeads...): the engine's layers
 * take them by position only (engine/src/nn/layers), so an options object does not give them.
 */
function arg(m: ModuleValue, pos: number, _name: string): Value | undefined {
  const v = m.args[pos];
  return v && v.kind !== "object" ? v : v ? unknown : undefined;
}

function explicitName(m: ModuleValue): string | undefined {
  // A user class with a constructor names itself only through what it passes to super().
  const n = m.fields ? m.fields.get("name") : option(opts(m), "name");
  return n?.kind === "string" ? n.value : undefined;
}

/** The field of `owner` that holds `m` (`this.conv`), or `${field}_${i}` for a list field, as the engine names it. */
function fieldName(owner: ModuleValue | undefined, m: ModuleValue): string | undefined {
  if (!owner?.fields) return undefined;
  for (const [k, v] of owner.fields) {
    if (v.kind === "module" && v.id === m.id) return k;
    if (v.kind === "list") { const i = v.items.findIndex((x) => x.kind === "module" && x.id === m.id); if (i >= 0) return `${k}_${i}`; }
  }
  return undefined;
}

/**
 * An attribute of a module instance (`this.features`): a user class's field as its constructor
 * set it; a built-in layer's constructor option. The engine's Module constructor takes only
 * `{ name }`, so `new Block({ features: 8 })` does not make `this.features` (not read here).
 */
export function moduleAttribute(m: ModuleValue, name: string): Value | undefined {
  if (m.fields) return m.fields.get(name);
  if (m.cls) return undefined;
  return option(opts(m), name);
}

function field(v: Value | undefined, k: string): Value {
  return v?.kind === "object" ? v.fields.get(k) ?? unknown : unknown;
}

const obj = (entries: [string, Value][]): ObjectValue => ({ kind: "object", fields: new Map(entries) });

// ---- init / apply -----------------------------------------------------------------------------

/** `module.init(rngs, ...inputs)`: the variables tree. */
export function initModule(it: Interpreter, m: ModuleValue, args: readonly Value[], node: ts.CallExpression): Value {
  it.consumeKeyAt(args[0], node);
  const ctx = newCtx("init", unknown, m);
  runIn(it, ctx, () => forward(it, m, args.slice(1), node));
  return collected(ctx) ?? obj([["params", obj([])]]);
}

/** `module.apply(vars, ...inputs, { mutable, rngs })`: the output (and updated collections when mutable). */
export function applyModule(it: Interpreter, m: ModuleValue, args: readonly Value[], node: ts.CallExpression): Value {
  let inputs = args.slice(1);
  const last = inputs[inputs.length - 1];
  let mutable = false;
  if (last?.kind === "object" && [...last.fields.keys()].every((k) => k === "mutable" || k === "rngs" || k === "method")) {
    const mu = last.fields.get("mutable");
    mutable = mu !== undefined && !(mu.kind === "bool" && mu.value === false);
    inputs = inputs.slice(0, -1);
  }
  const ctx = newCtx("apply", args[0] ?? unknown, m);
  const out = runIn(it, ctx, () => forward(it, m, inputs, node));
  if (!mutable) return out;
  const stats = collected(ctx);
  const updated = stats ? obj([...stats.fields].filter(([k]) => k !== "params")) : obj([]);
  return { kind: "list", items: [out, updated] };
}

function newCtx(mode: "init" | "apply", vars: Value, owner?: ModuleValue): ModuleCtx {
  return { id: ++ctxIds, mode, created: new Map(), counters: new Map(), vars, owner };
}

function runIn<T>(it: Interpreter, ctx: ModuleCtx, run: () => T): T {
  const saved = it.moduleCtx;
  it.moduleCtx = ctx;
  try { return run(); } finally { it.moduleCtx = saved; }
}

/** The variables a module created, as { params: {...}, batchStats: {...} }; undefined if none. */
function collected(ctx: ModuleCtx): ObjectValue | undefined {
  const entries: [string, Value][] = [];
  for (const [coll, children] of ctx.created) if (children.size) entries.push([coll, { kind: "object", fields: children }]);
  return entries.length ? obj(entries) : undefined;
}

/** A module called inside another module's `call` (or on its own, outside init/apply). */
export function callModule(it: Interpreter, m: ModuleValue, args: readonly Value[], node: ts.CallExpression | undefined): Value {
  const parent = it.moduleCtx;
  if (!parent || !node) return forward(it, m, args, node);
  const type = typeName(m);
  // The engine's order (nn/module.ts): an explicit name, the parent's field holding it, then Type_n.
  let name = explicitName(m) ?? fieldName(parent.owner, m);
  if (name === undefined) {
    const n = parent.counters.get(type) ?? 0;
    parent.counters.set(type, n + 1);
    name = `${type}_${n}`;
  }
  const vars = parent.mode === "apply" ? childVars(parent.vars, name) : unknown;
  const ctx = newCtx(parent.mode, vars, m);
  const out = runIn(it, ctx, () => forward(it, m, args, node));
  for (const [coll, children] of ctx.created) {
    if (!children.size) continue;
    let into = parent.created.get(coll);
    if (!into) parent.created.set(coll, (into = new Map()));
    into.set(name, { kind: "object", fields: children });
  }
  return out;
}

function childVars(vars: Value, name: string): Value {
  if (vars.kind !== "object") return unknown;
  const fields = new Map<string, Value>();
  for (const [coll, tree] of vars.fields) fields.set(coll, field(tree, name));
  return { kind: "object", fields };
}

/** Runs a module: a user class's `call` method with `this` bound, or a built-in layer's rule. */
function forward(it: Interpreter, m: ModuleValue, args: readonly Value[], node: ts.CallExpression | undefined): Value {
  if (m.cls) {
    const fn = it.moduleMethod(m, "call") ?? it.moduleMethod(m, "__call__");
    return fn ? it.callValue(fn, args, node) : unknown;
  }
  if (!node) return unknown;
  const c = it.callSite(node, `nn.${m.layer}`, args);
  return layer(it, c, m);
}

// ---- parameters ------------------------------------------------------------------------------

/** Declares (init) or reads (apply) this module's variable; returns the leaf the layer computes with. */
function param(it: Interpreter, name: string, shape: Dim[] | null, collection = "params"): ArrayValue {
  const fresh = arrayOf(shape, "float32", { origin: { op: `${collection}.${name}`, rule: "parameter shape from the layer's input" } });
  const ctx = it.moduleCtx;
  if (!ctx) return fresh;
  if (ctx.mode === "init") {
    let into = ctx.created.get(collection);
    if (!into) ctx.created.set(collection, (into = new Map()));
    into.set(name, fresh);
    return fresh;
  }
  const given = field(field(ctx.vars, collection), name);
  if (given.kind === "array") {
    if (collection !== "params") {
      let into = ctx.created.get(collection);
      if (!into) ctx.created.set(collection, (into = new Map()));
      into.set(name, fresh);
    }
    return given;
  }
  // Unknown variables: the result depends on everything this module was given.
  const deps = new Set<string>();
  for (const l of leavesOf(ctx.vars)) if (l.leaf.kind === "array") for (const d of l.leaf.deps) deps.add(d);
  return { ...fresh, deps };
}

// ---- layers ----------------------------------------------------------------------------------

const floatOf = (d: string | null) => (d === null ? null : isFloat(d) ? d : "float32");

function layer(it: Interpreter, c: CallSite, m: ModuleValue): Value {
  const x = asArray(c.args[0]);
  if (m.layer === "Sequential") return sequential(it, c, m);
  if (!x) return unknown;
  const out = (shape: Dim[] | null, params: readonly ArrayValue[], dtype = floatOf(x.dtype), rule?: string) =>
    result(c, shape, dtype, [x, ...params], { rule: rule ?? `${m.layer} (Flax layout)`, detail: label(x) });
  switch (m.layer) {
    case "Dense": {
      const features = dimOf(arg(m, 0, "features"));
      const inF = x.shape?.length ? x.shape[x.shape.length - 1]! : UNKNOWN_DIM;
      const kernel = param(it, "kernel", [inF, features]);
      const useBias = option(opts(m), "useBias");
      const bias = useBias?.kind === "bool" && useBias.value === false ? undefined : param(it, "bias", [features]);
      const shape = checkRule(c, [x.shape, kernel.shape], ([a, k]) => {
        if (a!.length === 0) throw new ShapeError("Dense", "input must have rank >= 1", [a!], `Dense: the input must have a feature axis, got ${label({ ...x, shape: a! })}`);
        return matmulShape(a!, k!, [label({ ...x, shape: a! }), `kernel ${label({ ...kernel, shape: k! })}`], "Dense");
      });
      return out(shape, bias ? [kernel, bias] : [kernel], undefined, "Dense: [..., in] @ kernel [in, features]");
    }
    case "DenseGeneral": {
      const fv = arg(m, 0, "features");
      const features = fv?.kind === "list" ? fv.items.map(dimOf) : [dimOf(fv)];
      const axes = intListOf(option(opts(m), "axis")) ?? [-1];
      if (!x.shape) return out(null, []);
      const shape = checkRule(c, [x.shape], ([s]) => {
        const norm = axes.map((a) => normalizeAxis("DenseGeneral", a, s!.length, s!));
        return [...s!.filter((_, k) => !norm.includes(k)), ...features];
      });
      const inDims = x.shape.filter((_, k) => axes.some((a) => (a < 0 ? a + x.shape!.length : a) === k));
      const kernel = param(it, "kernel", [...inDims, ...features]);
      const bias = param(it, "bias", [...features]);
      return out(shape, [kernel, bias], undefined, "DenseGeneral: contracted axes replaced by features");
    }
    case "Conv": return conv(it, c, m, x, out);
    case "Embed": {
      const n = dimOf(arg(m, 0, "numEmbeddings")), features = dimOf(arg(m, 1, "features"));
      const table = param(it, "embedding", [n, features]);
      return result(c, x.shape ? [...x.shape, table.shape?.[1] ?? features] : null, "float32", [table], { rule: "Embed: indices [...] -> [..., features]" });
    }
    case "LayerNorm": case "RMSNorm": case "BatchNorm": case "GroupNorm": {
      const C = x.shape?.length ? x.shape[x.shape.length - 1]! : UNKNOWN_DIM;
      const noScale = option(opts(m), "useScale")?.kind === "bool" && (option(opts(m), "useScale") as { value?: boolean }).value === false;
      const noBias = option(opts(m), "useBias")?.kind === "bool" && (option(opts(m), "useBias") as { value?: boolean }).value === false;
      const ps: ArrayValue[] = [];
      if (!noScale) ps.push(param(it, "scale", [C]));
      if (m.layer !== "RMSNorm" && !noBias) ps.push(param(it, "bias", [C]));
      if (m.layer === "BatchNorm") { param(it, "mean", [C], "batchStats"); param(it, "var", [C], "batchStats"); }
      if (m.layer === "GroupNorm") {
        const ng = option(opts(m), "numGroups");
        const groups = ng === undefined ? 32 : intOf(ng);
        if (groups === undefined) return out(x.shape ? [...x.shape] : null, ps, undefined, `${m.layer}: shape preserved`);
        checkRule(c, [x.shape], ([s]) => {
          const f = s!.length ? s![s!.length - 1]! : 1;
          if (typeof f === "number" && f % groups !== 0) throw new ShapeError("GroupNorm", "features not divisible by numGroups", [s!], `GroupNorm: ${f} features are not divisible by numGroups ${groups}`);
          return s!;
        });
      }
      return out(x.shape ? [...x.shape] : null, ps, undefined, `${m.layer}: shape preserved; parameters of the feature axis`);
    }
    case "Dropout": return result(c, x.shape, x.dtype, [x], { rule: "Dropout: shape preserved" });
    case "MultiHeadDotProductAttention": case "MultiHeadAttention": case "SelfAttention": return attention(it, c, m, x);
    default: return unknown;
  }
}

function conv(it: Interpreter, c: CallSite, m: ModuleValue, x: ArrayValue, out: (shape: Dim[] | null, params: readonly ArrayValue[]) => Value): Value {
  const features = dimOf(arg(m, 0, "features"));
  const ks = arg(m, 1, "kernelSize");
  const kernelSize = intListOf(ks);
  if (!kernelSize || !x.shape) return out(null, []);
  const nsp = kernelSize.length;
  const o = opts(m);
  // An option that is given but not known is not its default: the result is unknown then.
  const rep = (v: Value | undefined, d: number) => {
    if (v === undefined || v.kind === "null") return kernelSize.map(() => d);
    const n = intOf(v);
    return n !== undefined ? kernelSize.map(() => n) : intListOf(v);
  };
  const strides = rep(option(o, "strides"), 1);
  const dilation = rep(option(o, "kernelDilation"), 1);
  const g = option(o, "featureGroupCount");
  const groups = g === undefined ? 1 : intOf(g);
  if (!strides || !dilation || groups === undefined) return out(null, []);
  const p = option(o, "padding");
  const padding: Padding | undefined = p === undefined ? "SAME" : p.kind === "string" && (p.value === "SAME" || p.value === "VALID") ? p.value : undefined;
  const unbatched = x.shape.length === nsp + 1;
  const xs = unbatched ? [1, ...x.shape] : [...x.shape];
  const inC = xs[xs.length - 1]!;
  const kernel = param(it, "kernel", [...kernelSize, typeof inC === "number" ? inC / groups : inC, features]);
  const useBias = option(o, "useBias");
  const bias = useBias?.kind === "bool" && useBias.value === false ? undefined : param(it, "bias", [features]);
  if (!padding) return out(null, bias ? [kernel, bias] : [kernel]);
  const shape = checkRule(c, [xs, kernel.shape], ([a, k]) => {
    if (a!.length !== nsp + 2) throw new ShapeError("Conv", "input rank", [a!], `Conv: a ${nsp}-D kernel needs inputs [N, ${"spatial, ".repeat(nsp)}C] (NHWC), got ${label({ ...x, shape: a! })}`);
    // NHWC x HWIO -> NCHW x OIHW for the engine's convShape, then back.
    const lhs = [a![0]!, a![a!.length - 1]!, ...a!.slice(1, -1)];
    const rhs = [k![k!.length - 1]!, k![k!.length - 2]!, ...k!.slice(0, -2)];
    const r = convShape(lhs, rhs, { strides, padding, rhsDilation: dilation, featureGroupCount: groups });
    const nhwc = [r[0]!, ...r.slice(2), r[1]!];
    return unbatched ? nhwc.slice(1) : nhwc;
  });
  return out(shape, bias ? [kernel, bias] : [kernel]);
}

function attention(it: Interpreter, c: CallSite, m: ModuleValue, q: ArrayValue): Value {
  const kv = asArray(c.args[1]) ?? q;
  const headsKnown = intOf(arg(m, 0, "numHeads"));
  const heads: number = headsKnown ?? NaN;
  const qF = q.shape?.length ? q.shape[q.shape.length - 1]! : UNKNOWN_DIM;
  const kvF = kv.shape?.length ? kv.shape[kv.shape.length - 1]! : UNKNOWN_DIM;
  const qkv = option(opts(m), "qkvFeatures") ? dimOf(option(opts(m), "qkvFeatures")) : qF;
  const outF = option(opts(m), "outFeatures") ? dimOf(option(opts(m), "outFeatures")) : qF;
  const headDim: Dim = typeof qkv === "number" && headsKnown !== undefined ? qkv / heads : UNKNOWN_DIM;
  if (typeof qkv === "number" && headsKnown !== undefined && qkv % heads !== 0) {
    c.report("shape/attention", `MultiHeadDotProductAttention: qkvFeatures ${qkv} is not divisible by numHeads ${heads} [rule: features split evenly over heads]. Fix: choose numHeads dividing ${qkv}.`);
    return result(c, null, floatOf(q.dtype), [q]);
  }
  const ps: ArrayValue[] = [];
  const sub = (name: string, shapes: [string, Dim[]][]) => {
    const ctx = it.moduleCtx;
    const child = ctx ? { id: -1, mode: ctx.mode, created: new Map(), counters: new Map(), vars: ctx.mode === "apply" ? childVars(ctx.vars, name) : unknown } as ModuleCtx : undefined;
    const saved = it.moduleCtx;
    it.moduleCtx = child;
    try { for (const [n, s] of shapes) ps.push(param(it, n, s)); } finally { it.moduleCtx = saved; }
    if (ctx && child) for (const [coll, fields] of child.created) {
      let into = ctx.created.get(coll);
      if (!into) ctx.created.set(coll, (into = new Map()));
      into.set(name, { kind: "object", fields });
    }
  };
  const h: Dim = headsKnown ?? UNKNOWN_DIM;
  sub("query", [["kernel", [qF, h, headDim]], ["bias", [h, headDim]]]);
  sub("key", [["kernel", [kvF, h, headDim]], ["bias", [h, headDim]]]);
  sub("value", [["kernel", [kvF, h, headDim]], ["bias", [h, headDim]]]);
  sub("out", [["kernel", [h, headDim, outF]], ["bias", [outF]]]);
  const shape = checkRule(c, [q.shape, kv.shape], ([a, b]) => {
    if (a!.length < 2 || b!.length < 2) throw new ShapeError("attention", "rank", [a!, b!], `MultiHeadDotProductAttention: inputs need [..., length, features], got ${label({ ...q, shape: a! })}`);
    broadcastShapes("attention", a!.slice(0, -2), b!.slice(0, -2));
    return [...a!.slice(0, -1), outF];
  });
  return result(c, shape, floatOf(q.dtype), [q, kv, ...ps], { rule: "attention: [..., L, features] -> [..., L, outFeatures]" });
}

/** Sequential([layers]): each applied in turn; children are named layers_0, layers_1... (Flax). */
function sequential(it: Interpreter, c: CallSite, m: ModuleValue): Value {
  const list = arg(m, 0, "layers");
  if (list?.kind !== "list") return unknown;
  let x: Value = c.args[0] ?? unknown;
  const rest = c.args.slice(1);
  list.items.forEach((l, i) => {
    const named = l.kind === "module" && !explicitName(l) ? { ...l, args: [...l.args.filter((a) => a.kind !== "object"), { kind: "object" as const, fields: new Map([...(opts(l)?.kind === "object" ? (opts(l) as ObjectValue).fields : []), ["name", { kind: "string" as const, value: `layers_${i}` }]]) }] } : l;
    x = it.callValue(named, i === 0 ? [x, ...rest] : [x], c.node);
  });
  return x;
}

// ---- pooling (functions) ----------------------------------------------------------------------

/** nn.avgPool / nn.maxPool(x, window, { strides, padding }): NHWC, Flax defaults (strides 1, VALID). */
export function pool(c: CallSite): Value {
  const x = asArray(c.args[0]);
  const window = intListOf(c.args[1]);
  if (!x) return unknown;
  if (!window || !x.shape) return result(c, null, x.dtype, [x]);
  const o = c.args[2];
  const so = option(o, "strides");
  const strides = so === undefined || so.kind === "null" ? window.map(() => 1) : intListOf(so);
  if (!strides) return result(c, x.shape.map((d, k) => (k < x.shape!.length - window.length - 1 || k === x.shape!.length - 1 ? d : UNKNOWN_DIM)), x.dtype, [x]);
  const p = option(o, "padding");
  const padding = p === undefined ? "VALID" : p.kind === "string" ? p.value : undefined;
  if (padding !== "SAME" && padding !== "VALID") return result(c, null, x.dtype, [x]);
  const nsp = window.length;
  const shape = checkRule(c, [x.shape], ([s]) => {
    if (s!.length < nsp + 1) throw new ShapeError("pool", "rank", [s!], `pool: a ${nsp}-D window needs inputs [N, ${"spatial, ".repeat(nsp)}C], got ${label({ ...x, shape: s! })}`);
    const first = s!.length - nsp - 1;
    return s!.map((d, k) => {
      if (k < first || k === s!.length - 1) return d;
      const i = k - first;
      if (typeof d !== "number") return UNKNOWN_DIM;
      const n = padding === "SAME" ? Math.ceil(d / strides[i]!) : Math.floor((d - window[i]!) / strides[i]!) + 1;
      if (n <= 0) throw new ShapeError("pool", "window larger than input", [s!], `pool: window ${window[i]} is larger than the input's spatial axis of size ${d}`);
      return n;
    });
  });
  return result(c, shape, x.dtype, [x], { rule: "pool: NHWC, out = floor((n - window) / stride) + 1 (VALID) or ceil(n / stride) (SAME)" });
}
