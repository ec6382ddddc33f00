/**
 * A hint is what the engine computes, or `?`: every correct corpus program is run by the engine
 * (imported from "tensorlens", i.e. engine/dist: build it with `npx tsc -p engine`), with a
 * recorder after each variable declaration, and each value the engine records must fit the
 * server's hint for that name (same rank, same sizes and dtype except where the hint says `?`;
 * the same tree). Declarations inside functions are recorded on every call (jit, vmap, grad and
 * scan record tracers, whose shapes are the per-call ones), and the hint must hold for all.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { Interpreter } from "../../language-server/src/analysis/interpreter.js";
import { formatValue } from "../../language-server/src/analysis/format.js";
import type { Value } from "../../language-server/src/analysis/values.js";
import { corpusDir, repoRoot } from "./lspClient.js";

/** What the engine recorded: arrays as shape + dtype, JS arrays and plain objects as trees. */
type Real =
  | { kind: "array"; shape: number[]; dtype: string }
  | { kind: "list"; items: Real[] }
  | { kind: "object"; fields: Map<string, Real> }
  | { kind: "other" };

function toReal(v: unknown, depth = 0): Real {
  if (depth > 8 || v === null || v === undefined) return { kind: "other" };
  if (typeof v === "object" && Array.isArray((v as { shape?: unknown }).shape) && typeof (v as { dtype?: unknown }).dtype === "string") {
    return { kind: "array", shape: [...(v as { shape: number[] }).shape], dtype: (v as { dtype: string }).dtype };
  }
  if (Array.isArray(v)) return { kind: "list", items: v.map((x) => toReal(x, depth + 1)) };
  if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    return { kind: "object", fields: new Map(Object.entries(v as object).map(([k, x]) => [k, toReal(x, depth + 1)])) };
  }
  return { kind: "other" };
}

const show = (r: Real): string => r.kind === "array" ? `${r.dtype}[${r.shape.join(",")}]`
  : r.kind === "list" ? `[${r.items.map(show).join(", ")}]`
  : r.kind === "object" ? `{${[...r.fields].map(([k, x]) => `${k}: ${show(x)}`).join(", ")}}` : "·";

/** Why the hint does not hold for the real value, or undefined when it does. */
function misfit(hint: Value, real: Real, path = ""): string | undefined {
  const at = path ? ` at ${path}` : "";
  switch (hint.kind) {
    case "array": {
      if (real.kind !== "array") return `hint ${formatValue(hint)}, engine ${show(real)}${at}`;
      if (hint.dtype !== null && hint.dtype !== real.dtype) return `dtype: hint ${hint.dtype}, engine ${real.dtype}${at}`;
      if (hint.shape === null) return undefined;
      if (hint.shape.length !== real.shape.length) return `rank: hint ${formatValue(hint)}, engine ${show(real)}${at}`;
      const k = hint.shape.findIndex((d, i) => typeof d === "number" && d !== real.shape[i]);
      return k >= 0 ? `shape: hint ${formatValue(hint)}, engine ${show(real)}${at}` : undefined;
    }
    case "list": {
      if (real.kind !== "list" || real.items.length !== hint.items.length) return `hint ${formatValue(hint) ?? "a list"} (${hint.items.length} items), engine ${show(real)}${at}`;
      for (let i = 0; i < hint.items.length; i++) { const m = misfit(hint.items[i]!, real.items[i]!, `${path}[${i}]`); if (m) return m; }
      return undefined;
    }
    case "seq": {
      if (real.kind !== "list") return `hint ${formatValue(hint)}, engine ${show(real)}${at}`;
      for (let i = 0; i < real.items.length; i++) { const m = misfit(hint.item, real.items[i]!, `${path}[${i}]`); if (m) return m; }
      return undefined;
    }
    case "object": {
      if (real.kind !== "object") return `hint ${formatValue(hint) ?? "an object"}, engine ${show(real)}${at}`;
      for (const [k, x] of hint.fields) {
        const r = real.fields.get(k);
        if (!r) { if (formatValue(x) !== undefined) return `hint has ${k}, engine does not${at}`; continue; }
        const m = misfit(x, r, path ? `${path}.${k}` : k);
        if (m) return m;
      }
      return undefined;
    }
    default: return undefined;
  }
}

/** The declaration name a hint belongs to (its identifier), or undefined. */
function declName(node: ts.Node): ts.Identifier | undefined {
  if (ts.isIdentifier(node) && (ts.isVariableDeclaration(node.parent) || ts.isBindingElement(node.parent))) return node;
  if (ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name)) return node.parent.name;
  return undefined;
}

/** The program with `__tlRecord(position, value)` after every variable statement, for each name it declares. */
function instrument(sf: ts.SourceFile): string {
  const inserts: { at: number; text: string }[] = [];
  const names = (n: ts.BindingName): ts.Identifier[] => ts.isIdentifier(n) ? [n] : n.elements.flatMap((e) => (ts.isOmittedExpression(e) ? [] : names(e.name)));
  const visit = (n: ts.Node): void => {
    if (ts.isVariableStatement(n) && (ts.isBlock(n.parent) || ts.isSourceFile(n.parent) || ts.isCaseClause(n.parent) || ts.isDefaultClause(n.parent))) {
      const ids = n.declarationList.declarations.flatMap((d) => names(d.name));
      if (ids.length) inserts.push({ at: n.getEnd(), text: ` (globalThis as any).__tlRecord(${ids.map((id) => `${id.getStart(sf)}, ${id.text}`).join(", ")});` });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  let text = sf.text;
  for (const { at, text: t } of inserts.sort((a, b) => b.at - a.at)) text = text.slice(0, at) + t + text.slice(at);
  return text;
}

const files = readdirSync(corpusDir).filter((f) => f.endsWith(".ts") && !f.startsWith("bugs-")).sort();
const work = mkdtempSync(join(tmpdir(), "tl-engine-hints-"));
mkdirSync(join(work, "node_modules"));
symlinkSync(join(repoRoot, "engine"), join(work, "node_modules", "tensorlens"), "dir");
process.on("exit", () => rmSync(work, { recursive: true, force: true }));

for (const file of files) {
  test(`engine agrees with the hints: ${file}`, async () => {
    const text = readFileSync(join(corpusDir, file), "utf8");
    const sf = ts.createSourceFile(join(corpusDir, file), text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const it = new Interpreter(sf, { resolveModule: () => undefined });
    it.run();

    const records = new Map<number, Real[]>();
    (globalThis as { __tlRecord?: unknown }).__tlRecord = (...xs: unknown[]) => {
      for (let i = 0; i < xs.length; i += 2) {
        const list = records.get(xs[i] as number) ?? [];
        list.push(toReal(xs[i + 1]));
        records.set(xs[i] as number, list);
      }
    };
    const copy = join(work, file);
    writeFileSync(copy, instrument(sf));
    await import(pathToFileURL(copy).href);

    const problems: string[] = [];
    let checked = 0;
    for (const { node, value } of it.hints.values()) {
      const id = declName(node);
      if (!id) continue;
      const seen = records.get(id.getStart(sf));
      if (!seen) continue;
      const line = sf.getLineAndCharacterOfPosition(id.getStart(sf)).line + 1;
      for (const real of seen) {
        checked++;
        const m = misfit(value, real);
        if (m) { problems.push(`${file}:${line} ${id.text}: ${m}`); break; }
      }
    }
    assert.deepEqual(problems, []);
    assert.ok(checked > 0, `${file}: no hint was checked against the engine`);
  });
}
