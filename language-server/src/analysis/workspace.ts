/**
 * The open documents and the user modules they import, parsed under the user's tsconfig. Edits
 * are kept as change ranges (IScriptSnapshot.getChangeRange) so each new version of a document
 * is reparsed incrementally (ts.updateSourceFile). No program and no type checker is ever
 * created: a language service creates one
 * on every edit (synchronizeHostData binds every file, ~20 ms on a 2,000-line file), and the
 * analysis reads only syntax and module resolution.
 */
import ts from "typescript";
import { dirname } from "node:path";
import { analyzeFile } from "./analyzeFile.js";
import type { ModuleHost } from "./interpreter.js";
import type { AnalysisResult } from "./results.js";
import type { Focus } from "./focus.js";

/** Text of one version of a document, and how it differs from the previous one. */
class DocumentSnapshot implements ts.IScriptSnapshot {
  constructor(
    readonly text: string,
    public prev: DocumentSnapshot | undefined,
    readonly change: ts.TextChangeRange | undefined,
  ) {}
  getText(start: number, end: number): string { return this.text.substring(start, end); }
  getLength(): number { return this.text.length; }
  getChangeRange(old: ts.IScriptSnapshot): ts.TextChangeRange | undefined {
    const changes: ts.TextChangeRange[] = [];
    for (let s: DocumentSnapshot | undefined = this; s; s = s.prev) {
      if (s === old) return ts.collapseTextChangeRangesAcrossMultipleVersions(changes.reverse());
      if (!s.change) return undefined;
      changes.push(s.change);
    }
    return undefined;
  }
}

/** How far back a snapshot remembers its ancestors (an incremental parse asks for the last parse's). */
const HISTORY = 8;

interface OpenDocument { version: number; snapshot: DocumentSnapshot }

export interface OffsetEdit { readonly start: number; readonly end: number; readonly text: string }

export class Workspace {
  private readonly docs = new Map<string, OpenDocument>();
  /** The last parse of each open document, with the snapshot it was parsed from (for incremental reparses). */
  private readonly parsed = new Map<string, { snapshot: DocumentSnapshot; sf: ts.SourceFile }>();
  private readonly diskFiles = new Map<string, ts.SourceFile | undefined>();
  private readonly options: ts.CompilerOptions;
  private readonly cache = new Map<string, { version: number; generation: number; result: AnalysisResult }>();
  private generation = 0;
  private readonly resolutionCache: ts.ModuleResolutionCache;

  constructor(private readonly root: string = process.cwd()) {
    this.options = loadOptions(root);
    this.resolutionCache = ts.createModuleResolutionCache(root, (s) => s, this.options);
  }

  open(fileName: string, text: string, version: number): void {
    this.docs.set(fileName, { version, snapshot: new DocumentSnapshot(text, undefined, undefined) });
    this.generation++;
  }

  /** Applies edits in order (each against the text the previous one produced). */
  edit(fileName: string, edits: readonly OffsetEdit[], version: number): void {
    const doc = this.docs.get(fileName);
    if (!doc) return;
    let snap = doc.snapshot;
    for (const e of edits) {
      const text = snap.text.slice(0, e.start) + e.text + snap.text.slice(e.end);
      snap = new DocumentSnapshot(text, snap, ts.createTextChangeRange(ts.createTextSpan(e.start, e.end - e.start), e.text.length));
    }
    trimHistory(snap);
    doc.snapshot = snap;
    doc.version = version;
    this.generation++;
    // Results of the old text are stale, and each holds its syntax tree (hovers are built from
    // it on demand): kept, an old tree pins later ones through the nodes incremental parses
    // share (their parent pointers move to the newest tree that reused them), ~0.1 MiB an edit.
    this.cache.delete(fileName);
    if (this.focused?.key.startsWith(`${fileName}@`)) this.focused = undefined;
  }

  replace(fileName: string, text: string, version: number): void {
    const doc = this.docs.get(fileName);
    if (!doc) return this.open(fileName, text, version);
    this.edit(fileName, [{ start: 0, end: doc.snapshot.text.length, text }], version);
  }

  close(fileName: string): void {
    this.docs.delete(fileName);
    this.parsed.delete(fileName);
    this.cache.delete(fileName);
    this.generation++;
  }

  text(fileName: string): string | undefined {
    return this.docs.get(fileName)?.snapshot.text;
  }

  version(fileName: string): number | undefined {
    return this.docs.get(fileName)?.version;
  }

  /**
   * The analysis of an open document at its current version (cached until anything changes).
   * With a focus (offsets of the visible range), only what that range needs is analyzed, unless
   * the whole file's analysis is already at hand.
   */
  analyze(fileName: string, focus?: Focus): AnalysisResult | undefined {
    const doc = this.docs.get(fileName);
    if (!doc) return undefined;
    const hit = this.cache.get(fileName);
    if (hit && hit.version === doc.version && hit.generation === this.generation) return hit.result;
    const focusKey = focus && `${fileName}@${focus.start}-${focus.end}`;
    if (focusKey && this.focused?.key === focusKey && this.focused.generation === this.generation) return this.focused.result;
    const sf = this.sourceFile(fileName);
    if (!sf) return undefined;
    const result = analyzeFile(sf, this.moduleHost(), focus);
    if (focusKey) this.focused = { key: focusKey, generation: this.generation, result };
    else this.cache.set(fileName, { version: doc.version, generation: this.generation, result });
    return result;
  }

  private focused: { key: string; generation: number; result: AnalysisResult } | undefined;

  private moduleHost(): ModuleHost {
    return {
      resolveModule: (spec, from) => {
        const r = ts.resolveModuleName(spec, from.fileName, this.options, ts.sys, this.resolutionCache).resolvedModule;
        // Only user code is interpreted; the engine is known by its public names.
        if (!r || r.isExternalLibraryImport || r.resolvedFileName.endsWith(".d.ts")) return undefined;
        return this.sourceFile(r.resolvedFileName);
      },
    };
  }

  /**
   * An open document's parse, incremental from its last one when the change range is known;
   * other files parsed once, when an import of user code first reaches them. No program is
   * built: one would parse the whole import graph, the engine's declarations included (~300 ms
   * before the first hints), which the analysis never reads.
   */
  private sourceFile(fileName: string): ts.SourceFile | undefined {
    const languageVersion = this.options.target ?? ts.ScriptTarget.Latest;
    const doc = this.docs.get(fileName);
    if (!doc) {
      if (this.diskFiles.has(fileName)) return this.diskFiles.get(fileName);
      const text = ts.sys.readFile(fileName);
      const sf = text === undefined ? undefined : ts.createSourceFile(fileName, text, languageVersion, true);
      this.diskFiles.set(fileName, sf);
      return sf;
    }
    const last = this.parsed.get(fileName);
    if (last?.snapshot === doc.snapshot) return last.sf;
    const range = last && doc.snapshot.getChangeRange(last.snapshot);
    const sf = last && range
      ? ts.updateSourceFile(last.sf, doc.snapshot.text, range)
      : ts.createSourceFile(fileName, doc.snapshot.text, languageVersion, true);
    this.parsed.set(fileName, { snapshot: doc.snapshot, sf });
    return sf;
  }

  dispose(): void {
    this.parsed.clear();
    this.diskFiles.clear();
  }
}

function trimHistory(snap: DocumentSnapshot): void {
  let s: DocumentSnapshot | undefined = snap;
  for (let i = 0; s && i < HISTORY; i++) s = s.prev;
  if (s) s.prev = undefined;
}

/**
 * The user's compiler options (nearest tsconfig.json), with what this analysis does not need
 * turned off: no lib files and no @types, since nothing is type-checked.
 */
function loadOptions(root: string): ts.CompilerOptions {
  let options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, allowJs: true,
  };
  const configPath = ts.findConfigFile(root, ts.sys.fileExists, "tsconfig.json");
  if (configPath) {
    const read = ts.readConfigFile(configPath, ts.sys.readFile);
    if (!read.error) options = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(configPath), undefined, configPath).options;
  }
  return { ...options, noLib: true, types: [], noEmit: true, allowJs: true, allowImportingTsExtensions: true, skipLibCheck: true };
}
