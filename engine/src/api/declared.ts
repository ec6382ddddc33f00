/**
 * Argument normalization and validation, derived from the declared signatures
 * (../signatures): every public function of np, nn, lax, random and the transformations, and
 * of the library layers (nn's module classes by their constructors, optim, losses, tree), is
 * wrapped once, at load time, by `declareNamespace` (nn.Module's init/apply read their options
 * with `declareRestOptions`). The wrapper accepts numpy's positional
 * form and a trailing options object, rejects what the declaration does not allow (a TypeError
 * naming the function, the parameter and what was given, with the user's file:line), fills
 * declared defaults, and calls the implementation in the form it declares (`~N`).
 *
 * Cost on a correct call: functions whose parameters are all required arrays (add, exp, ...)
 * get a fixed-arity wrapper that checks `instanceof DeviceArray` / `typeof number` and calls
 * through (no allocation); everything else takes the general path (one small array per call,
 * Object.keys only when an options object was passed).
 */
import { DeviceArray } from "../array.js";
import { DTYPE_ALIASES } from "../dtype.js";
import { withUserLocation } from "../ir/source.js";
import {
  closestName, describeTypes, isOptionsAt, isPlainObject, parseTable,
  type DeclarationTable, type Param, type Signature, type TypeAtom,
} from "../signatures/signature.js";

type AnyFn = (...args: any[]) => any;

/** A declared function keeps its implementation's type and also accepts the other calling form. */
export type Declared<T> = T extends abstract new (...a: any[]) => any ? T
  : T extends AnyFn ? T & ((...args: any[]) => ReturnType<T>)
  : T extends Record<string, unknown> ? { [K in keyof T]: Declared<T[K]> } : T;

/** The TypeError users see: names the function and the parameter, located at the user's line. */
export class ArgumentError extends TypeError {
  override name = "TypeError";
  constructor(message: string) { super(message); withUserLocation(this); }
}

// A module-local binding: an imported class read through a live ESM binding costs ~40 ns per
// `instanceof` under tsx's loader (measured), a local const ~5 ns.
const DA = DeviceArray;

const isInt = (v: unknown) => typeof v === "number" && Number.isInteger(v);

/** Array-likes: arrays, JS numbers and booleans, typed arrays, nested lists of those. */
function isArrayLike(v: unknown): boolean {
  const t = typeof v;
  if (t === "number" || t === "boolean" || v instanceof DA) return true;
  if (Array.isArray(v)) { for (const e of v) if (!isArrayLike(e)) return false; return true; }
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

function atomCheck(a: TypeAtom): (v: unknown) => boolean {
  switch (a.kind) {
    case "array": return isArrayLike;
    case "arrays": return (v) => Array.isArray(v) && v.every(isArrayLike);
    case "int": return isInt;
    case "number": return (v) => typeof v === "number";
    case "bool": return (v) => typeof v === "boolean";
    case "string": return (v) => typeof v === "string";
    case "axes": return (v) => isInt(v) || (Array.isArray(v) && v.every(isInt));
    case "shape": return (v) => (isInt(v) && (v as number) >= 0) || (Array.isArray(v) && v.every((d) => isInt(d)));
    case "ints": return (v) => Array.isArray(v) && v.every(isInt);
    case "numbers": return (v) => Array.isArray(v) && v.every((d) => typeof d === "number");
    case "dtype": return (v) => typeof v === "string" && Object.hasOwn(DTYPE_ALIASES, v);
    case "fn": return (v) => typeof v === "function";
    case "fns": return (v) => Array.isArray(v) && v.every((f) => typeof f === "function" || typeof f === "number");
    case "key": return (v) => v instanceof DA;
    case "object": return plainObject;
    case "slice": return (v) => typeof v === "object" && v !== null && !Array.isArray(v) && !isPlainObject(v);
    case "list": return Array.isArray;
    case "bigint": return (v) => typeof v === "bigint";
    case "tree": case "any": return () => true;
    case "null": return (v) => v === null;
    case "literal": return (v) => v === a.value;
  }
}

function paramCheck(p: Param): (v: unknown) => boolean {
  const checks = p.types.map(atomCheck);
  if (checks.length === 1) return checks[0]!;
  return (v) => { for (const c of checks) if (c(v)) return true; return false; };
}

/** A short, safe description of what was given. */
export function describeValue(v: unknown): string {
  if (v === undefined) return "undefined";
  if (v === null) return "null";
  if (v instanceof DeviceArray) return `an array ${v.aval}`;
  switch (typeof v) {
    case "string": return `${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "..." : v)} (a string)`;
    case "number": case "boolean": case "bigint": return `${String(v)} (a ${typeof v})`;
    case "function": return "a function";
    case "symbol": return "a symbol";
  }
  if (Array.isArray(v)) {
    const s = (() => { try { return JSON.stringify(v); } catch { return "[...]"; } })() ?? "[...]";
    return `${s.length > 40 ? s.slice(0, 40) + "...]" : s} (a list)`;
  }
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  if (isPlainObject(v)) return `an object { ${Object.keys(v).slice(0, 6).join(", ")} }`;
  return `a ${(v as object).constructor?.name ?? "object"}`;
}

function wrongType(sig: Signature, p: Param, i: number, v: unknown, opts?: Record<string, unknown>): never {
  const label = opts !== undefined && Object.hasOwn(opts, p.name) && opts[p.name] === v && v !== undefined
    ? `option "${p.name}"` : `argument ${i} (${p.name})`;
  const what = v === undefined ? "is undefined" : `must be ${describeTypes(p)}; got ${describeValue(v)}`;
  throw new ArgumentError(`${sig.path}: ${label} ${what}`);
}

function optionNames(sig: Signature) {
  return sig.params.filter((p) => !p.rest && (p.optional || p.keywordOnly)).map((p) => p.name);
}

// Imported functions as module-local bindings (see DA above): these run on every call.
const optionsAt = isOptionsAt, plainObject = isPlainObject;

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

/** Calls fn with the first k values of vals, then the extra arguments (no spread on common arities). */
function callWith(fn: AnyFn, vals: unknown[], k: number, extra?: unknown): unknown {
  const withExtra = arguments.length > 3;
  switch (withExtra ? k : -1 - k) {
    case 0: return fn(extra);
    case 1: return fn(vals[0], extra);
    case 2: return fn(vals[0], vals[1], extra);
    case 3: return fn(vals[0], vals[1], vals[2], extra);
    case 4: return fn(vals[0], vals[1], vals[2], vals[3], extra);
    case -1: return fn();
    case -2: return fn(vals[0]);
    case -3: return fn(vals[0], vals[1]);
    case -4: return fn(vals[0], vals[1], vals[2]);
    case -5: return fn(vals[0], vals[1], vals[2], vals[3]);
    case -6: return fn(vals[0], vals[1], vals[2], vals[3], vals[4]);
    default: return withExtra ? fn(...vals.slice(0, k), extra) : fn(...vals.slice(0, k));
  }
}

/**
 * The general wrapper: positional arguments, a trailing options object, defaults, checks. A
 * correct call allocates one small array; the implementation's options object is the user's
 * own (or a shared empty one) unless optional parameters were given positionally.
 */
function generic(sig: Signature, impl: AnyFn): AnyFn {
  const fixed = sig.params.filter((p) => !p.rest);
  const checks = fixed.map(paramCheck);
  const restCheck = sig.rest ? paramCheck(sig.rest) : undefined;
  const nPos = sig.positional.length;
  const nFixed = fixed.length;
  const index = new Map(fixed.map((p, i) => [p.name, i]));
  const split = sig.implPositional;
  const takesOptions = sig.takesOptions;
  return function declared(...args: unknown[]) {
    let n = args.length;
    let opts: Record<string, unknown> | undefined;
    if (takesOptions && n > 0) {
      const last = args[n - 1];
      if (typeof last === "object" && last !== null && optionsAt(sig, n - 1, last)) { opts = last as Record<string, unknown>; n--; }
    }
    if (n > nPos && !sig.rest) tooMany(sig, n, args[nPos]);
    const vals: unknown[] = new Array(nFixed);
    const m = n < nPos ? n : nPos;
    for (let i = 0; i < m; i++) vals[i] = args[i];
    // The lowest parameter index the options object supplied (the user's object can be passed
    // through to an options-taking implementation only if it holds nothing positional).
    let lowest = nFixed;
    if (opts !== undefined) {
      for (const k in opts) {
        const i = index.get(k);
        if (i === undefined) unknownOption(sig, k, index.keys());
        const v = opts[k];
        if (v === undefined) continue;
        if (vals[i] !== undefined) throw new ArgumentError(`${sig.path}: "${k}" was given both positionally and in the options object`);
        vals[i] = v;
        if (i < lowest) lowest = i;
      }
    }
    for (let i = 0; i < nFixed; i++) {
      const v = vals[i];
      if (v === undefined) {
        const p = fixed[i]!;
        if (!p.optional) wrongType(sig, p, i, v, opts);
        else if (p.hasDefault && split === undefined) vals[i] = p.default;
        continue;
      }
      if (v === null ? !fixed[i]!.nullable : !checks[i]!(v)) wrongType(sig, fixed[i]!, i, v, opts);
    }
    let rest: unknown[] | undefined;
    if (sig.rest) {
      rest = args.slice(nPos, n);
      for (let j = 0; j < rest.length; j++) if (!restCheck!(rest[j])) wrongType(sig, sig.rest, nPos + j, rest[j]);
    }
    if (split === undefined) return rest ? impl(...vals.slice(0, nPos), ...rest) : callWith(impl, vals, nFixed);
    let o: Readonly<Record<string, unknown>>;
    if (m <= split && lowest >= split) o = opts ?? EMPTY;
    else {
      const built: Record<string, unknown> = {};
      for (let i = split; i < nFixed; i++) if (vals[i] !== undefined) built[fixed[i]!.name] = vals[i];
      o = built;
    }
    return rest ? impl(...vals.slice(0, split), ...rest, o) : callWith(impl, vals, split, o);
  };
}

function tooMany(sig: Signature, n: number, extra: unknown): never {
  const nPos = sig.positional.length;
  throw new ArgumentError(`${sig.path}: takes ${nPos} positional argument${nPos === 1 ? "" : "s"} (${sig.positional.map((p) => p.name).join(", ")})` +
    `${sig.takesOptions ? " and an options object" : ""}, got ${n}: extra ${describeValue(extra)}`);
}

function unknownOption(sig: Signature, k: string, names: Iterable<string>): never {
  const near = closestName(k, names);
  throw new ArgumentError(`${sig.path}: unknown option "${k}"${near ? ` (did you mean "${near}"?)` : ""}; ${sig.path} takes { ${optionNames(sig).join(", ")} }`);
}

/** Checks by kind, as expressions over `x` for the compiled wrappers (helpers are module-local). */
function atomExpr(a: TypeAtom, helpers: string[]): string {
  if (a.kind === "literal") return `x === ${JSON.stringify(a.value)}`;
  if (a.kind === "any" || a.kind === "tree") return "true";
  if (a.kind === "null") return "x === null";
  if (a.kind === "number") return `typeof x === "number"`;
  if (a.kind === "bool") return `typeof x === "boolean"`;
  if (a.kind === "string") return `typeof x === "string"`;
  if (a.kind === "int") return `isInt(x)`;
  if (a.kind === "array") return `(typeof x === "number" || x instanceof DA || isArrayLike(x))`;
  if (a.kind === "fn") return `typeof x === "function"`;
  const i = helpers.push(a.kind) - 1;
  return `h${i}(x)`;
}

/**
 * The general wrapper compiled per signature (straight-line code: no per-call array, no Map,
 * checks inlined), for signatures without a rest parameter; the closure version otherwise, or
 * where code generation is not allowed.
 */
function compiled(sig: Signature, impl: AnyFn): AnyFn | undefined {
  if (sig.rest || sig.params.length > 12) return undefined;
  const fixed = sig.params;
  const nPos = sig.positional.length;
  const split = sig.implPositional;
  const helperKinds: string[] = [];
  const checks = fixed.map((p) => {
    const exprs = p.types.map((t) => atomExpr(t, helperKinds));
    return exprs.length === 1 ? exprs[0]! : exprs.map((e) => `(${e})`).join(" || ");
  });
  const a = Array.from({ length: nPos + 1 }, (_, i) => `a${i}`);
  const v = fixed.map((_, i) => `v${i}`);
  const lines: string[] = [];
  lines.push(`return function declared(${a.join(", ")}) {`);
  lines.push(`  let n = arguments.length, o;`);
  if (sig.takesOptions) {
    lines.push(`  if (n > 0) { const last = ${a.map((x, i) => `n === ${i + 1} ? ${x} : `).join("")}arguments[n - 1];`);
    lines.push(`    if (typeof last === "object" && last !== null && optionsAt(sig, n - 1, last)) { o = last; n--; } }`);
  }
  lines.push(`  if (n > ${nPos}) tooMany(sig, n, a${nPos});`);
  fixed.forEach((p, i) => lines.push(`  let v${i} = ${i < nPos ? `n > ${i} ? a${i} : undefined` : "undefined"};`));
  lines.push(`  let low = ${fixed.length};`);
  if (sig.takesOptions) {
    lines.push(`  if (o !== undefined) for (const k in o) { const x = o[k]; switch (k) {`);
    fixed.forEach((p, i) => lines.push(`    case ${JSON.stringify(p.name)}: if (x !== undefined) { if (v${i} !== undefined) both(sig, k); v${i} = x; if (${i} < low) low = ${i}; } break;`));
    lines.push(`    default: unknownOption(sig, k, names); } }`);
  }
  fixed.forEach((p, i) => {
    const onMissing = !p.optional ? `wrongType(sig, P[${i}], ${i}, undefined, o)` : p.hasDefault && split === undefined ? `v${i} = D[${i}]` : "";
    lines.push(`  { const x = v${i}; if (x === undefined) { ${onMissing} } else if (x === null ? ${p.nullable ? "false" : "true"} : !(${checks[i]})) wrongType(sig, P[${i}], ${i}, x, o); }`);
  });
  if (split === undefined) lines.push(`  return impl(${v.join(", ")});`);
  else {
    lines.push(`  let opt;`);
    lines.push(`  if (n <= ${split} && low >= ${split}) opt = o === undefined ? EMPTY : o;`);
    lines.push(`  else { opt = {}; ${fixed.slice(split).map((p, j) => `if (v${split + j} !== undefined) opt[${JSON.stringify(p.name)}] = v${split + j};`).join(" ")} }`);
    lines.push(`  return impl(${[...v.slice(0, split), "opt"].join(", ")});`);
  }
  lines.push(`};`);
  const helperNames = helperKinds.map((_, i) => `h${i}`);
  const names = fixed.map((p) => p.name);
  try {
    const factory = new Function("sig", "impl", "P", "D", "names", "DA", "isInt", "isArrayLike", "optionsAt", "tooMany", "both", "unknownOption", "wrongType", "EMPTY", ...helperNames,
      `"use strict";\n${lines.join("\n")}`);
    return factory(sig, impl, fixed, fixed.map((p) => p.default), names, DA, isInt, isArrayLike, optionsAt, tooMany, bothGiven, unknownOption, wrongType, EMPTY,
      ...helperKinds.map((k) => atomCheck({ kind: k as TypeAtom["kind"] }))) as AnyFn;
  } catch {
    return undefined; // code generation disallowed (a CSP): the closure version serves
  }
}

function bothGiven(sig: Signature, k: string): never {
  throw new ArgumentError(`${sig.path}: "${k}" was given both positionally and in the options object`);
}

const fastArray = (v: unknown) => typeof v === "number" || v instanceof DA;

/** All-array signatures (add, exp, where ...): a fixed-arity check, no allocation. */
function fast(sig: Signature, impl: AnyFn, slow: AnyFn): AnyFn | undefined {
  const ps = sig.params;
  if (sig.rest || ps.some((p) => p.optional || p.types.length !== 1 || p.types[0]!.kind !== "array")) return undefined;
  switch (ps.length) {
    case 1: return function declared(a: unknown) {
      // eslint-disable-next-line prefer-rest-params
      if (arguments.length !== 1 || !fastArray(a)) return slow.apply(undefined, arguments as any);
      return impl(a);
    };
    case 2: return function declared(a: unknown, b: unknown) {
      // eslint-disable-next-line prefer-rest-params
      if (arguments.length !== 2 || !fastArray(a) || !fastArray(b)) return slow.apply(undefined, arguments as any);
      return impl(a, b);
    };
    case 3: return function declared(a: unknown, b: unknown, c: unknown) {
      // eslint-disable-next-line prefer-rest-params
      if (arguments.length !== 3 || !fastArray(a) || !fastArray(b) || !fastArray(c)) return slow.apply(undefined, arguments as any);
      return impl(a, b, c);
    };
    default: return undefined;
  }
}

/**
 * The general wrapper, made on its first call: compiling 500 wrappers when the engine loads
 * cost 30-50 ms of every process start (the runner's, a test's), most of them never called.
 */
function onFirstCall(make: () => AnyFn): AnyFn {
  let wrapper: AnyFn | undefined;
  return function declared() {
    // eslint-disable-next-line prefer-rest-params
    return (wrapper ??= make()).apply(undefined, arguments as any);
  };
}

/** Wraps one implementation by its declaration. */
export function declareFunction<F extends AnyFn>(sig: Signature, impl: F, opts: { compile?: boolean } = {}): F {
  const slow = onFirstCall(() => (opts.compile === false ? undefined : compiled(sig, impl)) ?? generic(sig, impl));
  const f = fast(sig, impl, slow) ?? slow;
  Object.defineProperty(f, "name", { value: impl.name || sig.name });
  Object.defineProperty(f, "signature", { value: sig });
  return f as F;
}

const isClass = (f: unknown) => typeof f === "function" && /^class[\s{]/.test(Function.prototype.toString.call(f));

/**
 * Wraps a class by its constructor's declaration: `new C(...)` and `C(...)` (the Flax-style
 * call without `new`) validate and normalize their arguments as a declared function does, then
 * construct. The result is a Proxy of the class, so `instanceof`, static members and
 * `class Net extends C` keep working; a subclass's `super(...)` is not validated (the
 * subclass chose those arguments, and may pass on options of its own).
 */
export function declareClass<C extends abstract new (...a: any[]) => any>(sig: Signature, cls: C): C {
  // The class itself (cls may be a proxy already, as nn's callable layers are): constructed
  // directly, so that `new.target` reads cost nothing; its prototype is the one `instanceof` sees.
  const Raw = (cls.prototype as { constructor: new (...a: unknown[]) => unknown }).constructor;
  const make = declareFunction(sig, function construct(...args: unknown[]) { return new Raw(...args); });
  const proxy: C = new Proxy(cls, {
    construct(target, args, newTarget) {
      return newTarget === proxy ? make(...args) : Reflect.construct(target, args, newTarget);
    },
    apply(_target, _this, args) { return make(...args); },
  });
  return proxy;
}

/**
 * For methods whose inputs before the options are any pytrees (Module.init / apply): the
 * leading declared parameters are checked; a trailing plain object is the options object when
 * it names a declared option (then every key must be one, of the declared type), or when each
 * of its keys is a near miss of one ("mutabel", "rng") holding a value of that option's type;
 * otherwise it is an input. Returns [the arguments without the options, the options].
 */
export function declareRestOptions(sig: Signature): (args: readonly unknown[]) => [unknown[], Readonly<Record<string, unknown>>] {
  const lead = sig.positional;
  const leadChecks = lead.map(paramCheck);
  const options = sig.params.filter((p) => p.keywordOnly);
  const byName = new Map(options.map((p) => [p.name, { p, check: paramCheck(p), index: sig.params.indexOf(p) }]));
  const names = options.map((p) => p.name);
  const fits = (o: { p: Param; check: (v: unknown) => boolean }, v: unknown) => v === undefined || (v === null ? o.p.nullable : o.check(v));
  return (args) => {
    for (let i = 0; i < lead.length; i++) {
      const v = args[i];
      if (v === undefined ? !lead[i]!.optional : v === null ? !lead[i]!.nullable : !leadChecks[i]!(v)) wrongType(sig, lead[i]!, i, v);
    }
    const n = args.length, last = n > lead.length ? args[n - 1] : undefined;
    if (!plainObject(last)) return [args as unknown[], EMPTY];
    let named = false, near = true, any = false;
    for (const k in last) {
      any = true;
      if (byName.has(k)) { named = true; break; }
      const m = closestName(k, names);
      if (!m || !fits(byName.get(m)!, last[k])) near = false;
    }
    if (!named && !(any && near)) return [args as unknown[], EMPTY];
    for (const k in last) {
      const o = byName.get(k);
      if (!o) unknownOption(sig, k, names);
      if (!fits(o, last[k])) wrongType(sig, o.p, o.index, last[k], last);
    }
    return [args.slice(0, -1), last];
  };
}

/**
 * Wraps every declared function of a module namespace (recursing into plain-object
 * sub-namespaces such as np.linalg), and every declared class (by its constructor's line).
 * Undeclared classes and constants pass through; undeclared functions too (the declaration
 * test lists them: there should be none).
 */
export function declareNamespace<T extends object>(prefix: string, mod: T, sigs: ReadonlyMap<string, Signature>): Declared<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(mod)) {
    const path = prefix ? `${prefix}.${k}` : k;
    const sig = sigs.get(path);
    // A declared name in capitals is a class (its line declares the constructor).
    if (typeof v === "function" && sig && /^[A-Z]/.test(sig.name)) out[k] = declareClass(sig, v as abstract new (...a: any[]) => any);
    else if (typeof v === "function" && sig && !isClass(v)) out[k] = declareFunction(sig, v as AnyFn);
    else if (isPlainObject(v) && [...sigs.keys()].some((p) => p.startsWith(path + "."))) out[k] = declareNamespace(path, v, sigs);
    else out[k] = v;
  }
  return Object.freeze(out) as Declared<T>;
}

export { parseTable, type DeclarationTable };
