/**
 * The corpus over stdio: every expectation written under the code holds (hints, diagnostics,
 * grad lenses), correct programs have no diagnostics at all, and every diagnostic is expected.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { LspClient, corpusDir, repoRoot } from "./lspClient.js";
import { parseExpectations } from "./expectations.js";

let client: LspClient;
before(async () => { client = await LspClient.start(repoRoot); });
after(async () => { await client.stop(); });

const files = readdirSync(corpusDir).filter((f) => f.endsWith(".ts")).sort();

for (const file of files) {
  test(`corpus: ${file}`, async () => {
    const text = readFileSync(join(corpusDir, file), "utf8");
    const uri = pathToFileURL(join(corpusDir, file)).href;
    const expectations = parseExpectations(text);
    client.open(uri, text);
    const diagnostics = await client.waitDiagnostics(uri);
    const hints = await client.hints(uri);
    const lenses = await client.codeLenses(uri);
    const problems: string[] = [];
    const matched = new Set<number>();

    for (const e of expectations) {
      const where = `${file}:${e.at + 1}`;
      if (e.kind === "hint") {
        const onLine = hints.filter((h) => h.position.line === e.line);
        const hint = e.name ? onLine.find((h) => h.tooltip?.startsWith(`${e.name}:`)) : onLine[0];
        const label = hint?.label.replace(/^: /, "");
        if (label !== e.text) problems.push(`${where}: expected hint ${e.name ? `${e.name} ` : ""}${e.text}, got ${label ?? "none"} (line has: ${onLine.map((h) => h.label).join(" ") || "nothing"})`);
      } else if (e.kind === "lens") {
        if (!lenses.some((l) => l.range.start.line === e.line && l.command.title === e.text)) {
          problems.push(`${where}: expected lens "${e.text}", got ${JSON.stringify(lenses.filter((l) => l.range.start.line === e.line).map((l) => l.command.title))}`);
        }
      } else {
        const severity = e.kind === "error" ? 1 : 2;
        const i = diagnostics.findIndex((d, k) => !matched.has(k) && d.range.start.line <= e.line && d.range.end.line >= e.line && d.severity === severity && (d.code.includes(e.text) || d.message.includes(e.text)));
        if (i < 0) problems.push(`${where}: expected ${e.kind} ${e.text} on line ${e.line + 1}; diagnostics there: ${JSON.stringify(diagnostics.filter((d) => d.range.start.line <= e.line && d.range.end.line >= e.line).map((d) => `${d.severity}:${d.code}`))}`);
        else matched.add(i);
      }
    }
    diagnostics.forEach((d, k) => {
      if (!matched.has(k)) problems.push(`${file}:${d.range.start.line + 1}: unexpected ${d.code}: ${d.message}`);
    });
    // Gradient-flow lenses are quiet: one per line at most, and only where a leaf has no gradient (expected).
    const gradLenses = lenses.filter((l) => l.command.title.startsWith("∂"));
    for (const l of gradLenses) {
      if (!expectations.some((e) => e.kind === "lens" && e.line === l.range.start.line && e.text === l.command.title)) problems.push(`${file}:${l.range.start.line + 1}: unexpected lens "${l.command.title}"`);
    }
    const lensLines = gradLenses.map((l) => l.range.start.line);
    if (new Set(lensLines).size !== lensLines.length) problems.push(`${file}: several gradient lenses on one line`);
    assert.deepEqual(problems, [], problems.join("\n"));
  });
}

test("corpus: planted-bug programs each have at least one expected report, correct ones none", () => {
  for (const file of files) {
    const kinds = parseExpectations(readFileSync(join(corpusDir, file), "utf8")).map((e) => e.kind);
    const hasBugs = kinds.includes("error") || kinds.includes("warning");
    assert.equal(hasBugs, file.startsWith("bugs-"), `${file}: bug files are named bugs-*, and only they expect diagnostics`);
  }
});
