// The runner fallback for projects without `tensorlens`: the engine and its runner bundled
// into extension/dist/engine/ with the layout of engine/dist (index.js, runner/cli.js,
// runner/child.js), because the runner finds its engine (`../index.js`) and its child
// (`./child.js`) relative to its own file. Code splitting keeps one engine instance shared by
// the runner's child and the user's bundle (which imports index.js). The addon is not
// bundled: the engine falls back to its reference backend. esbuild-wasm (the runner bundles
// the user's file with it) is copied next to it: portable, where esbuild's binary is not.
import { build } from "esbuild";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export async function buildRunnerFallback({ repo, outdir, dev }) {
  const src = join(repo, "engine", "src");
  const tmp = `${outdir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  await build({
    entryPoints: [join(src, "index.ts"), join(src, "runner", "cli.ts"), join(src, "runner", "child.ts")],
    outbase: src,
    outdir: tmp,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // Chunks beside cli.js: code moved into a chunk keeps its import.meta.url-relative paths.
    chunkNames: "runner/chunk-[hash]",
    external: ["esbuild", "esbuild-wasm", "typescript"],
    minify: !dev,
    keepNames: true,
    sourcemap: dev ? "inline" : false,
    logLevel: "warning",
    // ESM output: a `require` for the CommonJS parts that need one.
    banner: { js: "import { createRequire as __tlCreateRequire } from 'node:module'; const require = __tlCreateRequire(import.meta.url);" },
  });
  // The runner reads its version from ../../package.json; a type module marker for the .js files.
  const enginePkg = JSON.parse(readFileSync(join(repo, "engine", "package.json"), "utf8"));
  writeFileSync(join(tmp, "package.json"), JSON.stringify({ name: "tensorlens-bundled", version: enginePkg.version, type: "module", private: true }, null, 2) + "\n");
  mkdirSync(join(tmp, "runner"), { recursive: true });
  // esbuild-wasm (the runner falls back to it when esbuild is absent): one WebAssembly build
  // for every platform VS Code runs on, where esbuild's native binary would tie the .vsix to
  // the platform it was packaged on.
  const req = createRequire(join(repo, "package.json"));
  const wasmDir = dirname(req.resolve("esbuild-wasm/package.json"));
  const target = join(tmp, "node_modules", "esbuild-wasm");
  for (const part of ["package.json", "lib/main.js", "bin/esbuild", "esbuild.wasm", "wasm_exec.js", "wasm_exec_node.js"]) cpSync(join(wasmDir, part), join(target, part));
  rmSync(outdir, { recursive: true, force: true });
  cpSync(tmp, outdir, { recursive: true });
  rmSync(tmp, { recursive: true, force: true });
  return [join(outdir, "runner", "cli.js"), join(outdir, "runner", "child.js"), join(outdir, "index.js")].filter(existsSync);
}
