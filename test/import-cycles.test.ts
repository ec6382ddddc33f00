// Runtime import cycles, computed: the engine, the language server, the extension and the webview
// have none, and a new one fails. The cycles found are printed with the imports between their
// files (where to cut: an `import type`, a module of its own for what both sides need, or an
// argument, as the engine's traces hand their rules the transformations).
//
// The graph is esbuild's metafile of a bundle of every source file of a package (nothing is
// written). esbuild elides type-only imports (`import type`, and names used only as types) as the
// compiled JavaScript does: it does not resolve them and the metafile lists them as external, so
// the resolved imports are what runs. Dynamic `import()` is left out: it loads after the
// importing module has finished, so a cycle through it is no load-order hazard.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/** Imports esbuild cannot resolve (a sibling bundle such as `./server-main.cjs`) stay external: they are not source. */
const unresolvedAreExternal: Plugin = {
  name: "unresolved-are-external",
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === "inner" || args.kind === "entry-point") return undefined;
      const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: "inner" });
      return r.errors.length ? { path: args.path, external: true } : r;
    });
  },
};

/** Static runtime imports between a package's own source files (paths relative to the repository). */
async function importGraph(srcDir: string): Promise<Map<string, string[]>> {
  // One entry that imports every file (one output to generate, not one per file).
  const files = sourceFiles(join(repo, srcDir));
  const result = await build({
    stdin: { contents: files.map((f) => `import ${JSON.stringify(f)};`).join("\n"), resolveDir: repo, loader: "js" },
    absWorkingDir: repo, bundle: true, write: false, metafile: true, treeShaking: false,
    packages: "external", platform: "node", format: "esm", logLevel: "silent",
    loader: { ".css": "empty", ".node": "empty", ".wgsl": "text" },
    plugins: [unresolvedAreExternal],
  });
  const inside = (p: string) => p.startsWith(`${srcDir}/`);
  const graph = new Map<string, string[]>();
  // Metafile paths are relative to absWorkingDir (the repository), with forward slashes on every platform.
  for (const [from, input] of Object.entries(result.metafile.inputs)) {
    if (!inside(from)) continue;
    const to = input.imports
      .filter((i) => !i.external && (i.kind === "import-statement" || i.kind === "require-call"))
      .map((i) => i.path)
      .filter(inside);
    graph.set(from, [...new Set(to)].sort());
  }
  return graph;
}

/** Strongly connected components (Tarjan): a cycle lies inside one. */
function components(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size); low.set(v, index.get(v)!); stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    let w: string;
    do { w = stack.pop()!; onStack.delete(w); scc.push(w); } while (w !== v);
    out.push(scc);
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

/**
 * The import cycles: each strongly connected component of more than one file (or a file that
 * imports itself), as its files in order, relative to the package's source folder. A component is
 * one entry, however many ways round it there are (the engine's AD rules had 26 elementary cycles
 * through the same 8 files): a file that joins or leaves it changes the entry.
 */
function cycles(graph: Map<string, string[]>, srcDir: string): string[][] {
  return components(graph)
    .filter((scc) => scc.length > 1 || (graph.get(scc[0]!) ?? []).includes(scc[0]!))
    .map((scc) => scc.map((p) => p.slice(srcDir.length + 1)).sort())
    .sort((a, b) => a.join().localeCompare(b.join()));
}

/** A component as printed: its files, then the imports between them (where to cut). */
function describe(scc: readonly string[], graph: Map<string, string[]>, srcDir: string): string {
  const full = new Set(scc.map((f) => `${srcDir}/${f}`));
  const edges = [...full].sort().flatMap((f) => (graph.get(f) ?? []).filter((t) => full.has(t)).map((t) => `${f.slice(srcDir.length + 1)} -> ${t.slice(srcDir.length + 1)}`));
  return `  ${JSON.stringify(scc)}\n${edges.map((e) => `      ${e}`).join("\n")}`;
}

for (const srcDir of ["engine/src", "language-server/src", "extension/src", "webview/src"]) {
  test(`${srcDir} has no runtime import cycle`, async () => {
    const graph = await importGraph(srcDir);
    const found = cycles(graph, srcDir);
    if (found.length) console.log(`${srcDir} import cycles:\n${found.map((c) => describe(c, graph, srcDir)).join("\n")}`);
    assert.deepEqual(found, []);
  });
}
