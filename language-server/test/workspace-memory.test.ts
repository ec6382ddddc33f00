// The analysis keeps no old syntax trees: memory stays flat over many edits. (An old tree held
// by a stale cached result once pinned every later tree through the nodes incremental parses
// share, ~0.1 MiB an edit.) Heap after a full collection, not time: the figure is deterministic
// enough to compare 100 edits with 400.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Workspace } from "../src/analysis/workspace.js";

const gc = (globalThis as { gc?: () => void }).gc;

test("memory is flat over hundreds of edits with visible-range analyses", { skip: gc ? false : "needs node --expose-gc" }, () => {
  const block = (i: number) => `// block ${i}\nexport function layer${i}(x = np.ones([8, 16])) {\n  const w${i} = np.ones([16, 4]);\n  return np.tanh(np.matmul(x, w${i}).add(1));\n}\n`;
  let text = `import { np } from "tensorlens";\n`;
  for (let i = 0; i < 200; i++) text += block(i);
  const dir = mkdtempSync(join(tmpdir(), "tl-ws-mem-"));
  try {
    const file = join(dir, "big.ts");
    writeFileSync(file, text);
    const ws = new Workspace(dir);
    ws.open(file, text, 1);
    ws.analyze(file);
    const comments = [...text.matchAll(/^\/\/ block/gm)].map((m) => m.index!);
    let version = 1, inserted = 0;
    const heapAfter = (edits: number) => {
      for (let k = 0; k < edits; k++) {
        const at = comments[(k * 7) % comments.length]! + 3 + inserted;
        ws.edit(file, [{ start: at, end: at, text: "x" }], ++version);
        inserted++;
        ws.analyze(file, { start: Math.max(0, at - 1500), end: at + 1500 });
      }
      gc!();
      return process.memoryUsage().heapUsed;
    };
    const early = heapAfter(100);
    const late = heapAfter(300);
    const grownMiB = (late - early) / 2 ** 20;
    assert.ok(grownMiB < 6, `the heap grew ${grownMiB.toFixed(1)} MiB over 300 more edits`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
