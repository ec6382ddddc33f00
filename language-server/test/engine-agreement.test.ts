/**
 * The server and the engine agree on calls' arguments (issue 13): each call below is run by
 * the engine (does it throw a TypeError at the API boundary?) and analyzed by the server (does
 * it report engine/arguments?); both read engine/src/signatures. Valid calls also get the
 * engine's result shape as their hint.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Workspace } from "../src/analysis/workspace.js";
import * as engine from "../../engine/src/index.js";

const { np, nn, random, grad, vmap, jit } = engine;

/** [source of one call, the engine's call]: the source is analyzed, the function is run. */
const CALLS: [string, () => unknown][] = [
  ["np.concatenate([np.ones([2]), np.ones([1])], { axis: 0 })", () => np.concatenate([np.ones([2]), np.ones([1])], { axis: 0 })],
  ["np.concatenate([np.ones([2]), np.ones([1])], 0)", () => np.concatenate([np.ones([2]), np.ones([1])], 0)],
  ["np.concatenate([np.ones([2]), np.ones([1])], { axes: 0 })", () => np.concatenate([np.ones([2]), np.ones([1])], { axes: 0 } as any)],
  ["np.sum(np.ones([2, 3]), 1)", () => np.sum(np.ones([2, 3]), 1)],
  ["np.sum(np.ones([2, 3]), { axis: 1, keepdims: true })", () => np.sum(np.ones([2, 3]), { axis: 1, keepdims: true })],
  ["np.sum(np.ones([2, 3]), 1, { keepdims: true })", () => np.sum(np.ones([2, 3]), 1, { keepdims: true })],
  ["np.sum(np.ones([2, 3]), \"1\")", () => np.sum(np.ones([2, 3]), "1" as any)],
  ["np.sum(np.ones([2, 3]), { axes: 1 })", () => np.sum(np.ones([2, 3]), { axes: 1 } as any)],
  ["np.sum(np.ones([2, 3]), 1, \"int32\", true)", () => (np.sum as any)(np.ones([2, 3]), 1, "int32", true)],
  ["np.mean(np.ones([2, 3]), 0)", () => np.mean(np.ones([2, 3]), 0)],
  ["np.argmax(np.ones([2, 3]), { axis: 1, keepdims: true })", () => np.argmax(np.ones([2, 3]), { axis: 1, keepdims: true })],
  ["np.split(np.ones([4]), 2, { axis: 0 })", () => np.split(np.ones([4]), 2, { axis: 0 })],
  ["np.expandDims(np.ones([2]), { axis: 0 })", () => np.expandDims(np.ones([2]), { axis: 0 })],
  ["np.transpose(np.ones([2, 3]), { axes: [1, 0] })", () => np.transpose(np.ones([2, 3]), { axes: [1, 0] })],
  ["np.squeeze(np.ones([1, 3]), { axis: 0 })", () => np.squeeze(np.ones([1, 3]), { axis: 0 })],
  ["nn.softmax(np.ones([2, 3]), { axis: 0 })", () => nn.softmax(np.ones([2, 3]), { axis: 0 })],
  ["nn.softmax(np.ones([2, 3]), { axes: 0 })", () => nn.softmax(np.ones([2, 3]), { axes: 0 } as any)],
  ["np.zeros([2], { dtype: \"int32\" })", () => np.zeros([2], { dtype: "int32" })],
  ["np.zeros([2], { dtype: \"int33\" })", () => np.zeros([2], { dtype: "int33" } as any)],
  ["np.zeros([2], \"int32\")", () => np.zeros([2], "int32")],
  ["np.arange(5, { dtype: \"int32\" })", () => np.arange(5, { dtype: "int32" })],
  ["np.eye(3, { k: 1, dtype: \"int32\" })", () => np.eye(3, { k: 1, dtype: "int32" })],
  ["np.linspace(0, 1, 4, false)", () => np.linspace(0, 1, 4, false)],
  ["np.linspace(0, 1, 4, { endPoint: false })", () => np.linspace(0, 1, 4, { endPoint: false } as any)],
  ["np.add(\"hello\", 1)", () => np.add("hello" as any, 1)],
  ["np.add(null, 1)", () => np.add(null as any, 1)],
  ["np.add(np.ones([2]), 1)", () => np.add(np.ones([2]), 1)],
  ["np.add(np.ones([2]), 1, 2)", () => (np.add as any)(np.ones([2]), 1, 2)],
  ["np.matmul(undefined, np.ones([2]))", () => np.matmul(undefined as any, np.ones([2]))],
  ["np.reshape(np.ones([6]))", () => (np.reshape as any)(np.ones([6]))],
  ["np.ones([6]).reshape(2, 3)", () => np.ones([6]).reshape(2, 3)],
  ["np.ones([2, 3]).sum(1)", () => np.ones([2, 3]).sum(1)],
  ["np.ones([2, 3]).sum({ axis: 1, keepDims: true })", () => np.ones([2, 3]).sum({ axis: 1, keepDims: true } as any)],
  ["np.pad(np.ones([3]), 2, { mode: \"symmetric\" })", () => np.pad(np.ones([3]), 2, { mode: "symmetric" })],
  ["np.pad(np.ones([3]), 2, { mode: \"mean\" })", () => np.pad(np.ones([3]), 2, { mode: "mean" } as any)],
  ["np.unique(np.ones([3]), { size: 2 })", () => np.unique(np.ones([3]), { size: 2 })],
  ["np.unique(np.ones([3]), { returnCounts: true })", () => np.unique(np.ones([3]), { returnCounts: true } as any)],
  ["random.normal(random.key(0), [2, 3])", () => random.normal(random.key(0), [2, 3])],
  ["random.normal(random.key(0), { shape: [2, 3] })", () => random.normal(random.key(0), { shape: [2, 3] })],
  ["random.normal(random.key(0), { size: [2, 3] })", () => random.normal(random.key(0), { size: [2, 3] } as any)],
  ["grad((x) => np.sum(x), { argnum: 1 })", () => grad((x: any) => np.sum(x), { argnum: 1 } as any)],
  ["grad((x) => np.sum(x), { argnums: 0 })", () => grad((x: any) => np.sum(x), { argnums: 0 })],
  ["vmap((a, b) => np.add(a, b), [0, null])", () => vmap((a: any, b: any) => np.add(a, b), [0, null])],
  ["vmap((a, b) => np.add(a, b), { inAxis: 0 })", () => vmap((a: any, b: any) => np.add(a, b), { inAxis: 0 } as any)],
  ["jit((x) => x, { staticArgnum: 0 })", () => jit((x: any) => x, { staticArgnum: 0 } as any)],
  // Functions the engine does not have: the call throws "... is not a function".
  ["random.cauchy(random.key(0), [2])", () => (random as any).cauchy(random.key(0), [2])],
  ["np.erfc(np.ones([2]))", () => (np as any).erfc(np.ones([2]))],
  ["nn.initializers.lecunNormal()", () => nn.initializers.lecunNormal()],
  ["np.linalg.norm(np.ones([2]), { ord: 2 })", () => np.linalg.norm(np.ones([2]), { ord: 2 })],
];

function serverVerdicts(): { problems: string[]; hints: Map<number, string> }[] {
  const root = join(import.meta.dirname, "..", "..");
  const ws = new Workspace(root);
  const file = join(root, "test", "lsp", "corpus", "__engine_agreement__.ts");
  const lines = CALLS.map(([src], i) => `const r${i} = ${src};`);
  const text = `import { np, nn, random, grad, vmap, jit } from "tensorlens";\n${lines.join("\n")}\n`;
  ws.open(file, text, 1);
  const result = ws.analyze(file)!;
  ws.dispose();
  return CALLS.map((_, i) => {
    const line = i + 1;
    return {
      problems: result.diagnostics.filter((d) => d.code.startsWith("engine/") && d.range.start.line === line).map((d) => d.message),
      hints: new Map(result.hints.filter((h) => h.position.line === line).map((h) => [h.position.character, h.label])),
    };
  });
}

test("the server and the engine agree on which calls' arguments are wrong", () => {
  const server = serverVerdicts();
  const disagreements: string[] = [];
  CALLS.forEach(([src, run], i) => {
    let engineError: Error | undefined;
    try { run(); } catch (e) { engineError = e as Error; }
    const engineRejects = engineError instanceof TypeError;
    if (engineError && !engineRejects) disagreements.push(`${src}: the engine threw ${engineError.name}: ${engineError.message}`);
    const serverRejects = server[i]!.problems.length > 0;
    if (engineRejects !== serverRejects) {
      disagreements.push(`${src}: engine ${engineRejects ? `rejects (${engineError!.message})` : "accepts"}, server ${serverRejects ? `rejects (${server[i]!.problems.join("; ")})` : "accepts"}`);
    } else if (engineRejects && !/is not a function/.test(engineError!.message)) {
      // The same words: the server's message is the engine's without the location.
      const engineText = engineError!.message.replace(/ at [^ ]+:\d+:\d+$/, "");
      const head = (m: string) => m.split(";")[0]!.replace(/; got .*/, "");
      if (!server[i]!.problems.some((p) => head(p) === head(engineText))) disagreements.push(`${src}: engine says "${engineText}", server says "${server[i]!.problems.join("; ")}"`);
    }
  });
  assert.deepEqual(disagreements, []);
});

test("calls in the options-object form get the engine's shapes as hints", () => {
  const server = serverVerdicts();
  const hintOf = (src: string) => [...server[CALLS.findIndex(([s]) => s === src)]!.hints.values()].join(" ");
  const shapeOf = (src: string) => {
    const [, run] = CALLS.find(([s]) => s === src)!;
    const r = run() as engine.DeviceArray;
    return `[${r.shape.join(",")}]`;
  };
  for (const src of [
    "np.concatenate([np.ones([2]), np.ones([1])], { axis: 0 })", "np.sum(np.ones([2, 3]), 1)", "np.sum(np.ones([2, 3]), 1, { keepdims: true })",
    "np.sum(np.ones([2, 3]), { axis: 1, keepdims: true })", "np.expandDims(np.ones([2]), { axis: 0 })", "np.transpose(np.ones([2, 3]), { axes: [1, 0] })",
    "np.squeeze(np.ones([1, 3]), { axis: 0 })", "np.argmax(np.ones([2, 3]), { axis: 1, keepdims: true })", "np.zeros([2], { dtype: \"int32\" })",
    "np.arange(5, { dtype: \"int32\" })", "np.ones([6]).reshape(2, 3)", "np.ones([2, 3]).sum(1)", "random.normal(random.key(0), { shape: [2, 3] })",
  ]) {
    const hint = hintOf(src);
    assert.ok(hint.includes(shapeOf(src)), `${src}: hint "${hint}", engine shape ${shapeOf(src)}`);
  }
  assert.match(hintOf("np.zeros([2], { dtype: \"int32\" })"), /i32/);
});
