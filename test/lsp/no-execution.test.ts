/**
 * The server never runs user code: a program whose top level writes a file (and imports a module
 * that would too) is opened, edited and analyzed, and the files never appear.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { LspClient } from "./lspClient.js";

test("no user code is executed: top-level side effects do not happen", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tl-noexec-"));
  const marker = join(dir, "side-effect-happened.txt");
  const imported = join(dir, "helper.ts");
  const mainFile = join(dir, "main.ts");
  writeFileSync(imported, `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(marker + ".helper")}, "ran");\nexport const scale = (x: any) => x.mul(2);\n`);
  const program = `import { writeFileSync } from "node:fs";
import { np } from "tensorlens";
import { scale } from "./helper.ts";
writeFileSync(${JSON.stringify(marker)}, "ran");
(globalThis as any).process?.exit?.(3);
const x = scale(np.ones([2, 3]));
export function main() { writeFileSync(${JSON.stringify(marker)}, "ran in main"); return x; }
main();
`;
  writeFileSync(mainFile, program);
  const client = await LspClient.start(dir);
  try {
    const uri = pathToFileURL(mainFile).href;
    client.open(uri, program);
    await client.waitDiagnostics(uri);
    const hints = await client.hints(uri);
    assert.ok(hints.some((h) => h.label === ": f32[2,3]"), `the program was analyzed (hints: ${JSON.stringify(hints.map((h) => h.label))})`);
    const lenses = await client.codeLenses(uri);
    assert.ok(lenses.some((l) => l.command.command === "tensorlens.run"));
    client.edit(uri, { start: { line: 7, character: 0 }, end: { line: 7, character: 0 } }, "main();\n");
    await client.waitDiagnostics(uri);
    assert.equal(existsSync(marker), false, "the top level of main.ts ran");
    assert.equal(existsSync(marker + ".helper"), false, "the imported module ran");
    assert.equal(client.proc.exitCode, null, "the server exited (user code called process.exit)");
  } finally {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
