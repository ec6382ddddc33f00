/**
 * The extension in a real VS Code build (code-server in headless Chromium): the in-host tests
 * in host/ run inside its extension host. Installs code-server and Node 24 on first use into
 * .vscode-test/ (about 2.5 minutes, reused after; scripts/vscode-setup.mjs). Needs Debian's
 * chromium and libkrb5-dev (.ci/run installs them).
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { drive, repo } from "./driver.js";

/** The folder VS Code opens: a copy of the tutorial and the fixture (the tests edit them). */
const files = {
  "examples/what-is-jax.ts": join(repo, "examples", "what-is-jax.ts"),
  "dense.ts": join(repo, "test", "vscode", "fixtures", "dense.ts"),
  "panels.ts": join(repo, "test", "vscode", "fixtures", "panels.ts"),
};

function build(): void {
  // The engine's dist (the runner CLI) is built by scripts/run-tests.mjs before the tests.
  if (existsSync(join(repo, "webview", "build.mjs"))) execFileSync(process.execPath, [join(repo, "webview", "build.mjs")], { stdio: "inherit" });
  execFileSync(process.execPath, [join(repo, "extension", "build.mjs")], { stdio: "inherit" });
}

before(() => build());

test("real VS Code, trusted workspace: hints, lenses, a planted bug, Run to the param tree, the panels, a runtime error", { timeout: 600_000 }, async () => {
  assert.ok(existsSync(join(repo, "engine", "dist", "runner", "cli.js")), "the runner CLI is built (npx tsc -p engine)");
  const r = await drive({ testsModule: join(repo, "test", "vscode", "host", "trusted.cjs"), files, trust: false, name: "vscode-trusted" });
  console.log(`trusted run: exit ${r.exitCode} in ${r.seconds.toFixed(1)} s; screenshots: ${r.screenshots.join(", ")}`);
  assert.equal(r.exitCode, 0, `the in-host tests failed:\n${r.lines.join("\n")}`);
  assert.ok(r.lines.some((l) => l.includes("trusted: all passed")));
});

test("real VS Code with Workspace Trust: an untrusted workspace runs nothing, hints still work", { timeout: 600_000 }, async () => {
  const r = await drive({ testsModule: join(repo, "test", "vscode", "host", "untrusted.cjs"), files, trust: true, name: "vscode-untrusted" });
  console.log(`untrusted run: exit ${r.exitCode} in ${r.seconds.toFixed(1)} s`);
  assert.equal(r.exitCode, 0, `the in-host tests failed:\n${r.lines.join("\n")}`);
  assert.ok(r.lines.some((l) => l.includes("untrusted: all passed")));
});

test("the packaged .vsix installs into VS Code and runs a lens without the project's engine", { timeout: 600_000 }, async () => {
  const vsix = join(repo, "tensorlens-vscode-0.1.0.vsix");
  // npm run package: the webview and extension bundles, then vsce (offline).
  execFileSync("npm", ["run", "package", "--silent"], { cwd: repo, stdio: ["ignore", "ignore", "inherit"] });
  assert.ok(existsSync(vsix), "npm run package wrote the .vsix");
  const size = statSync(vsix).size;
  console.log(`.vsix: ${(size / 1e6).toFixed(2)} MB`);
  assert.ok(size <= 20e6, `the .vsix is at most 20 MB (${size} bytes)`);
  const r = await drive({ testsModule: join(repo, "test", "vscode", "host", "vsix.cjs"), files: { "dense.ts": files["dense.ts"] }, trust: false, name: "vscode-vsix", vsix });
  console.log(`vsix run: exit ${r.exitCode} in ${r.seconds.toFixed(1)} s`);
  assert.equal(r.exitCode, 0, `the in-host tests failed:\n${r.lines.join("\n")}`);
  assert.ok(r.lines.some((l) => l.includes("vsix: all passed")));
});
