/**
 * Range-first analysis: the top-level statements a visible range needs. A statement is needed if
 * it overlaps the range, or comes before it and declares or writes a name that a needed statement
 * reads. Imports and function declarations are always bound (hoisted), so they are not followed.
 * Statements after the range cannot change values inside it and are skipped.
 */
import ts from "typescript";

export interface Focus { readonly start: number; readonly end: number }

export function neededStatements(sf: ts.SourceFile, focus: Focus): Set<ts.Statement> {
  const statements = sf.statements.filter((s) => s.getStart(sf) <= focus.end);
  return follow(sf, statements, (s) => s.getEnd() >= focus.start, new Set());
}

/** The top-level statements an importer of `names` needs: their declarations and what those read or write. */
export function statementsForNames(sf: ts.SourceFile, names: ReadonlySet<string>): Set<ts.Statement> {
  return follow(sf, sf.statements, () => false, new Set(names));
}

function follow(sf: ts.SourceFile, statements: readonly ts.Statement[], seed: (s: ts.Statement) => boolean, names: Set<string>): Set<ts.Statement> {
  void sf;
  const info = statements.map((s) => ({ s, declares: declaredNames(s), mentions: mentionedNames(s) }));
  const needed = new Set<ts.Statement>();
  const add = (k: number) => {
    if (needed.has(info[k]!.s)) return false;
    needed.add(info[k]!.s);
    for (const n of info[k]!.mentions) names.add(n);
    return true;
  };
  info.forEach((x, k) => { if (seed(x.s)) add(k); });
  for (let changed = true; changed;) {
    changed = false;
    info.forEach((x, k) => {
      if (needed.has(x.s) || ts.isImportDeclaration(x.s)) return;
      const declares = [...x.declares].some((n) => names.has(n));
      const writes = x.declares.size === 0 && [...x.mentions].some((n) => names.has(n));
      if (declares || writes) changed = add(k) || changed;
    });
  }
  return needed;
}

function declaredNames(s: ts.Statement): Set<string> {
  const out = new Set<string>();
  const bind = (n: ts.BindingName): void => {
    if (ts.isIdentifier(n)) out.add(n.text);
    else for (const el of n.elements) if (!ts.isOmittedExpression(el)) bind(el.name);
  };
  if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) bind(d.name);
  else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name) out.add(s.name.text);
  return out;
}

function mentionedNames(s: ts.Node): Set<string> {
  const out = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) out.add(n.text);
    ts.forEachChild(n, visit);
  };
  visit(s);
  return out;
}
