/** Small readings of the TypeScript AST that several parts of the interpreter share. */
import ts from "typescript";

/** The expression under parentheses, `as`, `!` and `satisfies`. */
export function skipParens(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  return e;
}

/** A property name as written (`a`, `"a"`, `0`, `#a`); undefined when computed. */
export function propName(n: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n) || ts.isPrivateIdentifier(n)) return n.text;
  return undefined;
}

/** Every name a binding pattern declares. */
export function namesOf(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((el) => (ts.isOmittedExpression(el) ? [] : namesOf(el.name)));
}

/** Source text on one line, cut to 40 characters, for messages. */
export function short(s: string): string {
  const one = s.replace(/\s+/g, " ");
  return one.length > 40 ? `${one.slice(0, 39)}…` : one;
}
