// Builds the native addon with node-gyp against the local Node headers (never a download).
// A failed build is not a failed install: the engine then runs on the reference backend and
// says why once at run time, quoting the log written here.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const logPath = join(here, "build", "build-error.log");

// npm passes its bundled node-gyp and the configured nodedir to lifecycle scripts.
// Outside npm, npm's own copy next to this Node is the next best thing.
const bundled = resolve(dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js");
const gyp = process.env.npm_config_node_gyp ?? (existsSync(bundled) ? bundled : undefined);
let nodedir = process.env.npm_config_nodedir;
if (!nodedir) {
  const prefix = resolve(dirname(process.execPath), "..");
  if (existsSync(join(prefix, "include", "node", "node_api.h"))) nodedir = prefix;
}
const args = ["rebuild", "--release", "-j", "max", ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
const [cmd, cmdArgs] = gyp ? [process.execPath, [gyp, ...args]] : ["node-gyp", args];
const t0 = Date.now();
const r = spawnSync(cmd, cmdArgs, { cwd: here, encoding: "utf8", shell: !gyp && process.platform === "win32" });
if (r.status === 0) {
  rmSync(logPath, { force: true });
  console.log(`tensorlens: native addon built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
} else {
  const why = r.error ? String(r.error) : `${r.stdout ?? ""}\n${r.stderr ?? ""}`;
  mkdirSync(dirname(logPath), { recursive: true });
  writeFileSync(logPath, why);
  console.warn(`tensorlens: the native addon did not build (${r.error ? r.error.message : `exit ${r.status}`}); ` +
    `the engine will use the reference backend. Log: ${logPath}`);
}
