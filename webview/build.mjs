// Bundles the panels for the browser: one entry (and one stylesheet) per panel, into webview/dist/.
//   node webview/build.mjs            minified, no source maps (what the .vsix ships)
//   node webview/build.mjs --dev      with inline source maps
//   node webview/build.mjs --watch    rebuild on change (implies --dev)
// A new panel adds its entry to PANELS: its script and, where it has one, its stylesheet.
import * as esbuild from "esbuild";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
/** Each panel: webview/dist/<name>.js from `script` and webview/dist/<name>.css from `style`. */
export const PANELS = {
  paramTree: { script: "src/paramTree.ts", style: "src/paramTree.css" },
  arrayViewer: { script: "src/panels/arrayViewer/index.ts", style: "src/panels/arrayViewer/arrayViewer.css" },
  profile: { script: "src/panels/profile/index.ts", style: "src/panels/profile/profile.css" },
  curves: { script: "src/panels/curves/index.ts", style: "src/panels/curves/curves.css" },
};
export const outdir = join(here, "dist");

/**
 * zod's namespace re-exports every locale (~260 kB minified) and the panels only need English
 * (which zod's config loads by itself): the `locales` namespace becomes an empty module.
 */
export const zodWithoutLocales = {
  name: "zod-without-locales",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: "zod-locales", namespace: "zod-locales" } : undefined);
    b.onLoad({ filter: /.*/, namespace: "zod-locales" }, () => ({ contents: "export {};", loader: "js" }));
  },
};

/** Builds every panel; returns the output files. */
export async function build({ dev = false, watch = false } = {}) {
  const entryPoints = [];
  for (const [name, { script, style }] of Object.entries(PANELS)) {
    entryPoints.push({ in: join(here, script), out: name });
    if (style && existsSync(join(here, style))) entryPoints.push({ in: join(here, style), out: name });
  }
  const options = {
    entryPoints,
    outdir,
    bundle: true,
    format: "iife",
    platform: "browser",
    target: ["chrome114"],
    minify: !dev,
    sourcemap: dev ? "inline" : false,
    legalComments: "none",
    metafile: true,
    plugins: [zodWithoutLocales],
    logLevel: "warning",
  };
  if (watch) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
    return [];
  }
  const result = await esbuild.build(options);
  return Object.keys(result.metafile.outputs);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const watch = process.argv.includes("--watch");
  const outputs = await build({ dev: watch || process.argv.includes("--dev"), watch });
  if (!watch) console.log(`webview: built ${outputs.join(", ")}`);
}
