/**
 * Calls of the engine's functions and methods: the special forms (x.at(...).set, module
 * init/apply, Flax layers, pooling, jvp/vjp, optimizers, JS built-ins, methods that read a
 * traced value), transformations (grad(f) is a value: transforms.ts runs it when called), and
 * every other function read through the engine's declared signature and handled by its shape
 * rule (engineApi.ts), or an unknown array with the reason when the server has no rule.
 */
import type ts from "typescript";
import type { Interpreter } from "../interpreter.js";
import { anyTraced, arrayOf, leavesOf, num, unionDeps, unknown, type EngineValue, type TransformedValue, type Value } from "../values.js";
import type { CallSite } from "../callContext.js";
import { engineHandler } from "../engineApi.js";
import { checkDeclaredCall, signatureOf, transformOptions, unknownFunction } from "../declaredArgs.js";
import { atUpdate } from "../indexing.js";
import { applyModule, callModule, initModule, LAYERS, newModule, pool } from "../modules.js";
import { callBuiltin } from "../jsBuiltins.js";
import { AD_CALLS, callAd, callAdResult, callControlFlow, isControlFlow, TRANSFORMS } from "../transforms.js";
import { applyUpdates, OPTIMIZERS, optimizer, optimizerMethod } from "../optimizers.js";
import { declaredPath, GAP_TEXT, UNMODELED } from "../coverage.js";
import { ARRAY_METHODS } from "../engineShapes.js";
import { consumeKey } from "./keys.js";
import { concretize } from "./purity.js";

export function callEngine(it: Interpreter, fn: EngineValue, args: readonly Value[], node: ts.CallExpression): Value {
  const special = specialForm(it, fn, args, node);
  if (special) return special;
  const transform = TRANSFORMS[fn.path];
  if (transform) return transformation(it, fn.path, transform, args, node);
  return declaredCall(it, fn, args, node);
}

/** The calls that are not "a function with a shape rule"; undefined for those that are. */
function specialForm(it: Interpreter, fn: EngineValue, args: readonly Value[], node: ts.CallExpression): Value | undefined {
  const path = fn.path;
  if (path.startsWith("$at.") && fn.self?.kind === "array") return atUpdate(callSite(it, node, `x.at(…).${path.slice(4)}`, args), fn.self, fn.bound ?? [], path.slice(4));
  if (path.startsWith("$ad.")) return callAdResult(it, path, fn.self);
  if (path.startsWith("$module.") && fn.self?.kind === "module") {
    const m = fn.self;
    if (path === "$module.init") return initModule(it, m, args, node);
    if (path === "$module.apply") return applyModule(it, m, args, node);
    return callModule(it, m, args, node);
  }
  if (path.startsWith("nn.") && LAYERS.has(path.slice(3))) return newModule(path.slice(3), undefined, args);
  if (path === "nn.avgPool" || path === "nn.maxPool" || path === "nn.minPool" || path === "nn.avg_pool" || path === "nn.max_pool") return pool(callSite(it, node, path, args));
  if (AD_CALLS.has(path)) return callAd(it, path, args, node);
  if (path === "optim.applyUpdates") return applyUpdates(args, it.frame.jit);
  if (path.startsWith("optim.") && OPTIMIZERS.has(path.slice(6))) return optimizer(path.slice(6), args);
  if (path === "$optim.init" || path === "$optim.update") return optimizerMethod(fn.self, path.slice(7), args, it.frame.jit);
  if (path.startsWith("$")) return callBuiltin(it, path, fn.self, args, node);
  if (path.startsWith("array.")) return arrayMethod(it, path.slice(6), fn, args, node);
  return undefined;
}

/** Array methods that are not shape rules: reads of the value (concretization under jit), `x.at(i)`, no-ops. */
function arrayMethod(it: Interpreter, m: string, fn: EngineValue, args: readonly Value[], node: ts.CallExpression): Value | undefined {
  if (m === "item" || m === "dataSync" || m === "tolist" || m === "data" || m === "arraySync" || m === "valueOf" || m === "toString") {
    concretize(it, node, `\`.${m}()\``, fn.self);
    return m === "item" ? num() : unknown;
  }
  if (m === "at") return { kind: "engine", path: "$at", self: fn.self, bound: args };
  if (m === "dispose" || m === "block" || m === "blockUntilReady") return fn.self ?? unknown;
  return undefined;
}

/** `grad(f, ...)`, `jit(f)`, `vmap(f)`...: a transformed-function value, analyzed when called (or at the end). */
function transformation(it: Interpreter, path: string, transform: TransformedValue["transform"], args: readonly Value[], node: ts.CallExpression): Value {
  // The transformation's options as the engine reads them (grad(f, 1) is grad(f, { argnums: 1 })).
  const sig = signatureOf(path === "value_and_grad" ? "valueAndGrad" : path);
  const checked = sig && checkDeclaredCall(sig, args, node.arguments);
  if (checked) for (const p of checked.problems) it.report(node, "error", "engine/arguments", p, []);
  const t: TransformedValue = { kind: "transformed", transform, fn: args[0] ?? unknown, options: checked ? transformOptions(checked) : args[1], site: node };
  if (args[0]?.kind === "function" || args[0]?.kind === "transformed") it.pendingTransforms.set(node, t);
  return t;
}

/**
 * A function or method the engine declares: what the engine would reject is reported (and the
 * result is unknown, as the engine throws); what it accepts is read in the declared order and
 * handed to its rule.
 */
function declaredCall(it: Interpreter, fn: EngineValue, args: readonly Value[], node: ts.CallExpression): Value {
  const path = fn.path;
  let full: readonly Value[] = fn.self ? [fn.self, ...args] : args;
  const sig = signatureOf(path);
  const missing = sig ? undefined : unknownFunction(path);
  if (missing) { it.report(node, "error", "engine/unknown-function", missing, []); return unknown; }
  const checked = sig && checkDeclaredCall(sig, full, fn.self ? [node.expression, ...node.arguments] : node.arguments, path.startsWith("array.") ? path.slice(6) : undefined);
  if (checked) {
    for (const p of checked.problems) it.report(node, "error", "engine/arguments", p, []);
    if (checked.problems.length) return unknown;
    if (!isControlFlow(path)) full = checked.args;
  }
  const site = callSite(it, node, path, full);
  if (isControlFlow(path)) return callControlFlow(it, path, site);
  const handler = engineHandler(path);
  return handler ? handler(site) : unmodeled(it, path, args, full, node);
}

/** An array the server has no rule for: unknown shape and dtype, with the reason for the hover. */
function unmodeled(it: Interpreter, path: string, args: readonly Value[], full: readonly Value[], node: ts.CallExpression): Value {
  it.maybeCallbacks(args, node);
  const gap = UNMODELED.get(declaredPath(path.startsWith("array.") ? `np.${ARRAY_METHODS[path.slice(6)] ?? path.slice(6)}` : path));
  if (!gap || gap === "not-an-array") return unknown;
  const inputs = full.flatMap((a) => leavesOf(a).map((l) => l.leaf));
  return arrayOf(null, null, { traced: it.frame.jit || anyTraced(inputs), deps: unionDeps(inputs), origin: { op: path.replace(/^array\./, "x."), rule: `not modeled — ${GAP_TEXT[gap]}` } });
}

/** What an engine-call handler sees of this call, and its way back into the interpreter. */
export function callSite(it: Interpreter, node: ts.CallExpression, path: string, args: readonly Value[]): CallSite {
  return {
    node, path, args,
    argNodes: node.arguments,
    inJit: it.frame.jit,
    inGrad: it.gradDepth > 0,
    report: (code, message, severity = "error", fixes = [], at) => it.report(at ?? node, severity, code, message, fixes),
    call: (fn, a, mode) => it.callValue(fn, a, node, mode),
    consumeKey: (key) => consumeKey(it, key, node),
    cutGradient: (kind, values) => cutGradient(it, kind, values, node, path),
    localName: (p) => it.localEngineName(p),
    text: (n) => n.getText(it.frame.module.file),
  };
}

/** Differentiable dependencies stopped at `node`, recorded while a grad'd function is analyzed (gradFlow.ts). */
function cutGradient(it: Interpreter, kind: "stop" | "zero", values: readonly Value[], node: ts.Node, path: string): void {
  if (!it.gradEvents) return;
  const deps = new Set<string>();
  for (const v of values) if (v.kind === "array") for (const d of v.deps) deps.add(d);
  if (deps.size) it.gradEvents.push({ kind, node, op: path.replace(/^array\./, "x."), deps });
}
