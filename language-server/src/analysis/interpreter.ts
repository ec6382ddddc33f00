/**
 * The abstract interpreter: walks the TypeScript AST of the user's program computing abstract
 * values (shapes, dtypes, keys, gradient dependencies) instead of running it. It never executes
 * user code and never throws on broken code: what it cannot read becomes "unknown".
 *
 * This class holds one analysis's state and its entry points; the work is in interpreter/, one
 * concept per file (statements, loops, expressions, calls, purity, keys...). Those files take
 * the interpreter as their first argument and import this file only as a type; where they recurse
 * into each other (a call runs statements that evaluate expressions that call) they go through
 * the methods here, so no file imports another in a cycle.
 */
import type ts from "typescript";
import { Journal, type Scope } from "./scope.js";
import { join, type ModuleValue, type TransformedValue, type UserFunctionValue, type Value } from "./values.js";
import type { ModuleCtx } from "./modules.js";
import type { CallMode, CallSite } from "./callContext.js";
import type { DiagnosticItem, FixItem, Severity } from "./results.js";
import { rangeOf } from "./ranges.js";
import { neededStatements, type Focus } from "./focus.js";
import type { Closure, Frame, ModuleRecord } from "./interpreter/frames.js";
import { exec } from "./interpreter/statements.js";
import { evaluate } from "./interpreter/expressions.js";
import { callValue, maybeCall, maybeCallbacks } from "./interpreter/calls.js";
import { callSite } from "./interpreter/engineCalls.js";
import { makeFunction } from "./interpreter/userCalls.js";
import { moduleMethod } from "./interpreter/classes.js";
import { concretize, impureCall } from "./interpreter/purity.js";
import { consumeKey } from "./interpreter/keys.js";
import { loadModule } from "./interpreter/imports.js";
import { analyzeUncalled } from "./interpreter/uncalled.js";

export type { Closure, Frame, ModuleRecord } from "./interpreter/frames.js";

export interface ModuleHost {
  /** The program's source file that an import of `spec` from `from` resolves to (user code only). */
  resolveModule(spec: string, from: ts.SourceFile): ts.SourceFile | undefined;
}

export interface GradEvent { readonly kind: "stop" | "zero"; readonly node: ts.Node; readonly op: string; readonly deps: ReadonlySet<string> }

export class BudgetExceeded extends Error {}

export class Interpreter {
  // ---- what the analysis found, for the editor ----
  readonly hints = new Map<number, { node: ts.Node; value: Value; name?: string }>();
  readonly hovers = new Map<number, { node: ts.Node; value: Value }>();
  readonly diagnostics = new Map<string, DiagnosticItem>();
  readonly gradLenses = new Map<ts.Node, string>();
  /** Gradient-flow summaries by grad call, for its hover. */
  readonly gradNotes = new Map<ts.CallExpression, string>();

  // ---- working state of interpreter/ ----
  /** Function nodes of the target file some call reached (the others are analyzed on their own: uncalled.ts). */
  readonly visited = new Set<ts.Node>();
  /** The scope each function node was created in. */
  readonly createdIn = new Map<ts.Node, Closure>();
  /** Transformed functions (grad(f)) not called yet: analyzed at the end if no call reached them. */
  readonly pendingTransforms = new Map<ts.Node, TransformedValue>();
  gradEvents: GradEvent[] | undefined;
  gradDepth = 0;
  /** The module whose init/apply is running (Flax-style modules), if any. */
  moduleCtx: ModuleCtx | undefined;
  readonly journal = new Journal();
  /** User modules by file name (imports.ts). */
  readonly modules = new Map<string, ModuleRecord>();
  /** The function (or module top level) running. */
  frame!: Frame;
  /** Declarations of the user functions and constructors running (recursion and depth limits). */
  readonly callStack: ts.Node[] = [];
  /** Results of user-function calls by callee and argument values (userCalls.ts). */
  readonly memo = new Map<string, Value>();
  /** Where each PRNG key was consumed: the chain of call sites from the outermost, ending at the consuming call. */
  keyUses = new Map<string, readonly ts.Node[]>();
  /** Call sites of the user functions being analyzed (outermost first). */
  readonly callSites: ts.Node[] = [];
  /** Key consumptions so far (calls that consume keys are not memoized: each call consumes again). */
  keyConsumes = 0;
  /** Writes since the analysis began to bindings of an enclosing function (calls that make them are not memoized). */
  outerWrites = 0;
  /** The target's top-level statements a focused analysis runs (undefined: all). */
  readonly needed: Set<ts.Statement> | undefined;
  private steps = 0;
  private ids = 0;

  constructor(readonly target: ts.SourceFile, readonly host: ModuleHost, readonly focus?: Focus, private readonly budget = 500_000) {
    this.needed = focus ? neededStatements(target, focus) : undefined;
  }

  run(): void {
    const mod = loadModule(this, this.target, false);
    analyzeUncalled(this, mod);
  }

  /** A fresh id for a function or class value. */
  nextId(): number { return ++this.ids; }

  /** Counts one step of work; past the budget the analysis stops (BudgetExceeded). */
  tick(): void {
    if (++this.steps > this.budget) throw new BudgetExceeded("analysis budget exceeded");
  }

  withFrame<T>(frame: Frame, run: () => T): T {
    const saved = this.frame;
    this.frame = frame;
    try { return run(); } finally { this.frame = saved; }
  }

  get inJit(): boolean { return this.frame.jit; }

  localEngineName(path: string): string | undefined {
    for (const [local, p] of this.frame.module.engineNames) if (p === path) return local;
    return undefined;
  }

  // ---- recording (only the target file, outside quiet visits) ----

  private get recording(): boolean {
    return !this.frame.quiet && this.frame.module.file === this.target;
  }

  report(node: ts.Node, severity: Severity, code: string, message: string, fixes: readonly FixItem[] = []): void {
    if (!this.recording) return;
    const key = `${node.pos}:${node.end}:${code}`;
    if (this.diagnostics.has(key)) return;
    this.diagnostics.set(key, { range: rangeOf(node, this.target), severity, code, message, fixes });
  }

  /** An inlay hint after `nameNode`; every visit joins in, so a hint holds on all paths. */
  hint(nameNode: ts.Node, value: Value, name?: string): void {
    if (!this.recording) return;
    const prev = this.hints.get(nameNode.end);
    this.hints.set(nameNode.end, { node: nameNode, value: prev ? join(prev.value, value) : value, name });
  }

  hover(node: ts.Node, value: Value): void {
    if (!this.recording || value.kind === "unknown") return;
    const prev = this.hovers.get(node.pos);
    this.hovers.set(node.pos, { node, value: prev ? join(prev.value, value) : value });
  }

  // ---- entry points: where interpreter/ recurses, and what the engine-call handlers call back ----

  /** Runs a statement; true when control does not continue after it (return, throw, break). */
  exec(st: ts.Statement, scope: Scope): boolean { return exec(this, st, scope); }
  eval(e: ts.Expression, scope: Scope): Value { return evaluate(this, e, scope); }
  callValue(fn: Value, args: readonly Value[], node: ts.CallExpression | undefined, mode: CallMode = {}): Value { return callValue(this, fn, args, node, mode); }
  maybeCall(fn: Value, args: readonly Value[], node: ts.CallExpression | undefined, mode: CallMode = {}): Value { return maybeCall(this, fn, args, node, mode); }
  maybeCallbacks(args: readonly Value[], node: ts.CallExpression | undefined): void { maybeCallbacks(this, args, node); }
  callSite(node: ts.CallExpression, path: string, args: readonly Value[]): CallSite { return callSite(this, node, path, args); }
  makeFunction(decl: ts.Node, closure: Closure): UserFunctionValue { return makeFunction(this, decl, closure); }
  moduleMethod(m: ModuleValue, name: string): UserFunctionValue | undefined { return moduleMethod(this, m, name); }
  concretize(node: ts.Node, what: string, v: Value | undefined): void { concretize(this, node, what, v); }
  impureCall(node: ts.Node, what: string, why: string): void { impureCall(this, node, what, why); }
  consumeKeyAt(key: Value | undefined, node: ts.Node): void { consumeKey(this, key, node); }
}
