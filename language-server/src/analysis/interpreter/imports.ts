/**
 * The user's ES modules: the target file and the user modules it imports (each loaded once,
 * quietly). An import binds engine names (from "tensorlens") or another module's exports; an
 * imported module runs only the top-level statements the imported names need (focus.ts), and a
 * later import that needs more runs the rest.
 */
import ts from "typescript";
import type { Interpreter } from "../interpreter.js";
import { topFrame, type ModuleRecord } from "./frames.js";
import { Scope } from "../scope.js";
import { unknown, type Value } from "../values.js";
import { statementsForNames } from "../focus.js";
import { hoist } from "./statements.js";
import { namesOf } from "./syntax.js";

const ENGINE_MODULE = /^tensorlens(\/.*)?$/;

/** Loads a module once (without names, everything runs). */
export function loadModule(it: Interpreter, file: ts.SourceFile, quiet: boolean, names?: ReadonlySet<string>): ModuleRecord {
  const existing = it.modules.get(file.fileName);
  if (existing) {
    if (existing.done && existing.skipped.length && !(names && existing.seeds && [...names].every((n) => existing.seeds!.has(n)))) runSkipped(it, existing);
    return existing;
  }
  // A module that exports local names in an export list, or a default import, is run whole.
  const local = file.statements.some((st) => ts.isExportDeclaration(st) && !st.moduleSpecifier) || names?.has("default");
  const seeds = file !== it.target && names && !local ? names : undefined;
  const mod: ModuleRecord = { file, scope: new Scope(undefined, 0), exports: new Map(), engineNames: new Map(), done: false, skipped: [], seeds };
  it.modules.set(file.fileName, mod);
  const wanted = seeds ? statementsForNames(file, seeds) : undefined;
  const saved = it.frame;
  it.frame = topFrame(mod, quiet);
  try {
    for (const st of file.statements) if (ts.isImportDeclaration(st)) bindImport(it, st, mod);
    hoist(it, file.statements, mod.scope);
    for (const st of file.statements) {
      if (ts.isImportDeclaration(st)) continue;
      if (file === it.target && it.needed && !it.needed.has(st)) continue;
      if (wanted && !wanted.has(st) && (ts.isVariableStatement(st) || ts.isExpressionStatement(st) || ts.isIfStatement(st) || ts.isIterationStatement(st, false))) {
        mod.skipped.push(st);
        continue;
      }
      it.exec(st, mod.scope);
      collectExports(it, st, mod);
    }
  } finally {
    mod.done = true;
    it.frame = saved;
  }
  return mod;
}

/** Runs the statements an import skipped (another import needs more of the module). */
function runSkipped(it: Interpreter, mod: ModuleRecord): void {
  const skipped = mod.skipped.splice(0);
  mod.seeds = undefined;
  it.withFrame(topFrame(mod, true), () => {
    for (const st of skipped) { it.exec(st, mod.scope); collectExports(it, st, mod); }
  });
}

function bindImport(it: Interpreter, st: ts.ImportDeclaration, mod: ModuleRecord): void {
  const clause = st.importClause;
  if (!clause || !ts.isStringLiteral(st.moduleSpecifier)) return;
  const spec = st.moduleSpecifier.text;
  const nb = clause.namedBindings;
  if (ENGINE_MODULE.test(spec)) {
    if (clause.name) bindEngine(mod, clause.name.text, "");
    if (nb && ts.isNamespaceImport(nb)) bindEngine(mod, nb.name.text, "");
    else if (nb) for (const el of nb.elements) bindEngine(mod, el.name.text, (el.propertyName ?? el.name).getText());
    return;
  }
  const target = it.host.resolveModule(spec, mod.file);
  // A module in a cycle is returned while still loading: its exports so far are what we know.
  const wanted = !clause.name && nb && ts.isNamedImports(nb) ? new Set(nb.elements.map((el) => (el.propertyName ?? el.name).getText())) : undefined;
  const other = target ? loadModule(it, target, true, wanted) : undefined;
  const get = (name: string): Value => other?.exports.get(name) ?? unknown;
  if (clause.name) declareImported(mod, clause.name.text, get("default"), other, "default");
  if (nb && ts.isNamespaceImport(nb)) {
    mod.scope.declare(nb.name.text, other ? { kind: "object", fields: other.exports } : unknown);
  } else if (nb) {
    for (const el of nb.elements) declareImported(mod, el.name.text, get((el.propertyName ?? el.name).getText()), other, (el.propertyName ?? el.name).getText());
  }
}

function declareImported(mod: ModuleRecord, local: string, value: Value, other: ModuleRecord | undefined, exported: string): void {
  mod.scope.declare(local, value);
  // Re-exported engine names keep their engine identity (for annotations and fixes).
  const path = other?.engineNames.get(exported);
  if (path !== undefined) mod.engineNames.set(local, path);
  else if (value.kind === "engine" && !value.self) mod.engineNames.set(local, value.path);
}

function bindEngine(mod: ModuleRecord, local: string, path: string): void {
  mod.scope.declare(local, { kind: "engine", path });
  mod.engineNames.set(local, path);
}

/** What a top-level statement adds to the module's exports. */
function collectExports(it: Interpreter, st: ts.Statement, mod: ModuleRecord): void {
  const modifiers = ts.canHaveModifiers(st) ? ts.getModifiers(st) : undefined;
  const exported = modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const isDefault = modifiers?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
  const lookup = (n: string) => mod.scope.vars.get(n)?.value ?? unknown;
  if (exported && ts.isVariableStatement(st)) {
    for (const d of st.declarationList.declarations) for (const n of namesOf(d.name)) mod.exports.set(n, lookup(n));
  } else if (exported && (ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) {
    mod.exports.set(isDefault ? "default" : st.name.text, lookup(st.name.text));
  } else if (ts.isExportAssignment(st)) {
    mod.exports.set("default", it.eval(st.expression, mod.scope));
  } else if (ts.isExportDeclaration(st)) {
    exportDeclaration(it, st, mod);
  }
}

/** `export { a as b }`, `export * from "./m"`, `export { np } from "tensorlens"`. */
function exportDeclaration(it: Interpreter, st: ts.ExportDeclaration, mod: ModuleRecord): void {
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
  const other = spec ? it.host.resolveModule(spec, mod.file) : undefined;
  const from = other ? loadModule(it, other, true) : undefined;
  if (!st.exportClause) {
    if (from) for (const [k, v] of from.exports) { mod.exports.set(k, v); const p = from.engineNames.get(k); if (p !== undefined) mod.engineNames.set(k, p); }
  } else if (ts.isNamedExports(st.exportClause)) {
    for (const el of st.exportClause.elements) {
      const src = (el.propertyName ?? el.name).getText();
      const v = from ? from.exports.get(src) ?? unknown : mod.scope.vars.get(src)?.value ?? unknown;
      mod.exports.set(el.name.text, v);
      const p = from ? from.engineNames.get(src) : mod.engineNames.get(src);
      if (p !== undefined) mod.engineNames.set(el.name.text, p);
    }
  }
}
