// Runs every workspace's tests in one `node --test` invocation, so that one summary closes the output.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const roots = ["engine/test", "language-server/test", "test"];
const files = [];
function walk(dir) {
  if (/\.test\.(ts|mts|js|mjs)$/.test(dir)) { files.push(dir); return; }
  let entries;
  try { entries = readdirSync(dir); } catch { return; }
  for (const name of entries) {
    if (name === "node_modules" || name === "fixtures") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.test\.(ts|mts|js|mjs)$/.test(name)) files.push(path);
  }
}
const only = process.argv.slice(2);
for (const root of only.length ? only : roots) walk(root);
files.sort();
// Tests that run examples import "tensorlens" as users do (engine/dist): build it once, first.
const tsc = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "engine"], { stdio: "inherit" });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
// The engine type-checks every program it traces, optimizes and lowers (enableChecks); its cost is
// within the tests' run-to-run noise (a few percent of CPU time). TENSORLENS_CHECKS=0 turns it off.
const env = { ...process.env, TENSORLENS_CHECKS: process.env.TENSORLENS_CHECKS ?? "1" };
const result = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", "--test", "--test-concurrency=2", ...files], { stdio: "inherit", env });
process.exit(result.status ?? 1);
