/**
 * Dtypes and shapes of single engine calls, as the engine computes them (issue 18: "dtypes
 * follow the engine's rules exactly"): each expression is analyzed by the server and run by the
 * engine (imported from "tensorlens"), and the hint must equal the engine's result, or say `?`
 * where the engine's differs. Calls the engine rejects must be reported by the server instead.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Workspace } from "../../language-server/src/analysis/workspace.js";
import * as engine from "tensorlens";
import { repoRoot } from "./lspClient.js";
import { SHORT_NAME } from "../../engine/src/dtype.js";

const { np, nn, random, lax } = engine as any;

const EXPR: string[] = [
  "np.copysign(np.arange(2), -1)", "np.vstack([np.arange(2), np.arange(2)])", "np.hstack([np.ones([2, 3]), np.ones([2, 1])])",
  "np.vstack([np.ones([2, 3]), np.ones([1, 3])])", "np.hstack([np.ones([2, 3, 4]), np.ones([2, 1, 4])])",
  "np.select([np.ones([2], 'bool')], [np.arange(2)], 0.5)", "np.select([np.ones([2], 'bool')], [np.arange(2)])",
  "np.nextafter(np.arange(2), 1)", "np.fmod(np.arange(3), 2)", "np.fmax(np.arange(3), 1)", "np.floorDivide(np.ones([2]), 2)",
  "np.power(np.arange(3), 0.5)", "np.power(np.arange(3), np.arange(3))", "np.maximum(np.arange(3), true)", "np.divide(np.arange(3), 2)",
  "np.sum(np.ones([2], 'bool'))", "np.mean(np.ones([2], 'bool'))", "np.cumsum(np.ones([2], 'bool'))", "np.max(np.ones([2], 'bool'))",
  "np.abs(np.ones([2], 'bool'))", "np.negative(np.ones([2], 'uint8'))", "np.square(np.ones([2], 'bool'))", "np.sign(np.ones([2], 'bool'))",
  "np.prod(np.ones([2], 'bool'))", "np.clip(np.arange(3), 0.5, 1)", "np.zeros([2, 2]).at(0).add(np.arange(2))", "np.ones([2], 'uint8').add(300)",
  "np.ones([2], 'float16').mul(np.arange(2))", "np.ones([2], 'uint32').add(np.arange(2))", "np.arange(3).astype('bool').add(1)",
  // The small dtypes (issue 16): promotion, accumulation, weak scalars, short names.
  "np.add(np.ones([2], 'int8'), np.ones([2], 'uint8'))", "np.sum(np.ones([2], 'int8'))", "np.sum(np.ones([2], 'uint8'))",
  "np.cumsum(np.ones([2], 'int16'))", "np.cummax(np.ones([2], 'int8'))", "np.max(np.ones([2], 'int8'))", "np.ones([2], 'bfloat16').mul(2.5)",
  "np.add(np.ones([2], 'bfloat16'), np.ones([2], 'float16'))", "np.ones([2], 'i8').add(1)", "np.mean(np.ones([2], 'int16'))",
  "np.arange(3).astype('bf16')", "np.add(np.ones([2], 'int8'), np.ones([2], 'uint32'))",
];

const SHORT = SHORT_NAME as Record<string, string>;

test("hints of single calls equal the engine's dtype and shape", () => {
  const ws = new Workspace(repoRoot);
  const file = join(repoRoot, "test", "lsp", "corpus", "__dtypes__.ts");
  const text = `import { np, nn, random, lax } from "tensorlens";\n${EXPR.map((e, i) => `const r${i} = ${e};`).join("\n")}\n`;
  ws.open(file, text, 1);
  const res = ws.analyze(file)!;
  ws.dispose();
  const problems: string[] = [];
  EXPR.forEach((e, i) => {
    const hint = res.hints.find((h) => h.position.line === i + 1)?.label.replace(/^: /, "");
    const rejected = res.diagnostics.some((d) => d.range.start.line === i + 1 && d.severity === "error");
    let real: string;
    try {
      const r = new Function("np", "nn", "random", "lax", `return ${e};`)(np, nn, random, lax);
      real = `${SHORT[r.dtype] ?? r.dtype}[${r.shape.join(",")}]`;
    } catch (err) {
      if (!rejected) problems.push(`${e}: the engine throws (${(err as Error).message.slice(0, 80)}), the server reports nothing`);
      return;
    }
    if (rejected) { problems.push(`${e}: the server reports an error, the engine runs it`); return; }
    const fits = hint !== undefined && (hint === real || new RegExp(`^${hint.replace(/[[\]]/g, "\\$&").replace(/\?/g, "[^,\\]]+").replace("…", ".*")}$`).test(real));
    if (!fits) problems.push(`${e}: server ${hint ?? "no hint"}, engine ${real}`);
  });
  assert.deepEqual(problems, []);
});

test("annotations name every engine dtype by its short name (engine/src/typing.ts)", () => {
  const ws = new Workspace(repoRoot);
  const file = join(repoRoot, "test", "lsp", "corpus", "__dtype_annotations__.ts");
  const text = [
    `import { np, type bf16, type i8, type u8, type i16 } from "tensorlens";`,
    `export function f(x: bf16<"N">, y: i8<"N">, z: u8<"N 2">, w: i16<"N">) {`,
    `  const a = x.mul(2.5);`,
    `  const b = np.sum(y);`,
    `  const c = np.sum(z);`,
    `  const d = np.add(y, w);`,
    `  return [a, b, c, d];`,
    `}`,
  ].join("\n");
  ws.open(file, text, 1);
  const res = ws.analyze(file)!;
  ws.dispose();
  const hint = (line: number) => res.hints.find((h) => h.position.line === line)?.label.replace(/^: /, "");
  assert.deepEqual([hint(2), hint(3), hint(4), hint(5)], ["bf16[N]", "i32[]", "u32[]", "i16[N]"]);
});
