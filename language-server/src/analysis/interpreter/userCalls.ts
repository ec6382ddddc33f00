/**
 * Calls of the user's functions: each call runs the body with the call's argument values (the
 * hints join over calls), memoized by callee and arguments. A function with shape annotations
 * runs generically: its annotated parameters take the annotation's symbolic shapes (B, N), each
 * call site checks its arguments against them and gets the result with the symbols bound to its
 * own sizes.
 */
import ts from "typescript";
import type { Interpreter } from "../interpreter.js";
import type { Closure, Frame, ModuleRecord } from "./frames.js";
import { Scope } from "../scope.js";
import { arrayOf, mapLeaves, unknown, type ArrayValue, type UserFunctionValue, type Value } from "../values.js";
import type { Dim } from "../engineShapes.js";
import type { CallMode } from "../callContext.js";
import { matchAnnotation, readAnnotation, type ShapeAnnotation } from "../annotations.js";
import { execBlock, resultHint } from "./statements.js";
import { bindPattern } from "./patterns.js";
import { skipParens } from "./syntax.js";

/** Deeper than this many nested user calls, a call's result is unknown (as is a recursive call's). */
export const MAX_CALL_DEPTH = 24;

/** `standalone`: a function analyzed on its own, no call reached it (its arguments come from annotations). */
export type UserCallMode = CallMode & { standalone?: boolean };

export function makeFunction(it: Interpreter, decl: ts.Node, closure: Closure): UserFunctionValue {
  const d = decl as ts.FunctionLikeDeclaration;
  const name = d.name && ts.isIdentifier(d.name) ? d.name.text : ts.isVariableDeclaration(decl.parent) && ts.isIdentifier(decl.parent.name) ? decl.parent.name.text : "function";
  return { kind: "function", id: it.nextId(), decl, closure, name };
}

/** Analyzes a user function with the call's argument values. */
export function callUser(it: Interpreter, fn: UserFunctionValue, args: readonly Value[], node: ts.CallExpression | undefined, mode: UserCallMode = {}): Value {
  const decl = fn.decl as ts.FunctionLikeDeclaration;
  const closure = fn.closure as Closure;
  if (!decl.body) return unknown;
  if (it.callStack.length >= MAX_CALL_DEPTH || it.callStack.includes(decl)) return unknown;
  const generic = genericArgs(it, fn, args, node, mode);
  if (generic) args = generic.args;
  const bound = generic?.bound;
  const quiet = !!mode.quiet || it.frame.quiet;
  const jit = !!mode.jit || it.frame.jit;
  const key = `${fn.id}|${(decl as ts.Node).pos}|${quiet}|${jit}|${it.gradDepth}|${it.moduleCtx?.id ?? ""}|${args.map(valueKey).join(";")}`;
  const cached = it.memo.get(key);
  if (cached) return bound ? bindSymbols(cached, bound) : cached;
  if (closure.module.file === it.target && !quiet) it.visited.add(decl);
  const fnDepth = it.callStack.length + 1;
  const frame: Frame = { fnDepth, jit, jitFnDepth: mode.jit ? fnDepth : it.frame.jitFnDepth, quiet, module: closure.module, returns: undefined };
  it.callStack.push(decl);
  if (node) it.callSites.push(node);
  try {
    const out = it.withFrame(frame, () => runBody(it, decl, new Scope(closure.scope, fnDepth), args, mode, key));
    return bound ? bindSymbols(out, bound) : out;
  } finally {
    it.callStack.pop();
    if (node) it.callSites.pop();
    // PRNG key uses are not restored: keys created inside a call stay tracked, and uses of the caller's keys count.
  }
}

/**
 * The arguments an annotated function runs with (the annotations' symbolic shapes in place of
 * the arguments' own), and the symbols the call site's arguments bind (checked against the
 * annotations). Undefined for a function without shape annotations, or one analyzed on its own.
 */
function genericArgs(it: Interpreter, fn: UserFunctionValue, args: readonly Value[], node: ts.CallExpression | undefined, mode: UserCallMode): { args: Value[]; bound: Map<string, Dim> } | undefined {
  const decl = fn.decl as ts.FunctionLikeDeclaration;
  const module = (fn.closure as Closure).module;
  const annotations = decl.parameters.map((p) => annotationOf(p, module));
  if (!annotations.some((a) => a?.shape) || mode.standalone) return undefined;
  const bound = node ? checkAnnotatedArgs(it, decl, args, node, module) : new Map<string, Dim>();
  const generic = standaloneArgs(it, decl, fn);
  return {
    bound,
    args: args.map((a, i) => {
      const ann = annotations[i];
      if (!ann?.shape) return a;
      const g = generic[i] as ArrayValue;
      return a.kind === "array" ? { ...a, shape: g.shape, dtype: g.dtype ?? a.dtype, origin: g.origin } : g;
    }),
  };
}

/** Binds the parameters and runs the body (in the callee's frame); the result is memoized when the call can be. */
function runBody(it: Interpreter, decl: ts.FunctionLikeDeclaration, scope: Scope, args: readonly Value[], mode: UserCallMode, key: string): Value {
  const writesBefore = it.outerWrites;
  const keysBefore = it.keyConsumes;
  decl.parameters.forEach((p, i) => {
    let v: Value = p.dotDotDotToken ? { kind: "list", items: args.slice(i) } : args[i] ?? { kind: "null" };
    if (p.initializer && (v.kind === "null" || (v.kind === "unknown" && mode.standalone))) v = it.eval(p.initializer, scope);
    bindPattern(it, p.name, v, scope, false);
    if (!p.type && ts.isIdentifier(p.name)) it.hint(p.name, v, p.name.text);
  });
  let result: Value;
  if (ts.isBlock(decl.body!)) {
    execBlock(it, decl.body.statements, scope);
    result = it.frame.returns ?? { kind: "null" };
  } else {
    result = it.eval(decl.body!, scope);
    if (ts.isCallExpression(skipParens(decl.body!))) resultHint(it, decl.body!, result);
  }
  // A call that wrote to its enclosing scopes, or consumed keys, must run again to do so again.
  if (it.outerWrites === writesBefore && it.keyConsumes === keysBefore) it.memo.set(key, result);
  return result;
}

function checkAnnotatedArgs(it: Interpreter, decl: ts.FunctionLikeDeclaration, args: readonly Value[], node: ts.CallExpression, mod: ModuleRecord): Map<string, Dim> {
  const bound = new Map<string, Dim>();
  decl.parameters.forEach((p, i) => {
    const ann = annotationOf(p, mod);
    const a = args[i];
    if (!ann?.shape || a?.kind !== "array" || !a.shape) return;
    const problem = matchAnnotation(ann.shape, a.shape, bound);
    if (problem) {
      it.report(node.arguments[i] ?? node, "error", "shape/argument",
        `argument \`${p.name.getText()}\` of ${decl.name?.getText() ?? "the function"} is annotated ${ann.text}: ${problem}.`);
    }
  });
  return bound;
}

/** Arguments for a function analyzed on its own: from shape annotations, else unknown. */
export function standaloneArgs(it: Interpreter, decl: ts.SignatureDeclaration, fn: UserFunctionValue): Value[] {
  const mod = (fn.closure as Closure).module;
  return decl.parameters.map((p) => {
    const ann = annotationOf(p, mod);
    if (!ann) return unknown;
    if (ann.shape === null && ann.dtype === null && !ann.key) return arrayOf(null, null);
    return arrayOf(ann.shape, ann.dtype, {
      keyId: ann.key ? `param:${p.pos}:${it.nextId()}` : undefined,
      origin: { op: `parameter ${p.name.getText()}`, rule: "annotation", detail: ann.text },
    });
  });
}

/** A parameter's shape annotation (`x: f32<"B 784">`), read only when the type is the engine's. */
function annotationOf(p: ts.ParameterDeclaration, mod: ModuleRecord): ShapeAnnotation | undefined {
  return readAnnotation(p.type, (local) => mod.engineNames.has(local.split(".")[0]!));
}

/** A generic result with the call site's sizes for its symbols; dims built from them become "?". */
function bindSymbols(v: Value, bound: ReadonlyMap<string, Dim>): Value {
  if (bound.size === 0) return v;
  return mapLeaves(v, (leaf) => {
    if (leaf.kind !== "array" || !leaf.shape) return leaf;
    const shape = leaf.shape.map((d) => {
      if (typeof d !== "string") return d;
      const b = bound.get(d);
      if (b !== undefined) return b;
      return d.split(/[*+]/).some((f) => bound.has(f)) ? "?" : d;
    });
    return { ...leaf, shape };
  });
}

/** A key for memoizing calls: what the callee can observe of its arguments. */
function valueKey(v: Value, depth = 0): string {
  if (depth > 4) return "…";
  switch (v.kind) {
    case "array": return `A${v.shape?.join(",") ?? "*"}:${v.dtype}:${v.traced ? 1 : 0}:${v.keyId ?? ""}:${[...v.deps].join(",")}`;
    case "number": return `N${v.value ?? ""}:${v.dim ?? ""}`;
    case "string": return `S${v.value ?? ""}`;
    case "bool": return `B${v.value ?? ""}`;
    case "list": return `[${v.items.map((x) => valueKey(x, depth + 1)).join(",")}]`;
    case "seq": return `[${valueKey(v.item, depth + 1)}*]`;
    case "object": return `{${[...v.fields].map(([k, x]) => `${k}=${valueKey(x, depth + 1)}`).join(",")}}`;
    case "function": return `F${v.id}`;
    case "engine": return `E${v.path}`;
    case "transformed": return `T${v.transform}${valueKey(v.fn, depth + 1)}`;
    case "class": return `C${v.id}`;
    case "module": return `M${v.id}`;
    default: return v.kind;
  }
}
