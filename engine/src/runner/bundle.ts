/**
 * Bundles a user's TypeScript file for the child process with esbuild: one ESM file with an
 * inline source map (stack traces point at the .ts lines). Bare imports stay external and are
 * rewritten to the absolute files they resolve to from the user's folder, so the bundle can
 * live in a temporary folder and still load the project's own packages, `tensorlens` first.
 * Bundles are cached per file and rebuilt when any of their inputs changed.
 */
import { createHash } from "node:crypto";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { builtinModules, createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as Esbuild from "esbuild";
import type { Location } from "./protocol.js";

export interface Bundle {
  /** The bundle to import. */
  readonly path: string;
  /** The engine entry the bundle's `tensorlens` imports resolve to. */
  readonly engine: string;
  /** Input files and their mtimes: the bundle is stale when any changed. */
  readonly inputs: readonly (readonly [string, number])[];
}

export class BundleError extends Error {
  override name = "BundleError";
  constructor(message: string, readonly kind: "not-found" | "syntax", readonly location?: Location) { super(message); }
}

/** The engine this runner belongs to (used when the user's project has none). */
export const OWN_ENGINE = fileURLToPath(new URL("../index.js", import.meta.url));

let esbuild: Promise<typeof Esbuild> | undefined;
function loadEsbuild(): Promise<typeof Esbuild> {
  // esbuild-wasm is the portable fallback where esbuild's platform binary is missing.
  return (esbuild ??= import("esbuild").catch(() => import("esbuild-wasm" as string) as Promise<typeof Esbuild>));
}

const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** Where `tensorlens` resolves from the user's folder, or the runner's own engine. */
export function resolveEngine(fromFile: string): string {
  try {
    return createRequire(fromFile).resolve("tensorlens");
  } catch {
    return OWN_ENGINE;
  }
}

export class Bundler {
  private readonly cache = new Map<string, Bundle>();
  constructor(private readonly outDir: string) { mkdirSync(outDir, { recursive: true }); }

  /** The current bundle of `file`, rebuilt only if an input changed since the last build. */
  async bundle(file: string): Promise<Bundle> {
    const abs = resolve(file);
    const cached = this.cache.get(abs);
    if (cached && cached.inputs.every(([f, t]) => mtime(f) === t)) return cached;
    if (mtime(abs) < 0) throw new BundleError(`file not found: ${abs}`, "not-found");
    const b = await this.build(abs);
    this.cache.set(abs, b);
    return b;
  }

  private async build(abs: string): Promise<Bundle> {
    const { build } = await loadEsbuild();
    const engine = resolveEngine(abs);
    const outfile = join(this.outDir, "pending.mjs");
    let result: Esbuild.BuildResult<{ write: false; metafile: true }>;
    try {
      result = await build({
        entryPoints: [abs],
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node20",
        outfile,
        write: false,
        metafile: true,
        sourcemap: "inline",
        sourcesContent: false,
        logLevel: "silent",
        plugins: [externalPackages(engine)],
      });
    } catch (e) {
      throw syntaxError(e as Esbuild.BuildFailure);
    }
    const text = result.outputFiles[0]!.contents;
    const hash = createHash("sha1").update(text).digest("hex").slice(0, 12);
    const path = join(this.outDir, `${hash}.mjs`);
    // The source map's paths are relative to the output's folder, which is the same for every name here.
    writeFileSync(path, text);
    const inputs = Object.keys(result.metafile.inputs).map((f) => { const p = resolve(f); return [p, mtime(p)] as const; });
    return { path, engine, inputs };
  }
}

function mtime(file: string): number {
  try { return statSync(file).mtimeMs; } catch { return -1; }
}

/** Bare imports: external, at the absolute file they resolve to from the importer's folder. */
function externalPackages(engine: string): Esbuild.Plugin {
  return {
    name: "tensorlens-external-packages",
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === "inner") return undefined;
        if (builtins.has(args.path)) return { path: args.path, external: true };
        if (args.path === "tensorlens") return { path: pathToFileURL(engine).href, external: true };
        if (args.path.startsWith("tensorlens/")) {
          const sub = resolveFrom(dirname(engine), args.path);
          if (sub) return { path: pathToFileURL(sub).href, external: true };
        }
        const r = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: "inner" });
        if (r.errors.length) return { errors: r.errors };
        return { path: pathToFileURL(r.path).href, external: true };
      });
    },
  };
}

function resolveFrom(dir: string, spec: string): string | undefined {
  try { return createRequire(join(dir, "noop.js")).resolve(spec); } catch { return undefined; }
}

function syntaxError(e: Esbuild.BuildFailure): BundleError {
  const first = e.errors?.[0];
  if (!first) return new BundleError(String(e?.message ?? e), "syntax");
  const loc = first.location;
  const where = loc ? `${resolve(loc.file)}:${loc.line}:${loc.column + 1}` : "";
  const location = loc ? { file: resolve(loc.file), line: loc.line, column: loc.column + 1 } : undefined;
  const more = e.errors.length > 1 ? ` (and ${e.errors.length - 1} more)` : "";
  return new BundleError(`${where ? where + ": " : ""}${first.text}${more}`, "syntax", location);
}
