/**
 * Inputs for a function's parameters from its shape annotations (`x: f32<"B 784">`): random
 * arrays of those shapes, symbolic dims bound by `--dim B=32`. The annotations are read with
 * TypeScript's parser (from the user's project, else the runner's), loaded only for functions
 * that take parameters.
 */
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import type * as TS from "typescript";
import type { DTypeName } from "./protocol.js";
import { parseShapeSpec } from "../shape/annotation.js";
import { DTYPES, SHORT_NAME } from "../dtype.js";

export class InputError extends Error { override name = "InputError"; }

export interface ParamSpec {
  readonly name: string;
  readonly kind: "array" | "key";
  readonly dtype: DTypeName;
  readonly shape: number[];
}

const DTYPE_OF: Record<string, DTypeName> = Object.fromEntries(DTYPES.map((d) => [SHORT_NAME[d], d]));
const HOW = `annotate each parameter with the engine's shape types, e.g. \`export function f(x: f32<"B 784">, key: PRNGKey)\` (import type { f32, PRNGKey } from "tensorlens"), and bind symbolic dims with --dim B=32`;

function loadTypescript(fromFile: string): typeof TS {
  for (const base of [fromFile, import.meta.filename]) {
    try { return createRequire(base)("typescript") as typeof TS; } catch { /* next */ }
  }
  throw new InputError(`reading parameter annotations needs the "typescript" package; install it in your project (npm install -D typescript)`);
}

/** The specs of the first `required` parameters of the exported function `fn` in `file`. */
export function paramSpecs(file: string, fn: string, required: number, dims: Readonly<Record<string, number>>): ParamSpec[] {
  const ts = loadTypescript(file);
  const sf = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const decl = findFunction(ts, sf, fn);
  if (!decl) throw new InputError(`${fn} takes ${required} parameter(s) but its declaration was not found in ${file} to read their annotations; ${HOW}`);
  const specs: ParamSpec[] = [];
  for (const p of decl.parameters.slice(0, required)) {
    const name = p.name.getText(sf);
    const where = `${file}:${sf.getLineAndCharacterOfPosition(p.getStart(sf)).line + 1}`;
    const type = p.type;
    if (!type || !ts.isTypeReferenceNode(type)) throw new InputError(`cannot make an input for parameter "${name}" of ${fn} (${where}): it has no shape annotation; ${HOW}`);
    const typeName = ts.isIdentifier(type.typeName) ? type.typeName.text : type.typeName.right.text;
    if (typeName === "PRNGKey") { specs.push({ name, kind: "key", dtype: "uint32", shape: [2] }); continue; }
    const dtype = DTYPE_OF[typeName];
    const arg = type.typeArguments?.[0];
    if (!dtype || !arg || !ts.isLiteralTypeNode(arg) || !ts.isStringLiteral(arg.literal)) {
      throw new InputError(`cannot make an input for parameter "${name}: ${type.getText(sf)}" of ${fn} (${where}): it needs a dtype and a shape; ${HOW}`);
    }
    specs.push({ name, kind: "array", dtype, shape: bindDims(arg.literal.text, dims, `${name}: ${type.getText(sf)}`, fn, where) });
  }
  return specs;
}

function bindDims(spec: string, dims: Readonly<Record<string, number>>, param: string, fn: string, where: string): number[] {
  const parsed = parseShapeSpec(spec);
  const open = parsed === null || parsed.includes(null);
  if (open) {
    throw new InputError(`cannot make an input for parameter ${param} of ${fn} (${where}): its shape "${spec}" has dims of unknown size ("...", "_" or "?"); write every dim as a number or a named dim`);
  }
  const unbound = (parsed as (number | string)[]).filter((d): d is string => typeof d === "string" && dims[d] === undefined);
  if (unbound.length) {
    throw new InputError(`dim ${unbound.join(", ")} of parameter ${param} of ${fn} (${where}) is unbound: pass ${unbound.map((d) => `--dim ${d}=<size>`).join(" ")}`);
  }
  return (parsed as (number | string)[]).map((d) => (typeof d === "number" ? d : dims[d]!));
}

function findFunction(ts: typeof TS, sf: TS.SourceFile, name: string): TS.SignatureDeclaration | undefined {
  for (const st of sf.statements) {
    if (ts.isFunctionDeclaration(st) && st.name?.text === name) return st;
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        let init = d.initializer;
        while (init && (ts.isParenthesizedExpression(init) || ts.isAsExpression(init) || ts.isSatisfiesExpression(init))) init = init.expression;
        if (ts.isIdentifier(d.name) && d.name.text === name && init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) return init;
      }
    }
  }
  return undefined;
}

/** What the inputs are made with: the user's engine, as loaded by the child. */
export interface EngineForInputs {
  random: {
    key(seed: number): unknown;
    split(k: unknown, n: number): { get?(i: number): unknown } | unknown;
    normal(k: unknown, shape: number[], dtype?: string): unknown;
    randint(k: unknown, shape: number[], lo: number, hi: number, dtype?: string): unknown;
    bernoulli(k: unknown, p: number, shape: number[]): unknown;
  };
}

/** Random inputs: floats ~ N(0, 1), integers in [0, 10), booleans fair; keys from seed i. Deterministic. */
export function makeInputs(engine: EngineForInputs, specs: readonly ParamSpec[]): unknown[] {
  const r = engine.random;
  return specs.map((s, i) => {
    const k = r.key(i);
    if (s.kind === "key") return k;
    switch (s.dtype) {
      case "int32": case "uint32": return r.randint(k, s.shape, 0, 10, s.dtype);
      case "bool": return r.bernoulli(k, 0.5, s.shape);
      default: return r.normal(k, s.shape, s.dtype);
    }
  });
}
