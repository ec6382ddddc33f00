// Bundles the server into one file. typescript stays external: it is a 9 MB CommonJS file that
// loads faster as itself than re-bundled, and it is a dependency of this package anyway.
// The engine's shape rules are bundled from source (one source of truth, no build order).
import { build } from "esbuild";
import { renameSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outfile = join(here, "dist", "server.js");
// Build to a private file and rename: concurrent test processes may build at the same time.
const tmp = join(here, "dist", `server.${process.pid}.tmp.js`);
mkdirSync(join(here, "dist"), { recursive: true });
await build({
  entryPoints: [join(here, "src", "server.ts")],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  outfile: tmp,
  external: ["typescript"],
  sourcemap: "inline",
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __tlCreateRequire } from 'node:module'; const require = __tlCreateRequire(import.meta.url);" },
  logLevel: "warning",
});
renameSync(tmp, outfile);
