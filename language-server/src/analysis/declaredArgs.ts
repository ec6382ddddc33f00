/**
 * Engine calls read through the engine's declared signatures (engine/src/signatures, via
 * engineShapes.ts): the same rule the engine applies at run time. A call's arguments are
 * normalized to the declared positional order (keyword-only parameters in one trailing options
 * object), so `np.concatenate(xs, { axis: 0 })` and `np.concatenate(xs, 0)` read alike; and
 * what the engine would reject with a TypeError (an unknown option, too many arguments, a
 * missing one, a value of the wrong kind) is reported, only when certain.
 */
import ts from "typescript";
import { ARRAY_METHODS, VARIADIC_METHODS, SIGNATURES, DTYPE_ALIASES, closestName, describeTypes, type Param, type Signature, type TypeAtom } from "./engineShapes.js";
import type { ObjectValue, Value } from "./values.js";

/** Array methods the engine installs, and the numpy function each one calls with the array first (the engine's table). */
export { ARRAY_METHODS };
const NAMESPACES: Record<string, string> = { np: "np", numpy: "np", jnp: "np", nn: "nn", random: "random", lax: "lax", scipy: "scipy" };

/** The declaration an engine path resolves to ("array.sum" is np.sum with the array first). */
export function signatureOf(path: string): Signature | undefined {
  if (path.startsWith("array.")) {
    const np = ARRAY_METHODS[path.slice(6)];
    return np ? SIGNATURES.get(`np.${np}`) : undefined;
  }
  const dot = path.indexOf(".");
  if (dot < 0) return SIGNATURES.get(path);
  const ns = NAMESPACES[path.slice(0, dot)];
  return ns ? SIGNATURES.get(`${ns}${path.slice(dot)}`) : undefined;
}

export interface CheckedCall {
  /** The arguments in declared order (positional parameters, rest, then an options object of keyword-only ones). */
  readonly args: readonly Value[];
  /** Every declared parameter that was given, by name. */
  readonly named: ReadonlyMap<string, Value>;
  /** What the engine would throw a TypeError for, in the engine's words. */
  readonly problems: readonly string[];
}

/** Whether a value can be of the declared type: false only when certainly not. */
function mayBe(t: TypeAtom, v: Value): boolean {
  switch (v.kind) {
    case "string": {
      if (t.kind === "string" || t.kind === "any" || t.kind === "tree") return true;
      if (v.value === undefined) return t.kind === "dtype" || t.kind === "literal";
      if (t.kind === "dtype") return Object.hasOwn(DTYPE_ALIASES, v.value);
      return t.kind === "literal" && t.value === v.value;
    }
    case "null": return t.kind === "null" || t.kind === "any" || t.kind === "tree";
    case "bool": return ["array", "bool", "any", "tree"].includes(t.kind);
    case "number":
      if (["int", "axes", "shape"].includes(t.kind)) return v.value === undefined || Number.isInteger(v.value);
      return ["array", "number", "any", "tree", "bigint"].includes(t.kind);
    case "function": case "transformed": return ["fn", "any", "tree"].includes(t.kind);
    case "object": return ["object", "any", "tree", "slice"].includes(t.kind);
    case "list": case "seq": return ["array", "arrays", "axes", "shape", "ints", "numbers", "fns", "list", "any", "tree"].includes(t.kind);
    // A DeviceArray is not a JS array: the engine's "arrays" and "list" checks (Array.isArray) reject it.
    case "array":
      // The result of a call the server does not model may be anything.
      if (v.shape === null && v.dtype === null && v.origin?.rule?.startsWith("not modeled")) return true;
      return ["array", "key", "any", "tree", "dtype", "slice"].includes(t.kind);
    default: return true;
  }
}

const mayBeParam = (p: Param, v: Value) => p.types.some((t) => mayBe(t, v));

function describe(v: Value): string {
  switch (v.kind) {
    case "string": return v.value === undefined ? "a string" : `${JSON.stringify(v.value)} (a string)`;
    case "null": return "null";
    case "bool": return v.value === undefined ? "a boolean" : `${v.value} (a boolean)`;
    case "number": return v.value === undefined ? "a number" : `${v.value} (a number)`;
    case "object": return `an object { ${[...v.fields.keys()].slice(0, 6).join(", ")} }`;
    case "function": case "transformed": return "a function";
    case "list": return "a list";
    case "array": return "an array";
    default: return "a value";
  }
}

/**
 * Normalizes and checks one call. `nodes` are the call's argument expressions (with the array
 * first for methods, as `self`); a spread argument makes the call unreadable: it is left as is.
 */
export function checkDeclaredCall(sig: Signature, given: readonly Value[], nodes: readonly ts.Expression[], method?: string): CheckedCall | undefined {
  if (nodes.some((n) => ts.isSpreadElement(n))) return undefined;
  // A literal `undefined` argument is absent, as the engine reads it (the interpreter models it as null).
  const isUndefined = (n: ts.Expression | undefined) => !!n && ((ts.isIdentifier(n) && n.text === "undefined") || ts.isVoidExpression(n));
  let args = given.map((v, i) => (isUndefined(nodes[i]) ? undefined : v)) as Value[];
  // x.reshape(2, 3) / x.transpose(1, 0): the engine's methods take the sizes as separate numbers.
  if (method && VARIADIC_METHODS.has(method) && args.length > 2 && args.slice(1).every((a) => a.kind === "number")) {
    args = [args[0]!, { kind: "list", items: args.slice(1) }];
  }
  const problems: string[] = [];
  const fixed = sig.params.filter((p) => !p.rest);
  const nPos = sig.positional.length;
  let n = args.length;
  let opts: ObjectValue | undefined;
  const last = args[n - 1];
  if (last?.kind === "object" && sig.takesOptions && !(n === 1 && sig.required > 0)) {
    const p = n - 1 < nPos ? sig.positional[n - 1] : sig.rest;
    if (!p?.takesObjects) { opts = last; n--; }
  }
  if (n > nPos && !sig.rest) {
    problems.push(`${sig.path}: takes ${nPos} positional argument${nPos === 1 ? "" : "s"} (${sig.positional.map((p) => p.name).join(", ")})` +
      `${sig.takesOptions ? " and an options object" : ""}, got ${n}: extra ${describe(args[nPos]!)}`);
  }
  const vals: (Value | undefined)[] = fixed.map((_, i) => (i < Math.min(n, nPos) ? args[i] : undefined));
  const rest = sig.rest ? args.slice(nPos, n).filter((v) => v !== undefined) : [];
  const fromOptions = new Set<string>();
  if (opts) {
    const index = new Map(fixed.map((p, i) => [p.name, i]));
    for (const [k, v] of opts.fields) {
      const i = index.get(k);
      if (i === undefined) {
        const near = closestName(k, index.keys());
        const names = fixed.filter((p) => p.optional || p.keywordOnly).map((p) => p.name);
        problems.push(`${sig.path}: unknown option "${k}"${near ? ` (did you mean "${near}"?)` : ""}; ${sig.path} takes { ${names.join(", ")} }`);
        continue;
      }
      if (vals[i] !== undefined) { problems.push(`${sig.path}: "${k}" was given both positionally and in the options object`); continue; }
      vals[i] = v;
      fromOptions.add(k);
    }
  }
  fixed.forEach((p, i) => {
    const v = vals[i];
    if (v === undefined) {
      // An options object we cannot see whole (a spread) may hold it: only a call without one is certain.
      if (!p.optional && !opts) problems.push(`${sig.path}: argument ${i} (${p.name}) is undefined`);
      return;
    }
    if (!mayBeParam(p, v)) {
      const label = fromOptions.has(p.name) ? `option "${p.name}"` : `argument ${i} (${p.name})`;
      problems.push(`${sig.path}: ${label} must be ${describeTypes(p)}; got ${describe(v)}`);
    }
  });
  if (sig.rest) rest.forEach((v, j) => { if (!mayBeParam(sig.rest!, v)) problems.push(`${sig.path}: argument ${nPos + j} (${sig.rest!.name}) must be ${describeTypes(sig.rest!)}; got ${describe(v)}`); });
  const named = new Map<string, Value>();
  fixed.forEach((p, i) => { if (vals[i] !== undefined) named.set(p.name, vals[i]!); });
  // Declared order: positional parameters (a hole reads as absent), the rest, then keyword-only ones in an object.
  const positional = vals.slice(0, nPos);
  let end = positional.length;
  while (end > 0 && positional[end - 1] === undefined) end--;
  // Holes stay undefined (absent), as an omitted argument reads to the handlers.
  const out = positional.slice(0, end) as Value[];
  const kw = fixed.slice(nPos).filter((p) => named.has(p.name));
  if (rest.length) { out.length = nPos; out.push(...rest); }
  if (kw.length) out.push({ kind: "object", fields: new Map(kw.map((p) => [p.name, named.get(p.name)!])) });
  return { args: out, named, problems };
}

/** The options object a transformation's analysis reads (`grad(f, 1)` is `grad(f, { argnums: 1 })`). */
export function transformOptions(checked: CheckedCall): ObjectValue {
  const fields = new Map(checked.named);
  fields.delete("f");
  return { kind: "object", fields };
}

/**
 * A call of an engine namespace's member that the engine does not declare (np.foo, lax.fori_loop,
 * random.cauchy): the engine has no such function, so the call throws. Classes (nn.Dense) and
 * paths outside np/nn/random/lax are not judged. Returns the message, or undefined.
 */
export function unknownFunction(path: string): string | undefined {
  const dot = path.indexOf(".");
  const ns = dot < 0 ? undefined : NAMESPACES[path.slice(0, dot)];
  if (!ns) return undefined;
  const rest = path.slice(dot + 1);
  const last = rest.split(".").pop()!;
  if (/^[A-Z]/.test(last) || SIGNATURES.has(`${ns}.${rest}`)) return undefined;
  const prefix = `${ns}.${rest.includes(".") ? rest.slice(0, rest.lastIndexOf(".") + 1) : ""}`;
  const names = [...SIGNATURES.keys()].filter((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes(".")).map((k) => k.slice(prefix.length));
  const camel = last.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  const near = names.find((n) => n.toLowerCase() === camel.toLowerCase()) ?? closestName(last, names);
  return `${path.split(".")[0]}.${rest} is not a function of the engine${near ? ` (did you mean ${prefix.replace(/^np\./, `${path.split(".")[0]}.`)}${near}?)` : ""}`;
}
