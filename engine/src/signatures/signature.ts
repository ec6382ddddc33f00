/**
 * Declared signatures: one line of text per public function, parsed once at load time.
 *
 *   "sum(x: array, axis?: axes | null, *, keepdims?: bool = false, dtype?: dtype) ~1"
 *
 * - parameters in numpy's positional order; `?` marks an optional one, `= value` its default
 *   (JSON); `*` starts the keyword-only ones (accepted only in the trailing options object);
 *   `...name: type` collects the remaining positional arguments.
 * - every optional parameter may also be given in a trailing options object
 *   (`np.sum(x, 1)` is `np.sum(x, { axis: 1 })`), as numpy's keywords are.
 * - `~N` says how the implementation wants its arguments: the first N parameters positionally
 *   and the rest in one options object. Without it, all parameters positionally, in order.
 *
 * This module is pure data and pure functions (no engine imports): the engine derives its
 * argument validation from it (api/declared.ts), the language server reads the same
 * declarations (language-server/src/analysis/engineShapes.ts), and so does the coverage page
 * generator (scripts/api-coverage.ts).
 */

export type Kind =
  | "array" | "arrays" | "int" | "number" | "bool" | "string" | "axes" | "shape" | "ints" | "numbers"
  | "dtype" | "fn" | "fns" | "key" | "tree" | "object" | "any" | "null" | "slice" | "list" | "bigint";

export interface TypeAtom { readonly kind: Kind | "literal"; readonly value?: string }

export interface Param {
  readonly name: string;
  readonly types: readonly TypeAtom[];
  readonly optional: boolean;
  readonly keywordOnly: boolean;
  readonly rest: boolean;
  readonly hasDefault: boolean;
  readonly default?: unknown;
  readonly nullable: boolean;
  /** A plain object here is this parameter's value, never the options object. */
  readonly takesObjects: boolean;
}

export interface Signature {
  /** "np.sum", "nn.softmax", "random.normal", "grad" ... */
  readonly path: string;
  readonly name: string;
  readonly params: readonly Param[];
  /** Positional parameters (not keyword-only, not rest), in order. */
  readonly positional: readonly Param[];
  readonly rest: Param | undefined;
  /** Leading positional parameters that are required. */
  readonly required: number;
  readonly byName: ReadonlyMap<string, Param>;
  /** Whether a trailing options object is read: some parameter is optional or not an array. */
  readonly takesOptions: boolean;
  /** Implementation convention: the first N parameters positionally, then one options object. */
  readonly implPositional: number | undefined;
  readonly text: string;
}

const KINDS = new Set<string>(["array", "arrays", "int", "number", "bool", "string", "axes", "shape", "ints", "numbers",
  "dtype", "fn", "fns", "key", "tree", "object", "any", "null", "slice", "list", "bigint"]);

/** Splits at top-level commas (not inside [], (), {} or quotes). */
function splitTop(s: string, sep = ","): string[] {
  const out: string[] = [];
  let depth = 0, quote = "", start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quote) { if (ch === quote) quote = ""; continue; }
    if (ch === '"') quote = ch;
    else if (ch === "[" || ch === "(" || ch === "{") depth++;
    else if (ch === "]" || ch === ")" || ch === "}") depth--;
    else if (ch === sep && depth === 0) { out.push(s.slice(start, i)); start = i + 1; }
  }
  out.push(s.slice(start));
  return out.map((p) => p.trim()).filter((p) => p.length > 0);
}

function parseType(text: string, where: string): TypeAtom[] {
  return splitTop(text, "|").map((t) => {
    if (t.startsWith('"')) return { kind: "literal", value: JSON.parse(t) as string };
    if (!KINDS.has(t)) throw new Error(`signature ${where}: unknown type "${t}"`);
    return { kind: t as Kind };
  });
}

/** Parses one declaration line; `prefix` is the namespace ("np", "nn.initializers", "" for top level). */
export function parseSignature(prefix: string, text: string): Signature {
  const m = /^([A-Za-z_$][\w$]*)\((.*)\)\s*(?:~(\d+))?$/.exec(text.trim());
  if (!m) throw new Error(`cannot parse signature: ${text}`);
  const name = m[1]!;
  const path = prefix ? `${prefix}.${name}` : name;
  const params: Param[] = [];
  let keywordOnly = false;
  for (const part of splitTop(m[2]!)) {
    if (part === "*") { keywordOnly = true; continue; }
    const pm = /^(\.\.\.)?([A-Za-z_$][\w$]*)(\?)?\s*:\s*([^=]+?)\s*(?:=\s*(.+))?$/.exec(part);
    if (!pm) throw new Error(`signature ${path}: cannot parse parameter "${part}"`);
    const types = parseType(pm[4]!, path);
    const hasDefault = pm[5] !== undefined;
    if (pm[1]) keywordOnly = true; // after `...rest`, only keywords
    params.push({
      name: pm[2]!, types, rest: !!pm[1], optional: !!pm[3] || hasDefault || !!pm[1], keywordOnly: keywordOnly && !pm[1],
      hasDefault, default: hasDefault ? JSON.parse(pm[5]!) : undefined,
      nullable: types.some((t) => t.kind === "null" || t.kind === "any" || t.kind === "tree"),
      takesObjects: types.some((t) => t.kind === "tree" || t.kind === "object" || t.kind === "any"),
    });
  }
  const positional = params.filter((p) => !p.keywordOnly && !p.rest);
  let required = 0;
  while (required < positional.length && !positional[required]!.optional) required++;
  return {
    path, name, params, positional, rest: params.find((p) => p.rest), required,
    takesOptions: params.some((p) => !p.rest && (p.optional || p.types.some((t) => t.kind !== "array"))),
    byName: new Map(params.filter((p) => !p.rest).map((p) => [p.name, p])),
    implPositional: m[3] === undefined ? undefined : Number(m[3]), text: text.trim(),
  };
}

/** A table of declarations: namespace prefix -> lines. Aliases are `"alias = name"`. */
export type DeclarationTable = Readonly<Record<string, readonly string[]>>;

/** Parses a table into path -> signature (aliases share their target's parameters). */
export function parseTable(table: DeclarationTable): Map<string, Signature> {
  const out = new Map<string, Signature>();
  for (const [prefix, lines] of Object.entries(table)) {
    for (const line of lines) {
      const alias = /^([\w$]+(?:\s*,\s*[\w$]+)*)\s*=\s*([\w$]+)$/.exec(line.trim());
      if (alias) {
        const target = out.get(prefix ? `${prefix}.${alias[2]}` : alias[2]!);
        if (!target) throw new Error(`alias ${line}: ${alias[2]} is not declared before it`);
        for (const n of alias[1]!.split(",").map((s) => s.trim())) {
          const path = prefix ? `${prefix}.${n}` : n;
          out.set(path, { ...target, path, name: n, text: target.text.replace(/^[\w$]+/, n) });
        }
        continue;
      }
      // "names(x: array)" with several names: "exp, log, sin(x: array)".
      const many = /^([\w$]+(?:\s*,\s*[\w$]+)+)\s*(\(.*)$/.exec(line.trim());
      const names = many ? many[1]!.split(",").map((s) => s.trim()) : [undefined];
      for (const n of names) {
        const sig = parseSignature(prefix, n ? `${n}${many![2]}` : line);
        if (out.has(sig.path)) throw new Error(`${sig.path} is declared twice`);
        out.set(sig.path, sig);
      }
    }
  }
  return out;
}

/** A plain `{ ... }` object: the only thing read as an options object. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Whether the argument at `index` (the last one) is the options object: a plain object, not
 * the first argument of a function with required parameters, where the declared parameter (if
 * any) does not take objects, of a function that has options (an optional or non-array one).
 */
export function isOptionsAt(sig: Signature, index: number, v: unknown): boolean {
  if (!sig.takesOptions || !isPlainObject(v) || (index === 0 && sig.required > 0)) return false;
  const p = index < sig.positional.length ? sig.positional[index]! : sig.rest;
  return !p || !p.takesObjects;
}

const TYPE_WORDS: Record<string, string> = {
  array: "an array, a number, a boolean or a (nested) list of numbers", arrays: "a list of arrays", int: "an integer",
  number: "a number", bool: "a boolean", string: "a string", axes: "an integer or a list of integers",
  shape: "a shape (an integer or a list of non-negative integers)", ints: "a list of integers", numbers: "a list of numbers",
  dtype: "a dtype name (\"float32\", \"int32\", ...)", fn: "a function", fns: "a list of functions",
  key: "a PRNG key (from random.key)", tree: "a pytree", object: "an options object", any: "a value", null: "null", slice: "a slice (np.s(...))", list: "a list", bigint: "a bigint",
};

/** What the parameter accepts, in words: "an integer, a list of integers or null". */
export function describeTypes(p: Param): string {
  const words = p.types.map((t) => (t.kind === "literal" ? JSON.stringify(t.value) : TYPE_WORDS[t.kind]!));
  return words.length === 1 ? words[0]! : `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

/** The TypeScript-ish spelling of a parameter, for docs and hovers. */
export function formatParam(p: Param): string {
  const t = p.types.map((a) => (a.kind === "literal" ? JSON.stringify(a.value) : a.kind)).join(" | ");
  return `${p.rest ? "..." : ""}${p.name}${p.optional && !p.rest ? "?" : ""}: ${t}${p.hasDefault ? ` = ${JSON.stringify(p.default)}` : ""}`;
}

export function formatSignature(sig: Signature): string {
  const parts: string[] = [];
  let kw = false;
  for (const p of sig.params) {
    if (p.keywordOnly && !kw) { parts.push("*"); kw = true; }
    parts.push(formatParam(p));
  }
  return `${sig.path}(${parts.join(", ")})`;
}

/** The closest declared option name, for "did you mean" (edit distance <= 2). */
export function closestName(name: string, names: Iterable<string>): string | undefined {
  let best: string | undefined, bestD = 3;
  for (const n of names) {
    const d = editDistance(name.toLowerCase(), n.toLowerCase());
    if (d < bestD) { best = n; bestD = d; }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}
