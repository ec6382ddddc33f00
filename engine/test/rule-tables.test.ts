// Every interpretation of the primitives is one table keyed by every primitive, typed so that a
// missing rule or a wrong param type is a compile error. Where a rule is legitimately absent the
// table holds a NoRule marker with the reason: this test prints every such absence per table (that
// printed list is the documentation) and pins it, and checks that the compiler really enforces
// the tables (a table without `iota` must not compile; no cast may bypass that).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { shapeRules } from "../src/ir/abstract-eval.js";
import { jvpRules } from "../src/trace/ad/jvp.js";
import { vjpRules } from "../src/trace/ad/vjp.js";
import { batchRules } from "../src/trace/batching.js";
import { nativeLoweringTable } from "../src/backend/native/lower.js";
import { webgpuShaderTable } from "../src/backend/webgpu/ops.js";
import { NoRule } from "../src/ir/rule-table.js";
import type { Primitive } from "../src/ir/primitives.js";

const src = join(dirname(fileURLToPath(import.meta.url)), "../src");

const TABLES: Record<string, Readonly<Record<Primitive, unknown>>> = {
  shape: shapeRules, JVP: jvpRules, VJP: vjpRules, batching: batchRules, "native lowering": nativeLoweringTable,
  "webgpu shaders": webgpuShaderTable,
};
/** The files that build the tables: none may reach its table through a cast. */
const TABLE_FILES = ["ir/abstract-eval.ts", "trace/ad/jvp.ts", "trace/ad/vjp.ts", "trace/batching.ts", "backend/native/lower.ts", "backend/webgpu/ops.ts",
  "trace/ad/control-rules.ts", "trace/ad/custom-rules.ts", "trace/ad/pjit-rules.ts"];

/** The absences, as "primitive: reason", per table. */
const EXPECTED_ABSENT: Record<string, readonly string[]> = {
  shape: [],
  JVP: [
    "cummax: not implemented (JAX differentiates it through an associative scan)",
    "cummin: not implemented (JAX differentiates it through an associative scan)",
    "custom_vjp_call: a customVjp function defines reverse mode only, as in JAX",
  ],
  VJP: [
    "cummax: not implemented (JAX differentiates it through an associative scan)",
    "cummin: not implemented (JAX differentiates it through an associative scan)",
    "while: the trip count is not known in advance, as in JAX",
  ],
  batching: [],
  "native lowering": [
    "bitcast_convert_type: no addon kernel: the reference backend reinterprets the bits",
    "pjit: control flow: the engine runs it (trace/control.ts), calling compiled bodies",
    "custom_jvp_call: inlined before lowering (jit/passes.ts inlineCustomCalls); eagerly the engine evaluates the call",
    "custom_vjp_call: inlined before lowering (jit/passes.ts inlineCustomCalls); eagerly the engine evaluates the call",
    "cond: control flow: the engine runs it (trace/control.ts), calling compiled bodies",
    "scan: control flow: the engine runs it (trace/control.ts), calling compiled bodies",
    "while: control flow: the engine runs it (trace/control.ts), calling compiled bodies",
  ],
  "webgpu shaders": [
    "pjit: control flow: the backend's executor runs it inside programs (webgpu/control.ts), never as one shader",
    "custom_jvp_call: inlined before lowering (jit/passes.ts inlineCustomCalls); eagerly the engine evaluates the call",
    "custom_vjp_call: inlined before lowering (jit/passes.ts inlineCustomCalls); eagerly the engine evaluates the call",
    "cond: control flow: the backend's executor runs it inside programs (webgpu/control.ts), never as one shader",
    "scan: control flow: the backend's executor runs it inside programs (webgpu/control.ts), never as one shader",
    "while: control flow: the backend's executor runs it inside programs (webgpu/control.ts), never as one shader",
  ],
};

test("every table holds a rule or a NoRule marker for every primitive; the absences are the listed ones", () => {
  const primitives = Object.keys(shapeRules) as Primitive[];
  const lines: string[] = [];
  for (const [name, table] of Object.entries(TABLES)) {
    assert.deepEqual(Object.keys(table).sort(), [...primitives].sort(), `${name}: keys differ from the primitives`);
    // WebGPU's rules for the primitives it runs as one-node fused kernels are `{ fused }` (webgpu/ops.ts).
    const isRule = (r: unknown) => typeof r === "function" || (typeof r === "object" && r !== null && typeof (r as { fused?: unknown }).fused === "function");
    for (const p of primitives) assert.ok(isRule(table[p]) || table[p] instanceof NoRule, `${name}: ${p} is neither a rule nor a NoRule`);
    const absent = primitives.flatMap((p) => { const r = table[p]; return r instanceof NoRule ? [`${p}: ${r.reason}`] : []; });
    lines.push(`${name} (${absent.length} without a rule):`, ...absent.map((a) => `  ${a}`));
    assert.deepEqual(absent, EXPECTED_ABSENT[name], `${name}: the absences changed (update EXPECTED_ABSENT and the reason)`);
  }
  console.log(lines.join("\n"));
});

test("no table file reaches its table through a cast", () => {
  for (const f of TABLE_FILES) {
    const text = readFileSync(join(src, f), "utf8");
    assert.doesNotMatch(text, /as any\b|as unknown as|:\s*any\b|<any>/, `${f} uses any or a double cast`);
  }
});

/** Type-checks a snippet placed in engine/src/trace (so its imports resolve) and returns the error messages. */
function typeErrors(snippet: string): string[] {
  const file = join(src, "trace", "__rule_table_probe__.ts");
  const options: ts.CompilerOptions = {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ["lib.es2023.d.ts", "lib.esnext.disposable.d.ts"], types: ["node"], skipLibCheck: true, noUncheckedIndexedAccess: true,
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host), exists = host.fileExists.bind(host);
  host.readFile = (name) => (name === file ? snippet : read(name));
  host.fileExists = (name) => name === file || exists(name);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

test("the compiler enforces the tables: a missing rule or a wrong param type does not compile", () => {
  const header = `import { jvpRules, type JvpRule } from "./ad/jvp.js";\nimport type { NoRule } from "../ir/rule-table.js";\nimport type { Primitive } from "../ir/primitives.js";\n`;
  const table = `type Table = { readonly [P in Primitive]: JvpRule<P> | NoRule<P> };\n`;
  // The real table type-checks as itself; the same table without iota does not.
  assert.deepEqual(typeErrors(`${header}${table}const ok: Table = { ...jvpRules };\nvoid ok;\n`), []);
  const missing = typeErrors(`${header}${table}const { iota: _drop, ...rest } = jvpRules;\nconst bad: Table = rest;\nvoid _drop; void bad;\n`);
  assert.ok(missing.some((m) => m.includes("iota")), `a table without iota compiled: ${missing.join("; ")}`);
  // A rule that reads a param its primitive does not have does not compile.
  const wrongParam = typeErrors(`${header}const r: JvpRule<"reduce_sum"> = (p, t, params) => { void params.axis; return [p, t]; };\nvoid r;\n`);
  assert.ok(wrongParam.some((m) => m.includes("axis")), `a rule reading a wrong param compiled: ${wrongParam.join("; ")}`);
}, { timeout: 120_000 });
