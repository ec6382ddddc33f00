/**
 * JavaScript built-ins as the analysis sees them: list methods that call user functions
 * (layers.map), Math on known numbers, and the calls that are impure under jit
 * (Math.random, Date.now, console.log) or read traced values (Number(x)); list methods that
 * change the list they are called on (xs.push(v)), whose new value the caller assigns.
 */
import type ts from "typescript";
import type { Interpreter } from "./interpreter.js";
import { arrayOf, itemsOf, join, num, seqOf, unionDeps, unknown, type ListValue, type SeqValue, type Value } from "./values.js";

const MAX_UNROLL = 64;
const PURE_MATH: Record<string, (...xs: number[]) => number> = {
  floor: Math.floor, ceil: Math.ceil, round: Math.round, sqrt: Math.sqrt, abs: Math.abs, max: Math.max, min: Math.min,
  log: Math.log, exp: Math.exp, pow: Math.pow, trunc: Math.trunc, sign: Math.sign, log2: Math.log2, cbrt: Math.cbrt,
};

export function callBuiltin(it: Interpreter, path: string, self: Value | undefined, args: readonly Value[], node: ts.CallExpression): Value {
  const [ns, name = ""] = path.slice(1).split(".") as [string, string?];
  switch (ns) {
    case "Math": {
      if (name === "random") {
        it.impureCall(node, "Math.random()", "runs once, while tracing: every call of the compiled function reuses that one number. Draw with random.* and a key instead");
        return num();
      }
      for (const a of args) it.concretize(node, `Math.${name}()`, a);
      const f = PURE_MATH[name];
      const xs = args.map((a) => (a.kind === "number" ? a.value : undefined));
      return f !== undefined && xs.every((x) => x !== undefined) ? num(f(...(xs as number[]))) : num();
    }
    case "Date":
    case "performance":
      if (name === "now") it.impureCall(node, `${ns}.now()`, "is read once, while tracing: the compiled function sees a constant");
      return num();
    case "console":
      it.impureCall(node, `console.${name}()`, "runs once, while tracing, and prints tracers rather than values; print the results outside the jit-compiled function");
      return { kind: "null" };
    case "Number": case "parseFloat": case "parseInt": case "Boolean":
      if (!name) { for (const a of args) it.concretize(node, `${ns}(x)`, a); return ns === "Boolean" ? { kind: "bool" } : num(); }
      return unknown;
    case "String": return { kind: "string" };
    case "JSON": return { kind: "string" };
    case "Array":
      if (name === "from" && args[0]?.kind === "object" && args[1]) {
        const n = args[0].fields.get("length");
        if (n?.kind === "number" && n.value !== undefined && n.value <= MAX_UNROLL) {
          return { kind: "list", items: Array.from({ length: n.value }, (_, i) => it.callValue(args[1]!, [unknown, num(i)], node)) };
        }
      }
      return unknown;
    case "Object": return objectMethod(name, args[0]);
    case "list":
      if (self?.kind === "list") return listMethod(it, name, self.items, args, node);
      if (self?.kind === "seq") return seqMethod(it, name, self.item, args, node);
      return unknown;
    case "at": {
      // x.at(i).set(v) / .add(v): a new array with x's shape and dtype.
      if (self?.kind !== "array") return unknown;
      if (name === "get") return arrayOf(null, self.dtype, { traced: self.traced, deps: self.deps });
      return arrayOf(self.shape, self.dtype, { traced: self.traced || it.inJit, deps: unionDeps([self, ...args]), origin: { op: `x.at(…).${name}`, rule: "shape of x" } });
    }
    default: return unknown;
  }
}

function listMethod(it: Interpreter, name: string, items: readonly Value[], args: readonly Value[], node: ts.CallExpression): Value {
  const fn = args[0];
  const list: Value = { kind: "list", items };
  const each = (f: (item: Value, i: number) => Value): Value[] | undefined => {
    if (!fn || (fn.kind !== "function" && fn.kind !== "transformed" && fn.kind !== "engine")) return undefined;
    if (items.length > MAX_UNROLL) { const one = items.reduce(join); f(one, -1); return undefined; }
    return items.map(f);
  };
  switch (name) {
    case "map": {
      if (items.length > MAX_UNROLL && fn && (fn.kind === "function" || fn.kind === "transformed" || fn.kind === "engine")) return seqOf(it.callValue(fn, [items.reduce(join), num(), list], node));
      const out = each((x, i) => it.callValue(fn!, [x, i < 0 ? num() : num(i), list], node));
      return out ? { kind: "list", items: out } : unknown;
    }
    case "filter": {
      if (!items.length) return list;
      if (fn && (fn.kind === "function" || fn.kind === "transformed")) each((x, i) => it.callValue(fn, [x, i < 0 ? num() : num(i), list], node));
      return seqOf(items.reduce(join));
    }
    case "forEach": each((x, i) => it.callValue(fn!, [x, i < 0 ? num() : num(i), list], node)); return { kind: "null" };
    case "entries": return { kind: "list", items: items.map((x, i) => ({ kind: "list", items: [num(i), x] })) };
    case "keys": return { kind: "list", items: items.map((_, i) => num(i)) };
    case "values": case "slice": {
      if (name === "values") return list;
      const a = args[0]?.kind === "number" ? args[0].value : 0;
      const b = args[1]?.kind === "number" ? args[1].value : items.length;
      return a !== undefined && b !== undefined ? { kind: "list", items: items.slice(a, b) } : unknown;
    }
    case "concat": {
      const more = args.flatMap((a) => (a.kind === "list" ? a.items : [a]));
      return args.every((a) => a.kind === "list" || a.kind === "array") ? { kind: "list", items: [...items, ...more] } : unknown;
    }
    case "reduce": {
      if (!fn || items.length > MAX_UNROLL) return unknown;
      let acc: Value | undefined = args[1];
      items.forEach((x, i) => { acc = acc === undefined ? x : it.callValue(fn, [acc, x, num(i), list], node); });
      return acc ?? unknown;
    }
    case "includes": case "some": case "every": it.maybeCallbacks(args, node); return { kind: "bool" };
    case "indexOf": case "findIndex": case "push": case "unshift": it.maybeCallbacks(args, node); return num();
    case "join": return { kind: "string" };
    default: it.maybeCallbacks(args, node); return unknown;
  }
}

/** Methods of a list of unknown length: callbacks run once on the summary item. */
function seqMethod(it: Interpreter, name: string, item: Value, args: readonly Value[], node: ts.CallExpression): Value {
  const fn = args[0];
  const callable = fn && (fn.kind === "function" || fn.kind === "transformed" || fn.kind === "engine");
  const self: Value = seqOf(item);
  switch (name) {
    case "map": return callable ? seqOf(it.maybeCall(fn, [item, num(), self], node)) : unknown;
    case "forEach": if (callable) it.maybeCall(fn, [item, num(), self], node); return { kind: "null" };
    case "filter": case "slice": case "values": case "concat":
      if (name === "filter" && callable) it.maybeCall(fn, [item, num(), self], node);
      if (name === "concat") { const more = args.flatMap((a) => (a.kind === "list" ? a.items : a.kind === "seq" ? [a.item] : [a])); return seqOf([item, ...more].reduce(join)); }
      return self;
    case "includes": case "some": case "every": it.maybeCallbacks(args, node); return { kind: "bool" };
    case "indexOf": case "findIndex": it.maybeCallbacks(args, node); return num();
    case "join": return { kind: "string" };
    default: it.maybeCallbacks(args, node); return unknown;
  }
}

function objectMethod(name: string, obj: Value | undefined): Value {
  if (obj?.kind !== "object") return unknown;
  switch (name) {
    case "keys": return { kind: "list", items: [...obj.fields.keys()].map((k) => ({ kind: "string", value: k })) };
    case "values": return { kind: "list", items: [...obj.fields.values()] };
    case "entries": return { kind: "list", items: [...obj.fields].map(([k, v]) => ({ kind: "list", items: [{ kind: "string", value: k }, v] })) };
    default: return unknown;
  }
}

// ---- list methods that change the list in place ----------------------------------------------

/** JS array methods that change the array they are called on. */
export const LIST_MUTATORS = new Set(["push", "unshift", "pop", "shift", "splice", "sort", "reverse", "fill", "copyWithin"]);

/** The list after `xs.<name>(...args)`. */
export function mutatedList(self: ListValue | SeqValue, name: string, args: readonly Value[]): Value {
  const all = (extra: readonly Value[]) => { const xs = [...itemsOf(self), ...extra]; return xs.length ? seqOf(xs.reduce(join)) : self; };
  if (self.kind === "seq") return name === "push" || name === "unshift" || name === "fill" || name === "splice" ? all(name === "fill" ? args.slice(0, 1) : name === "splice" ? args.slice(2) : args) : self;
  switch (name) {
    case "push": return { kind: "list", items: [...self.items, ...args] };
    case "unshift": return { kind: "list", items: [...args, ...self.items] };
    case "pop": return { kind: "list", items: self.items.slice(0, -1) };
    case "shift": return { kind: "list", items: self.items.slice(1) };
    case "reverse": return { kind: "list", items: [...self.items].reverse() };
    case "sort": case "copyWithin": { const j = self.items.length ? self.items.reduce(join) : undefined; return { kind: "list", items: self.items.map(() => j!) }; }
    case "fill": return args[1] === undefined && args[2] === undefined ? { kind: "list", items: self.items.map(() => args[0] ?? unknown) } : all(args.slice(0, 1));
    default: return all(args.slice(2));
  }
}

/** What `xs.<name>(...args)` returns. */
export function mutatorResult(self: ListValue | SeqValue, name: string, args: readonly Value[]): Value {
  switch (name) {
    case "push": case "unshift": return self.kind === "list" ? num(self.items.length + args.length) : num();
    case "pop": return self.kind === "list" ? self.items[self.items.length - 1] ?? { kind: "null" } : self.item;
    case "shift": return self.kind === "list" ? self.items[0] ?? { kind: "null" } : self.item;
    case "splice": return seqOf(itemsOf(self).length ? itemsOf(self).reduce(join) : unknown);
    default: return self;
  }
}
