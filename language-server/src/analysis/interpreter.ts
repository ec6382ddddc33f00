/**
 * The abstract interpreter: walks the TypeScript AST of the user's program computing abstract
 * values (shapes, dtypes, keys, gradient dependencies) instead of running it. It never executes
 * user code and never throws on broken code: what it cannot read becomes "unknown".
 */
import ts from "typescript";
import { Journal, Scope, type Binding } from "./scope.js";
import type { Dim } from "./engineShapes.js";
import {
  anyTraced, arrayOf, sameValue, isArray, itemsOf, join, leavesOf, mapLeaves, unionDeps, num, seqOf, unknown, type ArrayValue, type ListValue, type SeqValue, type EngineValue, type ModuleValue, type ObjectValue, type TransformedValue, type ClassValue, type UserFunctionValue, type Value,
} from "./values.js";
import { arrayProperty, engineHandler } from "./engineApi.js";
import { checkDeclaredCall, signatureOf, transformOptions, unknownFunction } from "./declaredArgs.js";
import { atUpdate } from "./indexing.js";
import { applyModule, callModule, initModule, LAYERS, moduleAttribute, newModule, pool, type ModuleCtx } from "./modules.js";
import type { CallMode, CallSite } from "./callContext.js";
import type { DiagnosticItem, FixItem, Severity } from "./results.js";
import { rangeOf } from "./ranges.js";
import { matchAnnotation, readAnnotation, type ShapeAnnotation } from "./annotations.js";
import { callBuiltin } from "./jsBuiltins.js";
import { AD_CALLS, callAd, callAdResult, callControlFlow, callTransformed, isControlFlow, TRANSFORMS } from "./transforms.js";
import { arrayConditionFixes } from "./purityFixes.js";
import { neededStatements, statementsForNames, type Focus } from "./focus.js";
import { applyUpdates, OPTIMIZERS, optimizer, optimizerMethod } from "./optimizers.js";
import { declaredPath, GAP_TEXT, UNMODELED } from "./coverage.js";
import { ARRAY_METHODS } from "./engineShapes.js";

export interface ModuleHost {
  /** The program's source file that an import of `spec` from `from` resolves to (user code only). */
  resolveModule(spec: string, from: ts.SourceFile): ts.SourceFile | undefined;
}

interface ModuleRecord {
  readonly file: ts.SourceFile;
  readonly scope: Scope;
  readonly exports: Map<string, Value>;
  /** Local names bound to engine exports: local -> engine path ("np", "grad", "f32"). */
  readonly engineNames: Map<string, string>;
  done: boolean;
  /** Top-level statements not run yet (an import needed only some names), and those names. */
  readonly skipped: ts.Statement[];
  seeds: ReadonlySet<string> | undefined;
}

interface Closure { readonly scope: Scope; readonly module: ModuleRecord }

interface Frame {
  readonly fnDepth: number;
  readonly jit: boolean;
  /** fnDepth of the function jit was applied to: writes to bindings above it are captured writes. */
  readonly jitFnDepth: number;
  readonly quiet: boolean;
  readonly module: ModuleRecord;
  returns: Value | undefined;
  /** break/continue snapshots of the innermost loop. */
  loopExits?: Map<Binding, Value>[];
}

export interface GradEvent { readonly kind: "stop" | "zero"; readonly node: ts.Node; readonly op: string; readonly deps: ReadonlySet<string> }

export class BudgetExceeded extends Error {}

const ENGINE_MODULE = /^tensorlens(\/.*)?$/;
const GLOBALS = new Set(["Math", "console", "Date", "Number", "performance", "Object", "Array", "JSON", "parseFloat", "parseInt",
  "Boolean", "String", "Promise", "process", "crypto", "Symbol"]);
const MAX_CALL_DEPTH = 24;

export class Interpreter {
  readonly hints = new Map<number, { node: ts.Node; value: Value; name?: string }>();
  readonly hovers = new Map<number, { node: ts.Node; value: Value }>();
  readonly diagnostics = new Map<string, DiagnosticItem>();
  readonly gradLenses = new Map<ts.Node, string>();
  /** Gradient-flow summaries by grad call, for its hover. */
  readonly gradNotes = new Map<ts.CallExpression, string>();
  /** Function nodes visited in the target file, and the scope each was created in. */
  readonly visited = new Set<ts.Node>();
  readonly createdIn = new Map<ts.Node, Closure>();
  readonly pendingTransforms = new Map<ts.Node, TransformedValue>();
  gradEvents: GradEvent[] | undefined;
  gradDepth = 0;
  /** The module whose init/apply is running (Flax-style modules), if any. */
  moduleCtx: ModuleCtx | undefined;

  private readonly journal = new Journal();
  private readonly modules = new Map<string, ModuleRecord>();
  private frame!: Frame;
  private readonly callStack: ts.Node[] = [];
  private readonly memo = new Map<string, Value>();
  /** Where each PRNG key was consumed: the chain of call sites from the outermost, ending at the consuming call. */
  private keyUses = new Map<string, readonly ts.Node[]>();
  /** Call sites of the user functions being analyzed (outermost first). */
  private readonly callSites: ts.Node[] = [];
  /** Key consumptions so far (calls that consume keys are not memoized: each call consumes again). */
  private keyConsumes = 0;
  private steps = 0;
  private fnIds = 0;

  private readonly needed: Set<ts.Statement> | undefined;

  constructor(readonly target: ts.SourceFile, private readonly host: ModuleHost, private readonly focus?: Focus, private readonly budget = 500_000) {
    this.needed = focus ? neededStatements(target, focus) : undefined;
  }

  run(): void {
    const mod = this.loadModule(this.target, false);
    this.finish(mod);
  }

  // ---- modules --------------------------------------------------------------------------

  /**
   * Loads a module once. An imported module runs only the top-level statements that the imported
   * `names` need (their declarations and what those read, as focus.ts follows a visible range);
   * a later import that needs more runs the rest. Without names, everything runs.
   */
  private loadModule(file: ts.SourceFile, quiet: boolean, names?: ReadonlySet<string>): ModuleRecord {
    const existing = this.modules.get(file.fileName);
    if (existing) {
      if (existing.done && existing.skipped.length && !(names && existing.seeds && [...names].every((n) => existing.seeds!.has(n)))) this.runSkipped(existing);
      return existing;
    }
    const local = file.statements.some((st) => ts.isExportDeclaration(st) && !st.moduleSpecifier) || names?.has("default");
    const seeds = file !== this.target && names && !local ? names : undefined;
    const mod: ModuleRecord = { file, scope: new Scope(undefined, 0), exports: new Map(), engineNames: new Map(), done: false, skipped: [], seeds };
    this.modules.set(file.fileName, mod);
    const wanted = seeds ? statementsForNames(file, seeds) : undefined;
    const saved = this.frame;
    this.frame = { fnDepth: 0, jit: false, jitFnDepth: -1, quiet, module: mod, returns: undefined };
    try {
      for (const st of file.statements) if (ts.isImportDeclaration(st)) this.bindImport(st, mod);
      this.hoist(file.statements, mod.scope);
      for (const st of file.statements) {
        if (ts.isImportDeclaration(st)) continue;
        if (file === this.target && this.needed && !this.needed.has(st)) continue;
        if (wanted && !wanted.has(st) && (ts.isVariableStatement(st) || ts.isExpressionStatement(st) || ts.isIfStatement(st) || ts.isIterationStatement(st, false))) {
          mod.skipped.push(st);
          continue;
        }
        this.exec(st, mod.scope);
        this.collectExports(st, mod);
      }
    } finally {
      mod.done = true;
      this.frame = saved;
    }
    return mod;
  }

  /** Runs the statements an import skipped (another import needs more of the module). */
  private runSkipped(mod: ModuleRecord): void {
    const skipped = mod.skipped.splice(0);
    mod.seeds = undefined;
    this.withFrame({ fnDepth: 0, jit: false, jitFnDepth: -1, quiet: true, module: mod, returns: undefined }, () => {
      for (const st of skipped) { this.exec(st, mod.scope); this.collectExports(st, mod); }
    });
  }

  private bindImport(st: ts.ImportDeclaration, mod: ModuleRecord): void {
    const clause = st.importClause;
    if (!clause || !ts.isStringLiteral(st.moduleSpecifier)) return;
    const spec = st.moduleSpecifier.text;
    if (ENGINE_MODULE.test(spec)) {
      if (clause.name) this.bindEngine(mod, clause.name.text, "");
      const nb = clause.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) this.bindEngine(mod, nb.name.text, "");
      else if (nb) for (const el of nb.elements) this.bindEngine(mod, el.name.text, (el.propertyName ?? el.name).getText());
      return;
    }
    const target = this.host.resolveModule(spec, mod.file);
    // A module in a cycle is returned while still loading: its exports so far are what we know.
    const nb = clause.namedBindings;
    const wanted = !clause.name && nb && ts.isNamedImports(nb) ? new Set(nb.elements.map((el) => (el.propertyName ?? el.name).getText())) : undefined;
    const other = target ? this.loadModule(target, true, wanted) : undefined;
    const get = (name: string): Value => other?.exports.get(name) ?? unknown;
    if (clause.name) this.declareImported(mod, clause.name.text, get("default"), other, "default");
    if (nb && ts.isNamespaceImport(nb)) {
      mod.scope.declare(nb.name.text, other ? { kind: "object", fields: other.exports } : unknown);
    } else if (nb) {
      for (const el of nb.elements) this.declareImported(mod, el.name.text, get((el.propertyName ?? el.name).getText()), other, (el.propertyName ?? el.name).getText());
    }
  }

  private declareImported(mod: ModuleRecord, local: string, value: Value, other: ModuleRecord | undefined, exported: string): void {
    mod.scope.declare(local, value);
    // Re-exported engine names keep their engine identity (for annotations and fixes).
    const path = other?.engineNames.get(exported);
    if (path !== undefined) mod.engineNames.set(local, path);
    else if (value.kind === "engine" && !value.self) mod.engineNames.set(local, value.path);
  }

  private bindEngine(mod: ModuleRecord, local: string, path: string): void {
    mod.scope.declare(local, { kind: "engine", path });
    mod.engineNames.set(local, path);
  }

  private collectExports(st: ts.Statement, mod: ModuleRecord): void {
    const exported = ts.canHaveModifiers(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    const isDefault = ts.canHaveModifiers(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
    const lookup = (n: string) => mod.scope.vars.get(n)?.value ?? unknown;
    if (exported && ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) for (const n of namesOf(d.name)) mod.exports.set(n, lookup(n));
    } else if (exported && (ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) {
      mod.exports.set(isDefault ? "default" : st.name.text, lookup(st.name.text));
    } else if (ts.isExportAssignment(st)) {
      mod.exports.set("default", this.eval(st.expression, mod.scope));
    } else if (ts.isExportDeclaration(st)) {
      const spec = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : undefined;
      if (spec && ENGINE_MODULE.test(spec)) {
        if (st.exportClause && ts.isNamedExports(st.exportClause)) {
          for (const el of st.exportClause.elements) {
            const path = (el.propertyName ?? el.name).getText();
            mod.exports.set(el.name.text, { kind: "engine", path });
            mod.engineNames.set(el.name.text, path);
          }
        }
        return;
      }
      const other = spec ? this.host.resolveModule(spec, mod.file) : undefined;
      const from = other ? this.loadModule(other, true) : undefined;
      if (!st.exportClause) {
        if (from) for (const [k, v] of from.exports) { mod.exports.set(k, v); const p = from.engineNames.get(k); if (p !== undefined) mod.engineNames.set(k, p); }
      } else if (ts.isNamedExports(st.exportClause)) {
        for (const el of st.exportClause.elements) {
          const src = (el.propertyName ?? el.name).getText();
          const v = from ? from.exports.get(src) ?? unknown : lookup(src);
          mod.exports.set(el.name.text, v);
          const p = from ? from.engineNames.get(src) : mod.engineNames.get(src);
          if (p !== undefined) mod.engineNames.set(el.name.text, p);
        }
      }
    }
  }

  // ---- after the top level: functions never called, transformed functions never called ----

  private finish(mod: ModuleRecord): void {
    const functions = collectFunctions(this.target);
    for (let round = 0; round < 4; round++) {
      let progress = false;
      for (const [site, t] of [...this.pendingTransforms]) {
        this.pendingTransforms.delete(site);
        const decl = t.fn.kind === "function" ? (t.fn.decl as ts.SignatureDeclaration) : undefined;
        const args = decl ? this.standaloneArgs(decl, t.fn as UserFunctionValue) : [];
        this.withFrame({ ...this.frame0(mod), quiet: false }, () => callTransformed(this, t, args, site as ts.CallExpression, undefined));
        progress = true;
      }
      for (const fnNode of functions) {
        if (this.visited.has(fnNode)) continue;
        if (this.focus && (fnNode.getEnd() < this.focus.start || fnNode.getStart(this.target) > this.focus.end)) continue;
        const closure = this.createdIn.get(fnNode) ?? { scope: mod.scope, module: mod };
        const fn = this.makeFunction(fnNode, closure);
        this.withFrame(this.frame0(mod), () => this.callUser(fn, this.standaloneArgs(fnNode, fn), undefined, { standalone: true }));
        progress = true;
      }
      if (!progress) break;
    }
  }

  private frame0(mod: ModuleRecord): Frame {
    return { fnDepth: 0, jit: false, jitFnDepth: -1, quiet: false, module: mod, returns: undefined };
  }

  /** Arguments for a function analyzed on its own: from shape annotations, else unknown. */
  standaloneArgs(decl: ts.SignatureDeclaration, fn: UserFunctionValue): Value[] {
    const mod = (fn.closure as Closure).module;
    return decl.parameters.map((p) => {
      const ann = this.annotationOf(p, mod);
      if (!ann) return unknown;
      if (ann.shape === null && ann.dtype === null && !ann.key) return arrayOf(null, null);
      return arrayOf(ann.shape, ann.dtype, {
        keyId: ann.key ? `param:${p.pos}:${++this.fnIds}` : undefined,
        origin: { op: `parameter ${p.name.getText()}`, rule: "annotation", detail: ann.text },
      });
    });
  }

  private annotationOf(p: ts.ParameterDeclaration, mod: ModuleRecord): ShapeAnnotation | undefined {
    return readAnnotation(p.type, (local) => {
      const root = local.split(".")[0]!;
      const path = mod.engineNames.get(root);
      return path !== undefined;
    });
  }

  // ---- reporting ------------------------------------------------------------------------

  private get recording(): boolean {
    return !this.frame.quiet && this.frame.module.file === this.target;
  }

  report(node: ts.Node, severity: Severity, code: string, message: string, fixes: readonly FixItem[] = []): void {
    if (!this.recording) return;
    const key = `${node.pos}:${node.end}:${code}`;
    if (this.diagnostics.has(key)) return;
    this.diagnostics.set(key, { range: rangeOf(node, this.target), severity, code, message, fixes });
  }

  private hint(nameNode: ts.Node, value: Value, name?: string): void {
    if (!this.recording) return;
    const prev = this.hints.get(nameNode.end);
    this.hints.set(nameNode.end, { node: nameNode, value: prev ? join(prev.value, value) : value, name });
  }

  private hover(node: ts.Node, value: Value): void {
    if (!this.recording || value.kind === "unknown") return;
    const prev = this.hovers.get(node.pos);
    this.hovers.set(node.pos, { node, value: prev ? join(prev.value, value) : value });
  }

  get inJit(): boolean { return this.frame.jit; }
  get isQuiet(): boolean { return this.frame.quiet; }

  localEngineName(path: string): string | undefined {
    for (const [local, p] of this.frame.module.engineNames) if (p === path) return local;
    return undefined;
  }

  private tick(): void {
    if (++this.steps > this.budget) throw new BudgetExceeded("analysis budget exceeded");
  }

  withFrame<T>(frame: Frame, run: () => T): T {
    const saved = this.frame;
    this.frame = frame;
    try { return run(); } finally { this.frame = saved; }
  }

  // ---- statements -----------------------------------------------------------------------

  private hoist(statements: readonly ts.Statement[], scope: Scope): void {
    for (const st of statements) {
      if (ts.isFunctionDeclaration(st) && st.name && st.body) scope.declare(st.name.text, this.makeFunction(st, { scope, module: this.frame.module }));
      else if (ts.isClassDeclaration(st) && st.name) {
        scope.declare(st.name.text, { kind: "class", id: ++this.fnIds, decl: st, closure: { scope, module: this.frame.module }, name: st.name.text });
      }
    }
  }

  private execBlock(statements: readonly ts.Statement[], scope: Scope): boolean {
    this.hoist(statements, scope);
    for (const st of statements) if (this.exec(st, scope)) return true;
    return false;
  }

  /** Runs a statement; true when control does not continue after it (return, throw, break). */
  exec(st: ts.Statement, scope: Scope): boolean {
    this.tick();
    switch (st.kind) {
      case ts.SyntaxKind.VariableStatement:
        this.declareList((st as ts.VariableStatement).declarationList, scope);
        return false;
      case ts.SyntaxKind.ExpressionStatement: {
        const e = (st as ts.ExpressionStatement).expression;
        const v = this.eval(e, scope);
        if (ts.isCallExpression(skipParens(e))) this.resultHint(e, v);
        return false;
      }
      case ts.SyntaxKind.ReturnStatement: {
        const e = (st as ts.ReturnStatement).expression;
        const v = e ? this.eval(e, scope) : { kind: "null" as const };
        if (e && ts.isCallExpression(skipParens(e))) this.resultHint(e, v);
        this.frame.returns = this.frame.returns ? join(this.frame.returns, v) : v;
        return true;
      }
      case ts.SyntaxKind.Block:
        return this.execBlock((st as ts.Block).statements, new Scope(scope, scope.fnDepth));
      case ts.SyntaxKind.IfStatement: {
        const s = st as ts.IfStatement;
        const c = this.eval(s.expression, scope);
        this.checkCondition(s.expression, c, s);
        if (c.kind === "bool" && c.value !== undefined && !this.frame.jit) {
          return c.value ? this.exec(s.thenStatement, scope) : s.elseStatement ? this.exec(s.elseStatement, scope) : false;
        }
        return this.branches([() => this.exec(s.thenStatement, scope), () => (s.elseStatement ? this.exec(s.elseStatement, scope) : false)]);
      }
      case ts.SyntaxKind.ForOfStatement: return this.forOf(st as ts.ForOfStatement, scope);
      case ts.SyntaxKind.ForInStatement: {
        const s = st as ts.ForInStatement;
        this.eval(s.expression, scope);
        this.loop(() => { const inner = new Scope(scope, scope.fnDepth); this.bindForInit(s.initializer, { kind: "string" }, inner); this.exec(s.statement, inner); });
        return false;
      }
      case ts.SyntaxKind.ForStatement: return this.forLoop(st as ts.ForStatement, scope);
      case ts.SyntaxKind.WhileStatement: {
        const s = st as ts.WhileStatement;
        this.loop(() => { this.checkCondition(s.expression, this.eval(s.expression, scope)); this.exec(s.statement, scope); });
        return false;
      }
      case ts.SyntaxKind.DoStatement: {
        const s = st as ts.DoStatement;
        this.exec(s.statement, scope);
        this.loop(() => { this.checkCondition(s.expression, this.eval(s.expression, scope)); this.exec(s.statement, scope); });
        return false;
      }
      case ts.SyntaxKind.BreakStatement:
      case ts.SyntaxKind.ContinueStatement:
        this.frame.loopExits?.push(this.journal.snapshot());
        return true;
      case ts.SyntaxKind.ThrowStatement:
        this.eval((st as ts.ThrowStatement).expression, scope);
        return true;
      case ts.SyntaxKind.TryStatement: {
        const s = st as ts.TryStatement;
        const runs = [() => this.exec(s.tryBlock, scope)];
        if (s.catchClause) {
          const cc = s.catchClause;
          runs.push(() => { const inner = new Scope(scope, scope.fnDepth); if (cc.variableDeclaration) this.bindPattern(cc.variableDeclaration.name, unknown, inner, false); return this.exec(cc.block, inner); });
        }
        const t = this.branches(runs);
        if (s.finallyBlock) return this.exec(s.finallyBlock, scope) || t;
        return t;
      }
      case ts.SyntaxKind.SwitchStatement: {
        const s = st as ts.SwitchStatement;
        this.eval(s.expression, scope);
        const inner = new Scope(scope, scope.fnDepth);
        const clauses = s.caseBlock.clauses;
        const runs = clauses.map((_, i) => () => {
          // Fallthrough: a clause runs on into the next until a break.
          for (const cl of clauses.slice(i)) for (const x of cl.statements) {
            if (ts.isBreakStatement(x)) return false;
            if (this.exec(x, inner)) return true;
          }
          return false;
        });
        if (!clauses.some(ts.isDefaultClause)) runs.push(() => false);
        this.branches(runs);
        return false;
      }
      case ts.SyntaxKind.LabeledStatement:
        return this.exec((st as ts.LabeledStatement).statement, scope);
      case ts.SyntaxKind.FunctionDeclaration: {
        const f = st as ts.FunctionDeclaration;
        if (f.name && f.body) this.createdIn.set(f, { scope, module: this.frame.module });
        return false;
      }
      case ts.SyntaxKind.ClassDeclaration: {
        for (const m of (st as ts.ClassDeclaration).members) if (ts.isMethodDeclaration(m) || ts.isConstructorDeclaration(m)) this.createdIn.set(m, { scope, module: this.frame.module });
        return false;
      }
      case ts.SyntaxKind.ExportAssignment:
        return false;
      default:
        return false;
    }
  }

  private branches(runs: (() => boolean)[]): boolean {
    // PRNG key uses are state too: uses on exclusive paths are not reuse.
    const before = this.keyUses;
    const after = new Map(before);
    const wrapped = runs.map((run) => () => {
      this.keyUses = new Map(before);
      try { return run(); } finally { for (const [k, n] of this.keyUses) if (!after.has(k)) after.set(k, n); }
    });
    try {
      return this.journal.branches(wrapped);
    } finally {
      this.keyUses = after;
    }
  }

  private loop(body: () => void): void {
    const savedExits = this.frame.loopExits;
    try {
      this.journal.fixpoint((record) => {
        const exits: Map<Binding, Value>[] = [];
        this.frame.loopExits = exits;
        this.branches([() => { body(); return false; }, () => false]);
        for (const x of exits) record(x);
      });
    } finally {
      this.frame.loopExits = savedExits;
    }
  }

  private forOf(s: ts.ForOfStatement, scope: Scope): boolean {
    const iterable = this.eval(s.expression, scope);
    const bodyExits = containsJump(s.statement);
    // A short list with known items is unrolled: each iteration sees its own item (layers of a net).
    if (iterable.kind === "list" && iterable.items.length <= 32 && !bodyExits) {
      for (const item of iterable.items) {
        const inner = new Scope(scope, scope.fnDepth);
        this.bindForInit(s.initializer, item, inner);
        this.exec(s.statement, inner);
      }
      return false;
    }
    const item = elementOf(iterable);
    this.loop(() => { const inner = new Scope(scope, scope.fnDepth); this.bindForInit(s.initializer, item, inner); this.exec(s.statement, inner); });
    return false;
  }

  private forLoop(s: ts.ForStatement, scope: Scope): boolean {
    const inner = new Scope(scope, scope.fnDepth);
    if (s.initializer) {
      if (ts.isVariableDeclarationList(s.initializer)) this.declareList(s.initializer, inner);
      else this.eval(s.initializer, inner);
    }
    // Run concretely while the condition is known (for (let i = 0; i < 3; i++)), else to a fixpoint.
    if (!containsJump(s.statement)) {
      for (let i = 0; i < MAX_UNROLLED; i++) {
        const c = s.condition ? this.eval(s.condition, inner) : { kind: "bool" as const, value: true };
        if (c.kind !== "bool" || c.value === undefined) break;
        if (!c.value) return false;
        const olds = this.journal.track(() => {
          this.exec(s.statement, new Scope(inner, inner.fnDepth));
          if (s.incrementor) this.eval(s.incrementor, inner);
        });
        if (i + 1 >= STEADY_AFTER && onlyNumbersChanged(olds)) break;
      }
    }
    this.loop(() => {
      if (s.condition) this.checkCondition(s.condition, this.eval(s.condition, inner));
      this.exec(s.statement, new Scope(inner, inner.fnDepth));
      if (s.incrementor) this.eval(s.incrementor, inner);
    });
    return false;
  }

  private bindForInit(init: ts.ForInitializer, value: Value, scope: Scope): void {
    if (ts.isVariableDeclarationList(init)) {
      for (const d of init.declarations) this.bindPattern(d.name, value, scope, true);
    } else this.assignTo(init, value, scope);
  }

  private declareList(list: ts.VariableDeclarationList, scope: Scope): void {
    for (const d of list.declarations) {
      const v = d.initializer ? this.eval(d.initializer, scope) : { kind: "null" as const };
      this.bindPattern(d.name, v, scope, true, d.type);
    }
  }

  /** Declares the names of a binding pattern; `showHints` for const/let declarations. */
  bindPattern(name: ts.BindingName, value: Value, scope: Scope, showHints: boolean, typeNode?: ts.TypeNode): void {
    if (ts.isIdentifier(name)) {
      const existing = scope.vars.get(name.text);
      if (existing) this.journal.assign(existing, value);
      else scope.declare(name.text, value);
      // An alias of an engine name (`const n = np`, `const { matmul } = np`) is that name too.
      if (value.kind === "engine" && !value.self && value.path !== "" && !value.path.startsWith("$") && scope.fnDepth === 0 && !this.frame.module.engineNames.has(name.text)) {
        this.frame.module.engineNames.set(name.text, value.path);
      }
      if (showHints) this.hint(typeNode ?? name, value, name.text);
      this.hover(name, value);
      return;
    }
    if (ts.isArrayBindingPattern(name)) {
      name.elements.forEach((el, i) => {
        if (ts.isOmittedExpression(el)) return;
        let v = el.dotDotDotToken ? restOf(value, i) : indexValue(value, i);
        if (el.initializer && (v.kind === "unknown" || v.kind === "null")) v = this.eval(el.initializer, scope);
        this.bindPattern(el.name, v, scope, showHints);
      });
      return;
    }
    for (const el of name.elements) {
      const key = el.propertyName ? propName(el.propertyName) : ts.isIdentifier(el.name) ? el.name.text : undefined;
      let v: Value = key !== undefined && value.kind === "object" ? value.fields.get(key) ?? unknown
        : key !== undefined && value.kind === "engine" && !value.self && !value.path.startsWith("$") ? { kind: "engine", path: value.path ? `${value.path}.${key}` : key }
        : unknown;
      if (el.initializer && (v.kind === "unknown" || v.kind === "null")) v = this.eval(el.initializer, scope);
      this.bindPattern(el.name, v, scope, showHints);
    }
  }

  private resultHint(e: ts.Expression, v: Value): void {
    if (isArray(v) || v.kind === "list" || v.kind === "object") this.hint(e, v);
  }

  // ---- conditions and purity --------------------------------------------------------------

  checkCondition(expr: ts.Expression, v: Value, stmt?: ts.Node): void {
    if (v.kind !== "array") return;
    const np = this.localEngineName("np"), lax = this.localEngineName("lax");
    this.report(expr, "warning", "purity/array-condition",
      `A DeviceArray used as a condition is always truthy in JavaScript: \`${short(expr.getText(this.frame.module.file))}\` does not test the array's values. ` +
      `Use ${np ?? "np"}.where / ${lax ?? "lax"}.cond to select by value${this.frame.jit ? "" : ", or read a scalar with .item() outside jit"}.`,
      arrayConditionFixes(stmt ?? expr.parent, expr, np, lax, this.frame.module.file));
  }

  concretize(node: ts.Node, what: string, v: Value | undefined): void {
    if (!this.frame.jit || !v || v.kind !== "array" || !v.traced) return;
    const lax = this.localEngineName("lax") ?? "lax";
    this.report(node, "error", "purity/concretize",
      `${what} reads the value of a traced array inside jit: the engine throws a concretization error here. Use ${lax}.cond / np.where for control flow, or pass the value as a static argument (staticArgnums).`);
  }

  impureCall(node: ts.Node, what: string, why: string): void {
    if (!this.frame.jit) return;
    this.report(node, "warning", "purity/impure-call", `${what} inside jit ${why}.`);
  }

  // ---- expressions ----------------------------------------------------------------------

  eval(e: ts.Expression, scope: Scope): Value {
    this.tick();
    switch (e.kind) {
      case ts.SyntaxKind.NumericLiteral: return num(Number((e as ts.NumericLiteral).text));
      case ts.SyntaxKind.StringLiteral:
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral: return { kind: "string", value: (e as ts.StringLiteral).text };
      case ts.SyntaxKind.TemplateExpression:
        for (const sp of (e as ts.TemplateExpression).templateSpans) this.eval(sp.expression, scope);
        return { kind: "string" };
      case ts.SyntaxKind.TrueKeyword: return { kind: "bool", value: true };
      case ts.SyntaxKind.FalseKeyword: return { kind: "bool", value: false };
      case ts.SyntaxKind.NullKeyword: return { kind: "null" };
      case ts.SyntaxKind.Identifier: return this.identifier(e as ts.Identifier, scope);
      case ts.SyntaxKind.ParenthesizedExpression: return this.eval((e as ts.ParenthesizedExpression).expression, scope);
      case ts.SyntaxKind.AsExpression:
      case ts.SyntaxKind.SatisfiesExpression:
      case ts.SyntaxKind.NonNullExpression:
      case ts.SyntaxKind.TypeAssertionExpression:
        return this.eval((e as ts.AsExpression).expression, scope);
      case ts.SyntaxKind.AwaitExpression: return this.eval((e as ts.AwaitExpression).expression, scope);
      case ts.SyntaxKind.ArrayLiteralExpression: {
        const items: Value[] = [];
        let summary: Value | undefined;
        for (const el of (e as ts.ArrayLiteralExpression).elements) {
          if (ts.isSpreadElement(el)) {
            const v = this.eval(el.expression, scope);
            if (v.kind === "seq") { summary = summary ? join(summary, v.item) : v.item; continue; }
            if (v.kind !== "list") return unknownList();
            items.push(...v.items);
          } else if (ts.isOmittedExpression(el)) items.push({ kind: "null" });
          else items.push(this.eval(el, scope));
        }
        // A spread of a list of unknown length makes the whole literal one.
        if (summary) return seqOf([summary, ...items].reduce(join));
        return { kind: "list", items };
      }
      case ts.SyntaxKind.ObjectLiteralExpression: return this.objectLiteral(e as ts.ObjectLiteralExpression, scope);
      case ts.SyntaxKind.PropertyAccessExpression: {
        const pa = e as ts.PropertyAccessExpression;
        const obj = this.eval(pa.expression, scope);
        const v = this.member(obj, pa.name.text, pa);
        if (isArray(v)) this.hover(pa.name, v);
        return v;
      }
      case ts.SyntaxKind.ElementAccessExpression: {
        const ea = e as ts.ElementAccessExpression;
        const obj = this.eval(ea.expression, scope);
        const idx = this.eval(ea.argumentExpression, scope);
        if (obj.kind === "list") {
          if (idx.kind === "number" && idx.value !== undefined) return obj.items[idx.value < 0 ? obj.items.length + idx.value : idx.value] ?? unknown;
          return obj.items.length ? obj.items.reduce(join) : unknown;
        }
        if (obj.kind === "seq") return obj.item;
        if (obj.kind === "object" && idx.kind === "string" && idx.value !== undefined) return obj.fields.get(idx.value) ?? unknown;
        return unknown;
      }
      case ts.SyntaxKind.CallExpression: return this.call(e as ts.CallExpression, scope);
      case ts.SyntaxKind.NewExpression: {
        const ne = e as ts.NewExpression;
        const callee = this.eval(ne.expression, scope);
        const args = (ne.arguments ?? []).map((a) => this.eval(a, scope));
        if (callee.kind === "class") return this.construct(callee, args);
        if (callee.kind === "engine" && callee.path.startsWith("nn.") && LAYERS.has(callee.path.slice(3))) return newModule(callee.path.slice(3), undefined, args);
        return unknown;
      }
      case ts.SyntaxKind.ThisKeyword: return scope.lookup("this")?.value ?? unknown;
      case ts.SyntaxKind.ArrowFunction:
      case ts.SyntaxKind.FunctionExpression: {
        const f = e as ts.ArrowFunction;
        const closure = { scope, module: this.frame.module };
        this.createdIn.set(f, closure);
        return this.makeFunction(f, closure);
      }
      case ts.SyntaxKind.ConditionalExpression: {
        const c = e as ts.ConditionalExpression;
        const cond = this.eval(c.condition, scope);
        this.checkCondition(c.condition, cond, c);
        if (cond.kind === "bool" && cond.value !== undefined) return this.eval(cond.value ? c.whenTrue : c.whenFalse, scope);
        let a: Value = unknown, b: Value = unknown;
        this.branches([() => { a = this.eval(c.whenTrue, scope); return false; }, () => { b = this.eval(c.whenFalse, scope); return false; }]);
        return join(a, b);
      }
      case ts.SyntaxKind.BinaryExpression: return this.binary(e as ts.BinaryExpression, scope);
      case ts.SyntaxKind.PrefixUnaryExpression: {
        const p = e as ts.PrefixUnaryExpression;
        const v = this.eval(p.operand, scope);
        switch (p.operator) {
          case ts.SyntaxKind.ExclamationToken:
            this.checkCondition(p.operand, v);
            return v.kind === "bool" && v.value !== undefined ? { kind: "bool", value: !v.value } : { kind: "bool" };
          case ts.SyntaxKind.MinusToken:
            this.concretize(p, "Unary minus", v);
            return v.kind === "number" && v.value !== undefined ? num(-v.value) : num();
          case ts.SyntaxKind.PlusToken:
            this.concretize(p, "Unary plus", v);
            return v.kind === "number" ? v : num();
          case ts.SyntaxKind.PlusPlusToken:
          case ts.SyntaxKind.MinusMinusToken: {
            const next = v.kind === "number" && v.value !== undefined ? num(v.value + (p.operator === ts.SyntaxKind.PlusPlusToken ? 1 : -1)) : num();
            this.assignTo(p.operand, next, scope);
            return next;
          }
          default: return num();
        }
      }
      case ts.SyntaxKind.PostfixUnaryExpression: {
        const p = e as ts.PostfixUnaryExpression;
        const v = this.eval(p.operand, scope);
        const next = v.kind === "number" && v.value !== undefined ? num(v.value + (p.operator === ts.SyntaxKind.PlusPlusToken ? 1 : -1)) : num();
        this.assignTo(p.operand, next, scope);
        return v;
      }
      case ts.SyntaxKind.TypeOfExpression: this.eval((e as ts.TypeOfExpression).expression, scope); return { kind: "string" };
      case ts.SyntaxKind.VoidExpression: this.eval((e as ts.VoidExpression).expression, scope); return { kind: "null" };
      case ts.SyntaxKind.DeleteExpression: return { kind: "bool" };
      case ts.SyntaxKind.SpreadElement: return this.eval((e as ts.SpreadElement).expression, scope);
      default: return unknown;
    }
  }

  private identifier(id: ts.Identifier, scope: Scope): Value {
    const name = id.text;
    if (name === "undefined") return { kind: "null" };
    if (name === "Infinity" || name === "NaN") return num(name === "NaN" ? NaN : Infinity);
    const b = scope.lookup(name);
    if (b) {
      if (isArray(b.value) || b.value.kind === "list" || b.value.kind === "object") this.hover(id, b.value);
      return b.value;
    }
    if (GLOBALS.has(name)) return { kind: "engine", path: `$${name}` };
    return unknown;
  }

  private objectLiteral(o: ts.ObjectLiteralExpression, scope: Scope): Value {
    const fields = new Map<string, Value>();
    for (const p of o.properties) {
      if (ts.isPropertyAssignment(p)) {
        const k = propName(p.name);
        const v = this.eval(p.initializer, scope);
        if (k !== undefined) fields.set(k, v);
      } else if (ts.isShorthandPropertyAssignment(p)) {
        fields.set(p.name.text, this.identifier(p.name, scope));
      } else if (ts.isSpreadAssignment(p)) {
        const v = this.eval(p.expression, scope);
        if (v.kind === "object") for (const [k, x] of v.fields) fields.set(k, x);
        else return unknown;
      } else if (ts.isMethodDeclaration(p)) {
        const closure = { scope, module: this.frame.module };
        this.createdIn.set(p, closure);
        const k = propName(p.name);
        if (k !== undefined) fields.set(k, this.makeFunction(p, closure));
      } else {
        return unknown;
      }
    }
    return { kind: "object", fields };
  }

  private binary(b: ts.BinaryExpression, scope: Scope): Value {
    const op = b.operatorToken.kind;
    if (op === ts.SyntaxKind.EqualsToken) {
      const v = this.eval(b.right, scope);
      this.assignTo(b.left, v, scope);
      return v;
    }
    if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) {
      const l = this.eval(b.left, scope);
      if (op !== ts.SyntaxKind.QuestionQuestionToken) this.checkCondition(b.left, l);
      let r: Value = unknown;
      this.branches([() => { r = this.eval(b.right, scope); return false; }, () => false]);
      if (op === ts.SyntaxKind.QuestionQuestionToken) return l.kind === "null" ? r : l.kind === "unknown" ? join(l, r) : l;
      if (l.kind === "bool" && l.value !== undefined) return op === ts.SyntaxKind.AmpersandAmpersandToken ? (l.value ? r : l) : (l.value ? l : r);
      return join(l, r);
    }
    const l = this.eval(b.left, scope);
    const r = this.eval(b.right, scope);
    if (op >= ts.SyntaxKind.FirstCompoundAssignment && op <= ts.SyntaxKind.LastCompoundAssignment) {
      const v = arith(compoundBase(op), l, r);
      this.assignTo(b.left, v, scope);
      return v;
    }
    switch (op) {
      case ts.SyntaxKind.LessThanToken: case ts.SyntaxKind.GreaterThanToken: case ts.SyntaxKind.LessThanEqualsToken:
      case ts.SyntaxKind.GreaterThanEqualsToken: {
        this.concretize(b, "A comparison", isArray(l) ? l : r);
        return compare(op, l, r);
      }
      case ts.SyntaxKind.EqualsEqualsEqualsToken: case ts.SyntaxKind.ExclamationEqualsEqualsToken:
      case ts.SyntaxKind.EqualsEqualsToken: case ts.SyntaxKind.ExclamationEqualsToken:
        return compare(op, l, r);
      case ts.SyntaxKind.InstanceOfKeyword: case ts.SyntaxKind.InKeyword:
        return { kind: "bool" };
      case ts.SyntaxKind.CommaToken: return r;
      default:
        if (isArray(l) || isArray(r)) this.concretize(b, "Arithmetic with a JS operator", isArray(l) ? l : r);
        return arith(op, l, r);
    }
  }

  /**
   * Assignment to an identifier, a destructuring pattern or a property. `mutation` names a
   * method that mutated the target in place (`xs.push(v)`), for the captured-write message.
   */
  assignTo(target: ts.Expression, value: Value, scope: Scope, mutation?: string): void {
    target = skipParens(target);
    if (ts.isIdentifier(target)) {
      const b = scope.lookup(target.text);
      if (!b) return;
      this.checkCapturedWrite(target, b, mutation);
      this.journal.assign(b, value);
      this.hover(target, value);
      return;
    }
    if (ts.isArrayLiteralExpression(target)) {
      target.elements.forEach((el, i) => {
        if (ts.isOmittedExpression(el)) return;
        if (ts.isSpreadElement(el)) this.assignTo(el.expression, restOf(value, i), scope);
        else this.assignTo(ts.isBinaryExpression(el) && el.operatorToken.kind === ts.SyntaxKind.EqualsToken ? el.left : el, indexValue(value, i), scope);
      });
      return;
    }
    if (ts.isObjectLiteralExpression(target)) {
      for (const p of target.properties) {
        if (ts.isShorthandPropertyAssignment(p)) this.assignTo(p.name, value.kind === "object" ? value.fields.get(p.name.text) ?? unknown : unknown, scope);
        else if (ts.isPropertyAssignment(p)) { const k = propName(p.name); this.assignTo(p.initializer, k !== undefined && value.kind === "object" ? value.fields.get(k) ?? unknown : unknown, scope); }
      }
      return;
    }
    if (ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) {
      // obj.a.b = v / xs[i] = v / this.f = v on values we track: the root name gets a copy with
      // the path replaced (objects are shared, so other aliases would change too; we update only
      // this name). A path we cannot follow leaves the root unknown.
      const path: (string | number | undefined)[] = [];
      let e: ts.Expression = target;
      while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
        if (ts.isPropertyAccessExpression(e)) path.unshift(e.name.text);
        else {
          const k = this.eval(e.argumentExpression, scope);
          path.unshift(k.kind === "string" || k.kind === "number" ? k.value : undefined);
        }
        e = skipParens(e.expression);
      }
      const rootName = ts.isIdentifier(e) ? e.text : e.kind === ts.SyntaxKind.ThisKeyword ? "this" : undefined;
      const b = rootName ? scope.lookup(rootName) : undefined;
      if (!b) return;
      this.checkCapturedWrite(target, b, mutation);
      this.journal.assign(b, replaceAt(b.value, path, value));
    }
  }

  /** Writes since the analysis began to bindings of an enclosing function (calls that make them are not memoized). */
  private outerWrites = 0;

  private checkCapturedWrite(node: ts.Node, b: Binding, mutation?: string): void {
    if (b.fnDepth < this.frame.fnDepth) this.outerWrites++;
    if (this.frame.jit && b.fnDepth < this.frame.jitFnDepth) {
      this.report(node, "warning", "purity/captured-mutation", mutation
        ? `\`${mutation}\` mutates \`${b.name}\`, which is declared outside the jit-compiled function: it runs once, while tracing, and leaves tracers in \`${b.name}\` (a leaked tracer) instead of values on each call. Return the values instead.`
        : `\`${b.name}\` is declared outside the jit-compiled function: this write happens once, while tracing, not on every call. Return the new value instead.`);
    }
  }

  // ---- calls ----------------------------------------------------------------------------

  private call(node: ts.CallExpression, scope: Scope): Value {
    const callee = skipParens(node.expression);
    if (callee.kind === ts.SyntaxKind.SuperKeyword) {
      // nn.Module's constructor keeps only the name it is given.
      const opts = node.arguments[0] ? this.eval(node.arguments[0], scope) : undefined;
      const self = scope.lookup("this");
      const name = opts?.kind === "object" ? opts.fields.get("name") : undefined;
      if (self && self.value.kind === "object" && name) self.value = { kind: "object", fields: new Map([...self.value.fields, ["name", name]]) };
      return { kind: "null" };
    }
    let fn: Value;
    if (ts.isPropertyAccessExpression(callee)) fn = this.member(this.eval(callee.expression, scope), callee.name.text, callee);
    else fn = this.eval(callee, scope);
    const args: Value[] = [];
    for (const a of node.arguments) {
      if (ts.isSpreadElement(a)) {
        const v = this.eval(a.expression, scope);
        if (v.kind === "list") args.push(...v.items); else args.push(unknown);
      } else args.push(this.eval(a, scope));
    }
    // Array methods that change the array in place (xs.push(v)): the name holding it gets the new list.
    if (ts.isPropertyAccessExpression(callee) && LIST_MUTATORS.has(callee.name.text)) {
      const self = fn.kind === "engine" && fn.path.startsWith("$list.") ? fn.self : undefined;
      const what = `${short(callee.getText(this.frame.module.file))}(…)`;
      if (self && (self.kind === "list" || self.kind === "seq")) {
        this.assignTo(callee.expression, mutatedList(self, callee.name.text, args), scope, what);
        return mutatorResult(self, callee.name.text, args);
      }
      // An array we do not track: nothing to update, but a mutation of captured state under jit is still one.
      if (fn.kind === "unknown") {
        let root: ts.Expression = callee.expression;
        while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = skipParens(root.expression);
        const b = ts.isIdentifier(root) ? scope.lookup(root.text) : undefined;
        if (b) this.checkCapturedWrite(callee.expression, b, what);
      }
    }
    const v = this.callValue(fn, args, node);
    const nameNode = ts.isPropertyAccessExpression(callee) ? callee.name : callee;
    this.hover(nameNode, v);
    return v;
  }

  callValue(fn: Value, args: readonly Value[], node: ts.CallExpression | undefined, mode: CallMode = {}): Value {
    switch (fn.kind) {
      case "function": return this.callUser(fn, args, node, mode);
      case "transformed": return callTransformed(this, fn, args, node, mode);
      case "engine": return node ? this.callEngine(fn, args, node) : unknown;
      case "module": return callModule(this, fn, args, node);
      default: this.maybeCallbacks(args, node); return unknown;
    }
  }

  /**
   * A call we cannot follow may call the functions it is given (xs.forEach(f) on a list we do
   * not know): each is analyzed with unknown arguments, as maybe run, so that what it writes to
   * enclosing scopes is joined into them rather than lost.
   */
  maybeCallbacks(args: readonly Value[], node: ts.CallExpression | undefined): void {
    for (const f of args) {
      if (f.kind !== "function") continue;
      const decl = f.decl as ts.FunctionLikeDeclaration;
      this.maybeCall(f, decl.parameters.map(() => unknown), node, { quiet: true });
    }
  }

  /** Calls `fn` as maybe run (zero or more times): its writes to enclosing scopes join the state before. */
  maybeCall(fn: Value, args: readonly Value[], node: ts.CallExpression | undefined, mode: CallMode = {}): Value {
    let out: Value = unknown;
    this.branches([() => { out = this.callValue(fn, args, node, mode); return false; }, () => false]);
    return out;
  }

  private member(obj: Value, name: string, node: ts.PropertyAccessExpression): Value {
    switch (obj.kind) {
      case "engine":
        if (obj.path === "array.at" || obj.path === "$at") return { kind: "engine", path: `$at.${name}`, self: obj.self, bound: obj.bound };
        return { kind: "engine", path: obj.path === "" ? name : `${obj.path}.${name}`, self: obj.self };
      case "array":
        return arrayProperty(obj, name, this.frame.jit) ?? { kind: "engine", path: `array.${name}`, self: obj };
      case "module":
        if (name === "init" || name === "apply" || (name === "call" && !obj.cls)) return { kind: "engine", path: `$module.${name}`, self: obj };
        return moduleAttribute(obj, name) ?? this.moduleMethod(obj, name) ?? unknown;
      case "object": {
        const f = obj.fields.get(name);
        return f ?? unknown;
      }
      case "list":
        if (name === "length") return num(obj.items.length);
        return { kind: "engine", path: `$list.${name}`, self: obj };
      case "seq":
        if (name === "length") return num();
        return { kind: "engine", path: `$list.${name}`, self: obj };
      case "function":
      case "transformed":
        return name === "call" || name === "apply" || name === "bind" ? unknown : unknown;
      default:
        void node;
        return unknown;
    }
  }

  private callEngine(fn: EngineValue, args: readonly Value[], node: ts.CallExpression): Value {
    const path = fn.path;
    if (path.startsWith("$at.") && fn.self?.kind === "array") return atUpdate(this.callSite(node, `x.at(…).${path.slice(4)}`, args), fn.self, fn.bound ?? [], path.slice(4));
    if (path.startsWith("$ad.")) return callAdResult(this, path, fn.self);
    if (path.startsWith("$module.") && fn.self?.kind === "module") {
      const m = fn.self;
      if (path === "$module.init") return initModule(this, m, args, node);
      if (path === "$module.apply") return applyModule(this, m, args, node);
      return callModule(this, m, args, node);
    }
    if (path.startsWith("nn.") && LAYERS.has(path.slice(3))) return newModule(path.slice(3), undefined, args);
    if (path === "nn.avgPool" || path === "nn.maxPool" || path === "nn.minPool" || path === "nn.avg_pool" || path === "nn.max_pool") return pool(this.callSite(node, path, args));
    if (AD_CALLS.has(path)) return callAd(this, path, args, node);
    if (path === "optim.applyUpdates") return applyUpdates(args, this.frame.jit);
    if (path.startsWith("optim.") && OPTIMIZERS.has(path.slice(6))) return optimizer(path.slice(6), args);
    if (path === "$optim.init" || path === "$optim.update") return optimizerMethod(fn.self, path.slice(7), args, this.frame.jit);
    if (path.startsWith("$")) return callBuiltin(this, path, fn.self, args, node);
    if (path.startsWith("array.")) {
      const m = path.slice(6);
      if (m === "item" || m === "dataSync" || m === "tolist" || m === "data" || m === "arraySync" || m === "valueOf" || m === "toString") {
        this.concretize(node, `\`.${m}()\``, fn.self);
        return m === "item" ? num() : unknown;
      }
      if (m === "at") return { kind: "engine", path: "$at", self: fn.self, bound: args };
      if (m === "dispose" || m === "block" || m === "blockUntilReady") return fn.self ?? unknown;
      if (m === "data") return unknown;
    }
    const transform = TRANSFORMS[path];
    if (transform) {
      // The transformation's options as the engine reads them (grad(f, 1) is grad(f, { argnums: 1 })).
      const sig = signatureOf(path === "value_and_grad" ? "valueAndGrad" : path);
      const checked = sig && checkDeclaredCall(sig, args, node.arguments);
      if (checked) for (const p of checked.problems) this.report(node, "error", "engine/arguments", p, []);
      const t: TransformedValue = { kind: "transformed", transform, fn: args[0] ?? unknown, options: checked ? transformOptions(checked) : args[1], site: node };
      if (args[0]?.kind === "function" || args[0]?.kind === "transformed") this.pendingTransforms.set(node, t);
      return t;
    }
    let full: readonly Value[] = fn.self ? [fn.self, ...args] : args;
    // The engine's declared signature: what it would reject is reported (and the call's result
    // is unknown, as the engine throws); what it accepts is read in the declared order.
    const sig = signatureOf(path);
    const missing = sig ? undefined : unknownFunction(path);
    if (missing) { this.report(node, "error", "engine/unknown-function", missing, []); return unknown; }
    const checked = sig && checkDeclaredCall(sig, full, fn.self ? [node.expression, ...node.arguments] : node.arguments, path.startsWith("array.") ? path.slice(6) : undefined);
    if (checked) {
      for (const p of checked.problems) this.report(node, "error", "engine/arguments", p, []);
      if (checked.problems.length) return unknown;
      if (!isControlFlow(path)) full = checked.args;
    }
    const site = this.callSite(node, path, full);
    if (isControlFlow(path)) return callControlFlow(this, path, site);
    const handler = engineHandler(path);
    if (!handler) {
      this.maybeCallbacks(args, node);
      // An array the server has no rule for: unknown shape and dtype, with the reason for the hover.
      const gap = UNMODELED.get(declaredPath(path.startsWith("array.") ? `np.${ARRAY_METHODS[path.slice(6)] ?? path.slice(6)}` : path));
      if (gap && gap !== "not-an-array") {
        const inputs = full.flatMap((a) => leavesOf(a).map((l) => l.leaf));
        return arrayOf(null, null, { traced: this.frame.jit || anyTraced(inputs), deps: unionDeps(inputs), origin: { op: path.replace(/^array\./, "x."), rule: `not modeled — ${GAP_TEXT[gap]}` } });
      }
      return unknown;
    }
    return handler(site);
  }

  callSite(node: ts.CallExpression, path: string, args: readonly Value[]): CallSite {
    const self = this;
    return {
      node, path, args,
      argNodes: node.arguments,
      inJit: this.frame.jit,
      inGrad: this.gradDepth > 0,
      report: (code, message, severity = "error", fixes = [], at) => this.report(at ?? node, severity, code, message, fixes),
      call: (fn, a, mode) => this.callValue(fn, a, node, mode),
      consumeKey: (key) => this.consumeKey(key, node),
      cutGradient: (kind, values) => this.cutGradient(kind, values, node, path),
      localName: (p) => self.localEngineName(p),
      text: (n) => n.getText(this.frame.module.file),
    };
  }

  consumeKeyAt(key: Value | undefined, node: ts.Node): void { this.consumeKey(key, node); }

  /**
   * `new Cls(...args)` of a user class: its constructor runs with \`this\` an object that
   * collects the instance's fields (parameter properties, field initializers, \`this.x = ...\`,
   * and the name given to super()), as module hyperparameters are written for the engine.
   */
  private construct(cls: ClassValue, args: readonly Value[]): ModuleValue {
    const decl = cls.decl as ts.ClassLikeDeclaration;
    const closure = cls.closure as Closure;
    const ctor = decl.members.find((x): x is ts.ConstructorDeclaration => ts.isConstructorDeclaration(x) && !!x.body);
    if (this.callStack.length >= MAX_CALL_DEPTH || this.callStack.includes(decl)) return newModule(undefined, cls, args);
    const fnDepth = this.callStack.length + 1;
    const scope = new Scope(closure.scope, fnDepth);
    const self = scope.declare("this", { kind: "object", fields: new Map() });
    const setField = (k: string, v: Value) => { const f = new Map((self.value as ObjectValue).fields ?? []); f.set(k, v); self.value = { kind: "object", fields: f }; };
    this.callStack.push(decl);
    try {
      this.withFrame({ fnDepth, jit: this.frame.jit, jitFnDepth: this.frame.jitFnDepth, quiet: true, module: closure.module, returns: undefined }, () => {
        ctor?.parameters.forEach((p, i) => {
          let v: Value = p.dotDotDotToken ? { kind: "list", items: args.slice(i) } : args[i] ?? { kind: "null" };
          if (p.initializer && v.kind === "null") v = this.eval(p.initializer, scope);
          this.bindPattern(p.name, v, scope, false);
          if (ts.isIdentifier(p.name) && (ts.getModifiers(p)?.length ?? 0) > 0) setField(p.name.text, v);
        });
        for (const m of decl.members) {
          if (!ts.isPropertyDeclaration(m) || !m.initializer || ts.getModifiers(m)?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword)) continue;
          const k = propName(m.name);
          if (k !== undefined) setField(k, this.eval(m.initializer, scope));
        }
        if (ctor?.body) this.execBlock(ctor.body.statements, scope);
      });
    } finally {
      this.callStack.pop();
    }
    const fields = self.value.kind === "object" ? self.value.fields : new Map<string, Value>();
    // Without a constructor, the arguments go to nn.Module's constructor, which reads only { name }.
    if (!ctor) { const n = args[0]?.kind === "object" ? args[0].fields.get("name") : undefined; if (n) (fields as Map<string, Value>).set("name", n); }
    return newModule(undefined, cls, args, fields);
  }

  /** A method of a user module class, with \`this\` bound to the instance. */
  moduleMethod(m: ModuleValue, name: string): UserFunctionValue | undefined {
    const cls = m.cls;
    if (!cls) return undefined;
    const decl = cls.decl as ts.ClassDeclaration;
    const method = decl.members.find((x): x is ts.MethodDeclaration => ts.isMethodDeclaration(x) && !!x.body && propName(x.name) === name);
    if (!method) return undefined;
    const base = this.createdIn.get(method) ?? (cls.closure as Closure);
    const scope = new Scope(base.scope, base.scope.fnDepth);
    scope.declare("this", m);
    return this.makeFunction(method, { scope, module: base.module });
  }

  private consumeKey(key: Value | undefined, node: ts.Node): void {
    if (key?.kind !== "array" || key.keyId === undefined) return;
    this.keyConsumes++;
    const path = [...this.callSites, node];
    const prevPath = this.keyUses.get(key.keyId);
    // The same key consumed through two different calls (sample(key) twice): reported at the
    // first call where the two paths part, so the reuse shows where the user wrote it.
    if (prevPath && prevPath[prevPath.length - 1] === node && prevPath.length === path.length) {
      const k = path.findIndex((n, i) => prevPath[i] !== n);
      if (k >= 0 && k < path.length - 1) {
        const at = path[k]!, before = prevPath[k]!;
        const file = this.target;
        if (at.getSourceFile() === file && before.getSourceFile() === file) {
          const line = file.getLineAndCharacterOfPosition(before.getStart(file)).line + 1;
          const random = this.localEngineName("random") ?? "random";
          this.withFrame({ ...this.frame, module: this.modules.get(file.fileName) ?? this.frame.module }, () =>
            this.report(at, "warning", "prng/key-reuse",
              `This call consumes a PRNG key that was already consumed by the call at line ${line}: both draw the same random numbers. Split it first: \`const [k1, k2] = ${random}.split(key)\`.`));
          return;
        }
      }
    }
    const prev = prevPath?.[prevPath.length - 1];
    if (prev) {
      const file = this.frame.module.file;
      const line = file.getLineAndCharacterOfPosition(prev.getStart(file)).line + 1;
      const random = this.localEngineName("random") ?? "random";
      this.report(node, "warning", "prng/key-reuse",
        prev === node
          ? `This PRNG key is consumed again each time this line runs (in a loop, or in repeated calls): every draw gives the same numbers. Split a fresh key per use: \`[key, sub] = ${random}.split(key)\`.`
          : `This PRNG key was already consumed at line ${line}: reusing it gives correlated (identical) random numbers. Split it first: \`const [k1, k2] = ${random}.split(key)\`.`);
    } else this.keyUses.set(key.keyId, path);
  }

  private cutGradient(kind: "stop" | "zero", values: readonly Value[], node: ts.Node, path: string): void {
    if (!this.gradEvents) return;
    const deps = new Set<string>();
    for (const v of values) if (v.kind === "array") for (const d of v.deps) deps.add(d);
    if (deps.size) this.gradEvents.push({ kind, node, op: path.replace(/^array\./, "x."), deps });
  }

  makeFunction(decl: ts.Node, closure: Closure): UserFunctionValue {
    const d = decl as ts.FunctionLikeDeclaration;
    const name = d.name && ts.isIdentifier(d.name) ? d.name.text : ts.isVariableDeclaration(decl.parent) && ts.isIdentifier(decl.parent.name) ? decl.parent.name.text : "function";
    return { kind: "function", id: ++this.fnIds, decl, closure, name };
  }

  /** Analyzes a user function with the call's argument values. */
  callUser(fn: UserFunctionValue, args: readonly Value[], node: ts.CallExpression | undefined, mode: CallMode & { standalone?: boolean; traceArgs?: boolean } = {}): Value {
    const decl = fn.decl as ts.FunctionLikeDeclaration;
    const closure = fn.closure as Closure;
    if (!decl.body) return unknown;
    if (this.callStack.length >= MAX_CALL_DEPTH || this.callStack.includes(decl)) return unknown;
    // A function with shape annotations is analyzed generically: its annotated parameters take the
    // annotation's symbolic shapes (B, N) inside, and each call site checks its arguments against
    // them and gets the result with the symbols bound to its own sizes.
    const annotations = decl.parameters.map((p) => this.annotationOf(p, closure.module));
    const annotated = annotations.some((a) => a?.shape);
    let bound: Map<string, Dim> | undefined;
    if (annotated && !mode.standalone) {
      bound = node ? this.checkAnnotatedArgs(decl, args, node, closure.module) : new Map();
      const generic = this.standaloneArgs(decl, fn);
      args = args.map((a, i) => {
        const ann = annotations[i];
        if (!ann?.shape) return a;
        const g = generic[i] as ArrayValue;
        return a.kind === "array" ? { ...a, shape: g.shape, dtype: g.dtype ?? a.dtype, origin: g.origin } : g;
      });
    }
    const quiet = !!mode.quiet || this.frame.quiet;
    const jit = !!mode.jit || this.frame.jit;
    const key = `${fn.id}|${(decl as ts.Node).pos}|${quiet}|${jit}|${this.gradDepth}|${this.moduleCtx?.id ?? ""}|${args.map(valueKey).join(";")}`;
    const cached = this.memo.get(key);
    if (cached) return bound ? bindSymbols(cached, bound) : cached;
    if (closure.module.file === this.target && !quiet) this.visited.add(decl);
    const fnDepth = this.callStack.length + 1;
    const frame: Frame = {
      fnDepth, jit, jitFnDepth: mode.jit ? fnDepth : this.frame.jitFnDepth, quiet, module: closure.module, returns: undefined,
    };
    const scope = new Scope(closure.scope, fnDepth);
    this.callStack.push(decl);
    if (node) this.callSites.push(node);
    const savedKeys = this.keyUses;
    const writesBefore = this.outerWrites;
    const keysBefore = this.keyConsumes;
    try {
      const out = this.withFrame(frame, () => {
        decl.parameters.forEach((p, i) => {
          let v: Value = p.dotDotDotToken ? { kind: "list", items: args.slice(i) } : args[i] ?? { kind: "null" };
          if (p.initializer && (v.kind === "null" || (v.kind === "unknown" && mode.standalone))) v = this.eval(p.initializer, scope);
          this.bindPattern(p.name, v, scope, false);
          if (!p.type && ts.isIdentifier(p.name)) this.hint(p.name, v, p.name.text);
        });
        let result: Value;
        if (ts.isBlock(decl.body!)) {
          this.execBlock(decl.body.statements, scope);
          result = frame.returns ?? { kind: "null" };
        } else {
          result = this.eval(decl.body!, scope);
          if (ts.isCallExpression(skipParens(decl.body!))) this.resultHint(decl.body!, result);
        }
        // A call that wrote to its enclosing scopes must run again to make those writes again.
        if (this.outerWrites === writesBefore && this.keyConsumes === keysBefore) this.memo.set(key, result);
        return result;
      });
      return bound ? bindSymbols(out, bound) : out;
    } finally {
      this.callStack.pop();
      if (node) this.callSites.pop();
      // Keys created inside a call stay tracked; uses recorded against caller keys are kept too.
      void savedKeys;
    }
  }

  private checkAnnotatedArgs(decl: ts.FunctionLikeDeclaration, args: readonly Value[], node: ts.CallExpression, mod: ModuleRecord): Map<string, Dim> {
    const bound = new Map<string, Dim>();
    decl.parameters.forEach((p, i) => {
      const ann = this.annotationOf(p, mod);
      const a = args[i];
      if (!ann?.shape || a?.kind !== "array" || !a.shape) return;
      const problem = matchAnnotation(ann.shape, a.shape, bound);
      if (problem) {
        this.report(node.arguments[i] ?? node, "error", "shape/argument",
          `argument \`${p.name.getText()}\` of ${decl.name?.getText() ?? "the function"} is annotated ${ann.text}: ${problem}.`);
      }
    });
    return bound;
  }
}

// ---- helpers ----------------------------------------------------------------------------------

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

function skipParens(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  return e;
}

function namesOf(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((el) => (ts.isOmittedExpression(el) ? [] : namesOf(el.name)));
}

function propName(n: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n) || ts.isPrivateIdentifier(n)) return n.text;
  return undefined;
}

/** `v` with the value at `path` (field names, list indices; undefined: an index we cannot read) replaced. */
function replaceAt(v: Value, path: readonly (string | number | undefined)[], value: Value): Value {
  if (path.length === 0) return value;
  const [k, ...rest] = path;
  if (v.kind === "object" && typeof k === "string") {
    const fields = new Map(v.fields);
    fields.set(k, replaceAt(v.fields.get(k) ?? unknown, rest, value));
    return { kind: "object", fields };
  }
  if (v.kind === "module" && typeof k === "string" && v.fields) {
    const fields = new Map(v.fields);
    fields.set(k, replaceAt(v.fields.get(k) ?? unknown, rest, value));
    return { ...v, fields };
  }
  if (v.kind === "list" && typeof k === "number" && Number.isInteger(k) && k >= 0 && k < v.items.length) {
    const items = [...v.items];
    items[k] = replaceAt(items[k]!, rest, value);
    return { kind: "list", items };
  }
  if ((v.kind === "list" || v.kind === "seq") && (k === undefined || typeof k === "number") && rest.length === 0) {
    // An index we cannot place: any item may now be the new value.
    return seqOf([...itemsOf(v), value].reduce(join));
  }
  if (v.kind === "module") return v;
  return unknown;
}

/** The i-th element when destructuring: a list's item, or an array's slice along axis 0. */
export function indexValue(v: Value, i: number): Value {
  if (v.kind === "list") return v.items[i] ?? unknown;
  if (v.kind === "seq") return v.item;
  if (v.kind === "array") {
    return arrayOf(v.shape ? v.shape.slice(1) : null, v.dtype, {
      traced: v.traced, deps: v.deps, keyId: v.keyId !== undefined ? `${v.keyId}/${i}` : undefined,
      origin: { op: "destructuring", rule: "an array iterates over its first axis" },
    });
  }
  return unknown;
}

function restOf(v: Value, i: number): Value {
  if (v.kind === "seq") return v;
  return v.kind === "list" ? { kind: "list", items: v.items.slice(i) } : unknown;
}

function elementOf(v: Value): Value {
  if (v.kind === "list") return v.items.length ? v.items.reduce(join) : unknown;
  if (v.kind === "seq") return v.item;
  if (v.kind === "array") { const item = indexValue(v, 0) as ArrayValue; return { ...item, keyId: v.keyId !== undefined ? `${v.keyId}/*` : undefined }; }
  return unknown;
}

const unknownList = (): Value => unknown;

/** JS array methods that change the array they are called on. */
const LIST_MUTATORS = new Set(["push", "unshift", "pop", "shift", "splice", "sort", "reverse", "fill", "copyWithin"]);

/** The list after `xs.<name>(...args)`. */
function mutatedList(self: ListValue | SeqValue, name: string, args: readonly Value[]): Value {
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
function mutatorResult(self: ListValue | SeqValue, name: string, args: readonly Value[]): Value {
  switch (name) {
    case "push": case "unshift": return self.kind === "list" ? num(self.items.length + args.length) : num();
    case "pop": return self.kind === "list" ? self.items[self.items.length - 1] ?? { kind: "null" } : self.item;
    case "shift": return self.kind === "list" ? self.items[0] ?? { kind: "null" } : self.item;
    case "splice": return seqOf(itemsOf(self).length ? itemsOf(self).reduce(join) : unknown);
    default: return self;
  }
}

function traced(v: Value): Value {
  if (v.kind === "array") return { ...v, traced: true };
  if (v.kind === "list") return { kind: "list", items: v.items.map(traced) };
  if (v.kind === "object") return { kind: "object", fields: new Map([...v.fields].map(([k, x]) => [k, traced(x)])) };
  return v;
}

function compoundBase(op: ts.SyntaxKind): ts.SyntaxKind {
  switch (op) {
    case ts.SyntaxKind.PlusEqualsToken: return ts.SyntaxKind.PlusToken;
    case ts.SyntaxKind.MinusEqualsToken: return ts.SyntaxKind.MinusToken;
    case ts.SyntaxKind.AsteriskEqualsToken: return ts.SyntaxKind.AsteriskToken;
    case ts.SyntaxKind.SlashEqualsToken: return ts.SyntaxKind.SlashToken;
    default: return op;
  }
}

function arith(op: ts.SyntaxKind, l: Value, r: Value): Value {
  if (l.kind === "string" || r.kind === "string") return { kind: "string" };
  if (l.kind !== "number" || r.kind !== "number" || l.value === undefined || r.value === undefined) {
    // Symbolic sizes: B * 4 stays a product expression, used as a dim.
    if (op === ts.SyntaxKind.AsteriskToken && l.kind === "number" && r.kind === "number" && l.dim !== undefined && r.dim !== undefined) return num(undefined, `${l.dim}*${r.dim}`);
    return num();
  }
  const a = l.value, b = r.value;
  switch (op) {
    case ts.SyntaxKind.PlusToken: return num(a + b);
    case ts.SyntaxKind.MinusToken: return num(a - b);
    case ts.SyntaxKind.AsteriskToken: return num(a * b);
    case ts.SyntaxKind.SlashToken: return num(a / b);
    case ts.SyntaxKind.PercentToken: return num(a % b);
    case ts.SyntaxKind.AsteriskAsteriskToken: return num(a ** b);
    default: return num();
  }
}

function compare(op: ts.SyntaxKind, l: Value, r: Value): Value {
  const known = (v: Value) => (v.kind === "number" || v.kind === "string" || v.kind === "bool") && v.value !== undefined;
  if (!known(l) || !known(r)) return { kind: "bool" };
  const a = (l as { value: number }).value, b = (r as { value: number }).value;
  switch (op) {
    case ts.SyntaxKind.LessThanToken: return { kind: "bool", value: a < b };
    case ts.SyntaxKind.GreaterThanToken: return { kind: "bool", value: a > b };
    case ts.SyntaxKind.LessThanEqualsToken: return { kind: "bool", value: a <= b };
    case ts.SyntaxKind.GreaterThanEqualsToken: return { kind: "bool", value: a >= b };
    case ts.SyntaxKind.EqualsEqualsEqualsToken: case ts.SyntaxKind.EqualsEqualsToken: return { kind: "bool", value: a === b };
    default: return { kind: "bool", value: a !== b };
  }
}

/** A key for memoizing calls: what the callee can observe of its arguments. */
/** A counted loop runs concretely for at most this many iterations before its fixpoint. */
const MAX_UNROLLED = 64;
/**
 * From this iteration on, an iteration that changed only numbers (its counters, a running
 * total) ends the concrete run: the iterations left would repeat it (a training loop's 100
 * steps each re-run the step: ~0.6 s of the tutorial's first analysis), and the fixpoint
 * covers them. Shorter loops stay exact, so a size computed in a few steps stays known.
 */
const STEADY_AFTER = 4;

function onlyNumbersChanged(olds: ReadonlyMap<Binding, Value>): boolean {
  for (const [b, old] of olds) if (!(old.kind === "number" && b.value.kind === "number") && !sameValue(old, b.value)) return false;
  return true;
}

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

/** True when a loop body can leave early (break/continue/return/throw), so it cannot be unrolled blindly. */
const jumps = new WeakMap<ts.Node, boolean>();
function containsJump(node: ts.Node): boolean {
  const known = jumps.get(node);
  if (known !== undefined) return known;
  const out = findJump(node);
  jumps.set(node, out);
  return out;
}

function findJump(node: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || ts.isFunctionLike(n)) return;
    if (ts.isBreakStatement(n) || ts.isContinueStatement(n) || ts.isReturnStatement(n) || ts.isThrowStatement(n)) { found = true; return; }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

/** Every function-like node of a file with a body (analyzed on its own if no call reached it). */
export function collectFunctions(sf: ts.SourceFile): ts.FunctionLikeDeclaration[] {
  const out: ts.FunctionLikeDeclaration[] = [];
  const visit = (n: ts.Node): void => {
    if ((ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isMethodDeclaration(n)) && n.body) out.push(n);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

function short(s: string): string {
  const one = s.replace(/\s+/g, " ");
  return one.length > 40 ? `${one.slice(0, 39)}…` : one;
}

export { traced as tracedValue, skipParens };
export type { Closure, Frame, ModuleRecord };
export type { ArrayValue };
