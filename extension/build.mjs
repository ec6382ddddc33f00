// Bundles the extension: one script, several bundles (vscode stays external):
//   extension/dist/extension.cjs  the extension host's entry (the manifest's `main`): the
//                                 language client and the commands' wiring
//   extension/dist/runtime.cjs    the run machinery (runner sessions, param-tree view, run
//                                 annotations, the protocol's zod schemas), loaded on first use
//   extension/dist/server.cjs     the language server's entry: turns on Node's compile cache
//                                 and loads server-main.cjs (src/serverLoader.ts)
//   extension/dist/server-main.cjs the language server with `typescript` inside (the .vsix
//                                 then needs no node_modules; it starts as fast as the
//                                 server with typescript external, measured in extension/README.md)
//   extension/dist/engine/        the runner and engine fallback for projects without
//                                 `tensorlens` (reference backend), when the runner exists
// Usage: node extension/build.mjs [--dev] (--dev: inline source maps, no minification)
import { build } from "esbuild";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
// zod's locales left out (~260 kB parsed on every activation): the plugin the panels use too.
import { zodWithoutLocales } from "../webview/build.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..");
const dist = join(here, "dist");
const dev = process.argv.includes("--dev");
mkdirSync(dist, { recursive: true });

/** Builds to a private file and renames: a build may run while tests read the old bundle. */
async function bundle(name, options) {
  const outfile = join(dist, name);
  const tmp = `${outfile}.${process.pid}.tmp`;
  await build({
    bundle: true,
    platform: "node",
    target: "node20",
    logLevel: "warning",
    sourcemap: dev ? "inline" : false,
    ...options,
    outfile: tmp,
  });
  renameSync(tmp, outfile);
  return outfile;
}

const t0 = Date.now();
const outputs = await Promise.all([
  bundle("extension.cjs", {
    entryPoints: [join(here, "src", "extension.ts")],
    format: "cjs",
    external: ["vscode"],
    plugins: [zodWithoutLocales],
    minify: !dev,
    keepNames: true,
  }),
  bundle("runtime.cjs", {
    entryPoints: [join(here, "src", "runtime.ts")],
    format: "cjs",
    external: ["vscode"],
    plugins: [zodWithoutLocales],
    minify: !dev,
    keepNames: true,
  }),
  bundle("server.cjs", {
    entryPoints: [join(here, "src", "serverLoader.ts")],
    format: "cjs",
    external: ["./server-main.cjs"],
  }),
  bundle("server-main.cjs", {
    entryPoints: [join(repo, "language-server", "src", "server.ts")],
    format: "cjs",
    // Not minified: the server's stack traces in the output channel stay readable.
    minify: false,
  }),
]);

// The runner fallback: the runner CLI, the child it runs user code in, and the engine entry
// the user's bundle imports as `tensorlens`, split so that all three share one engine instance.
const runnerEntry = join(repo, "engine", "src", "runner", "cli.ts");
if (existsSync(runnerEntry)) {
  const { buildRunnerFallback } = await import("./buildRunner.mjs");
  outputs.push(...await buildRunnerFallback({ repo, outdir: join(dist, "engine"), dev }));
} else {
  rmSync(join(dist, "engine"), { recursive: true, force: true });
  console.warn("extension/build.mjs: engine/src/runner/cli.ts is missing; the runner fallback is not built");
}
console.log(`extension/build.mjs: ${outputs.length} bundles in ${Date.now() - t0} ms`);
