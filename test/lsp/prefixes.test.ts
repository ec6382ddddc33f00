/**
 * Code as it is being typed: every corpus file is sent as a growing series of prefixes (cut at
 * many points, mid-token included), as incremental edits and as full replacements. After each,
 * the server must answer hints, hover, lenses and code actions, and never crash or report an
 * internal error.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { LspClient, corpusDir, repoRoot, type Pos } from "./lspClient.js";

let client: LspClient;
before(async () => { client = await LspClient.start(repoRoot); });
after(async () => { await client.stop(); });

function positionOf(text: string, offset: number): Pos {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length - 1, character: before[before.length - 1]!.length };
}

/** Cut points: ~60 per file, spread evenly, so that many fall inside tokens. */
function cutPoints(length: number): number[] {
  const n = 60;
  const out = new Set<number>();
  for (let i = 1; i <= n; i++) out.add(Math.floor((length * i) / n) - (i % 3)); // -0/-1/-2: mid-token often
  return [...out].filter((x) => x > 0 && x <= length).sort((a, b) => a - b);
}

const files = readdirSync(corpusDir).filter((f) => f.endsWith(".ts")).sort();

for (const file of files) {
  test(`prefixes: ${file} typed in pieces answers every request`, async () => {
    const full = readFileSync(join(corpusDir, file), "utf8");
    const uri = pathToFileURL(join(corpusDir, `typing-${file}`)).href;
    client.open(uri, "");
    let current = "";
    const answered: number[] = [];
    for (const [k, cut] of cutPoints(full.length).entries()) {
      const next = full.slice(0, cut);
      // Alternate: append the new piece as an incremental edit, or replace the whole text.
      if (k % 2 === 0) client.edit(uri, { start: positionOf(current, current.length), end: positionOf(current, current.length) }, next.slice(current.length));
      else client.replaceAll(uri, next);
      current = next;
      const end = positionOf(current, current.length);
      const mid = positionOf(current, Math.floor(current.length / 2));
      const results = await Promise.race([
        Promise.all([
          client.hints(uri, { start: { line: 0, character: 0 }, end }),
          client.hover(uri, mid),
          client.codeLenses(uri),
          client.codeActions(uri, { start: { line: 0, character: 0 }, end }),
        ]),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within 10 s at cut ${cut} of ${file}`)), 10000)),
      ]);
      assert.ok(Array.isArray(results[0]) && Array.isArray(results[2]) && Array.isArray(results[3]));
      answered.push(cut);
    }
    await client.waitDiagnostics(uri);
    assert.equal(client.proc.exitCode, null, "server exited");
    const internal = client.stderr.filter((s) => /internal|uncaught|unhandled|tensorlens: /.test(s));
    assert.deepEqual(internal, [], internal.join("\n"));
    assert.ok(answered.length >= 40, `only ${answered.length} cut points`);
  });
}
