/**
 * The user's classes, as Flax-style modules are written: `new Cls(...)` runs the constructor to
 * collect the instance's fields, and a method read from an instance has `this` bound to it.
 */
import ts from "typescript";
import type { Interpreter } from "../interpreter.js";
import type { Closure } from "./frames.js";
import { Scope, type Binding } from "../scope.js";
import type { ClassValue, ModuleValue, ObjectValue, UserFunctionValue, Value } from "../values.js";
import { newModule } from "../modules.js";
import { execBlock } from "./statements.js";
import { bindPattern } from "./patterns.js";
import { MAX_CALL_DEPTH } from "./userCalls.js";
import { propName } from "./syntax.js";

/**
 * `new Cls(...args)` of a user class: its constructor runs with `this` an object that collects
 * the instance's fields (parameter properties, field initializers, `this.x = ...`, and the name
 * given to super()), as module hyperparameters are written for the engine.
 */
export function construct(it: Interpreter, cls: ClassValue, args: readonly Value[]): ModuleValue {
  const decl = cls.decl as ts.ClassLikeDeclaration;
  const closure = cls.closure as Closure;
  const ctor = decl.members.find((x): x is ts.ConstructorDeclaration => ts.isConstructorDeclaration(x) && !!x.body);
  if (it.callStack.length >= MAX_CALL_DEPTH || it.callStack.includes(decl)) return newModule(undefined, cls, args);
  const fnDepth = it.callStack.length + 1;
  const scope = new Scope(closure.scope, fnDepth);
  const self = scope.declare("this", { kind: "object", fields: new Map() });
  it.callStack.push(decl);
  try {
    it.withFrame({ fnDepth, jit: it.frame.jit, jitFnDepth: it.frame.jitFnDepth, quiet: true, module: closure.module, returns: undefined }, () =>
      runConstructor(it, decl, ctor, scope, self, args));
  } finally {
    it.callStack.pop();
  }
  const fields = self.value.kind === "object" ? self.value.fields : new Map<string, Value>();
  // Without a constructor, the arguments go to nn.Module's constructor, which reads only { name }.
  if (!ctor) { const n = args[0]?.kind === "object" ? args[0].fields.get("name") : undefined; if (n) (fields as Map<string, Value>).set("name", n); }
  return newModule(undefined, cls, args, fields);
}

/** Parameter properties, then field initializers, then the constructor's body, each writing fields of `this`. */
function runConstructor(it: Interpreter, decl: ts.ClassLikeDeclaration, ctor: ts.ConstructorDeclaration | undefined, scope: Scope, self: Binding, args: readonly Value[]): void {
  const setField = (k: string, v: Value) => { const f = new Map((self.value as ObjectValue).fields ?? []); f.set(k, v); self.value = { kind: "object", fields: f }; };
  ctor?.parameters.forEach((p, i) => {
    let v: Value = p.dotDotDotToken ? { kind: "list", items: args.slice(i) } : args[i] ?? { kind: "null" };
    if (p.initializer && v.kind === "null") v = it.eval(p.initializer, scope);
    bindPattern(it, p.name, v, scope, false);
    if (ts.isIdentifier(p.name) && (ts.getModifiers(p)?.length ?? 0) > 0) setField(p.name.text, v);
  });
  for (const m of decl.members) {
    if (!ts.isPropertyDeclaration(m) || !m.initializer || ts.getModifiers(m)?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword)) continue;
    const k = propName(m.name);
    if (k !== undefined) setField(k, it.eval(m.initializer, scope));
  }
  if (ctor?.body) execBlock(it, ctor.body.statements, scope);
}

/** A method of a user module class, with `this` bound to the instance. */
export function moduleMethod(it: Interpreter, m: ModuleValue, name: string): UserFunctionValue | undefined {
  const cls = m.cls;
  if (!cls) return undefined;
  const decl = cls.decl as ts.ClassDeclaration;
  const method = decl.members.find((x): x is ts.MethodDeclaration => ts.isMethodDeclaration(x) && !!x.body && propName(x.name) === name);
  if (!method) return undefined;
  const base = it.createdIn.get(method) ?? (cls.closure as Closure);
  const scope = new Scope(base.scope, base.scope.fnDepth);
  scope.declare("this", m);
  return it.makeFunction(method, { scope, module: base.module });
}
