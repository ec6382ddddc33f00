// Without the native addon (no C++ toolchain on the user's machine), the engine says once, with
// the reason, that it uses the reference backend, and everything still works.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const engine = fileURLToPath(new URL("..", import.meta.url));

test("a missing native addon falls back to the reference backend with one clear warning", () => {
  const dir = mkdtempSync(join(tmpdir(), "tensorlens-no-addon-"));
  try {
    // The engine's sources without engine/native/build: the addon is "not built".
    cpSync(join(engine, "src"), join(dir, "engine", "src"), { recursive: true });
    cpSync(join(engine, "package.json"), join(dir, "engine", "package.json"));
    writeFileSync(join(dir, "main.ts"), [
      'import { np, grad, jit, defaultBackendName } from "./engine/src/index.ts";',
      "const x = np.array([1, 2, 3]);",
      "console.log(defaultBackendName(), x.device, jit((v) => v.mul(2).sum())(x).item(), grad((v) => v.mul(v).sum())(x).tolist().join(','));",
      "console.log(np.ones([2]).device);",
    ].join("\n"));
    const r = spawnSync(process.execPath, ["--import", "tsx", join(dir, "main.ts")], { encoding: "utf8", cwd: join(engine, "..") });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split("\n"), ["reference reference 12 2,4,6", "reference"]);
    const warnings = r.stderr.split("\n").filter((l) => l.includes("tensorlens:"));
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0]!, /tensorlens: using the reference backend \(TypeScript, much slower\): the native addon is unavailable because it is not built/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
