/**
 * The server as a plain LSP client sees it over stdio: hovers explain derivations, quick fixes
 * edit the text, Run/Profile lenses carry their arguments, and incremental edits give the same
 * hints as opening the final text afresh.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { LspClient } from "../../test/lsp/lspClient.js";

let client: LspClient;
let dir: string;
before(async () => { dir = mkdtempSync(join(tmpdir(), "tl-proto-")); client = await LspClient.start(dir); });
after(async () => { await client.stop(); rmSync(dir, { recursive: true, force: true }); });

const uriOf = (name: string) => pathToFileURL(join(dir, name)).href;

test("hover shows the value, the op and rule that derived it, and where a symbol comes from", async () => {
  const text = `import { np, type f32 } from "tensorlens";
function f(x: f32<"B 784">) {
  const h = x.matmul(np.zeros([784, 10]));
  return h;
}
`;
  const uri = uriOf("hover.ts");
  client.open(uri, text);
  const hover = await client.hover(uri, { line: 2, character: 9 });
  assert.ok(hover, "a hover");
  const md = hover.contents.value;
  assert.match(md, /f32\[B,10\]/);
  assert.match(md, /x\.matmul/);
  assert.match(md, /matmulShape/);
  assert.match(md, /f32\[B,784\] @ f32\[784,10\]/);
  assert.match(md, /`B`: symbolic size from the annotation `x: f32<"B 784">` \(line 2\)/);
});

test("every ? explains itself: the hover and the file's gaps say which call or value lost the size", async () => {
  const text = `import { np, grad } from "tensorlens";
function scale(x) {
  const y = x.mul(2);
  return y;
}
const a = scale(np.ones([3, 4]));
const b = scale(np.ones([5, 4]));
const k = np.kron(np.ones([2, 2]), np.ones([3, 3]));
const loss = (w) => np.sum(np.square(w));
const g = grad(loss)(np.ones([3]));
`;
  const uri = uriOf("gaps.ts");
  client.open(uri, text);
  const gaps = await client.conn.sendRequest("tensorlens/gaps", { textDocument: { uri } }) as { name?: string; label: string; why: string }[];
  const byName = new Map(gaps.map((g) => [g.name, g]));
  assert.equal(byName.get("y")?.label, "f32[?,4]");
  assert.match(byName.get("y")!.why, /differs between the branches, loop iterations or calls/);
  assert.match(byName.get("k")!.why, /np\.kron.*no shape rule/);
  assert.ok(!byName.has("a") && !byName.has("g"), "known hints are not gaps");
  const hover = await client.hover(uri, { line: 7, character: 6 });
  assert.match(hover!.contents.value, /`\?`: not known statically: `np\.kron` is not modeled/);
  // Quiet gradient flow: no lens when every leaf is connected; the summary is in the hover of `grad`.
  const lenses = await client.codeLenses(uri);
  assert.deepEqual(lenses.filter((l) => l.command.title.startsWith("∂")), []);
  const gradHover = await client.hover(uri, { line: 9, character: 11 });
  assert.match(gradHover!.contents.value, /∂loss\/∂w: 1\/1 leaves connected/);
});

test("quick fixes: transpose a matmul operand, add an axis for broadcasting, np.where for a ternary on an array", async () => {
  const text = `import { np } from "tensorlens";
const a = np.ones([3, 4]);
const b = np.ones([5, 4]);
const c = np.matmul(a, b);
const v = np.ones([3]);
const d = np.add(v, a);
const e = a.sum() ? a : b;
`;
  const uri = uriOf("fixes.ts");
  client.open(uri, text);
  const diags = await client.waitDiagnostics(uri);
  const fixAt = async (line: number) => {
    const d = diags.filter((x) => x.range.start.line === line);
    assert.ok(d.length, `a diagnostic on line ${line + 1}: ${JSON.stringify(diags)}`);
    const actions = await client.codeActions(uri, d[0]!.range, d);
    assert.equal(actions.length, 1, JSON.stringify(actions));
    return actions[0]!.edit.changes[uri]![0]!.newText;
  };
  assert.equal(await fixAt(3), "b.T");
  assert.equal(await fixAt(5), "np.expandDims(v, -1)");
  assert.equal(await fixAt(6), "np.where(a.sum(), a, b)");
});

test("Run/Profile lenses above runnable exported functions, with uri and function name", async () => {
  const text = `import { np, type f32 } from "tensorlens";
export function demo() { return np.ones([2]); }
export const shaped = (x: f32<"N 3">) => x.sum();
export function needsArgs(x: number) { return x; }
function notExported() { return 1; }
`;
  const uri = uriOf("lenses.ts");
  client.open(uri, text);
  const lenses = await client.codeLenses(uri);
  const runs = lenses.filter((l) => l.command.command === "tensorlens.run").map((l) => l.command.arguments?.[0]);
  assert.deepEqual(runs, [{ uri, functionName: "demo" }, { uri, functionName: "shaped" }]);
  const profiles = lenses.filter((l) => l.command.command === "tensorlens.profile").map((l) => (l.command.arguments?.[0] as { functionName: string }).functionName);
  assert.deepEqual(profiles, ["demo", "shaped"]);
});

test("incremental edits give the same hints as opening the edited text", async () => {
  const start = `import { np } from "tensorlens";
const a = np.ones([3, 4]);
const b = a.matmul(np.ones([4, 2]));
`;
  const uri = uriOf("incremental.ts");
  client.open(uri, start);
  assert.deepEqual((await client.hints(uri)).map((h) => h.label), [": f32[3,4]", ": f32[3,2]"]);
  // [3, 4] -> [3, 5] at line 2 and the matmul's [4, 2] -> [5, 7]: two separate edits.
  client.edit(uri, { start: { line: 1, character: 22 }, end: { line: 1, character: 23 } }, "5");
  client.edit(uri, { start: { line: 2, character: 28 }, end: { line: 2, character: 32 } }, "5, 7");
  const edited = (await client.hints(uri)).map((h) => h.label);
  const fresh = uriOf("fresh.ts");
  client.open(fresh, start.replace("[3, 4]", "[3, 5]").replace("[4, 2]", "[5, 7]"));
  assert.deepEqual(edited, (await client.hints(fresh)).map((h) => h.label));
  assert.deepEqual(edited, [": f32[3,5]", ": f32[3,7]"]);
});

test("hints are limited to the requested range", async () => {
  const lines = ['import { np } from "tensorlens";'];
  for (let i = 0; i < 50; i++) lines.push(`const v${i} = np.ones([${i + 1}]);`);
  const uri = uriOf("range.ts");
  client.open(uri, lines.join("\n"));
  const hints = await client.hints(uri, { start: { line: 10, character: 0 }, end: { line: 12, character: 100 } });
  assert.deepEqual(hints.map((h) => h.label), [": f32[10]", ": f32[11]", ": f32[12]"]);
});

test("engine names resolve through aliases, destructuring, namespace imports and re-exports from a user module", async () => {
  writeFileSync(join(dir, "reexport.ts"), `export { np as numpy, nn } from "tensorlens";\nexport { random as rng } from "tensorlens";\n`);
  const text = `import { np } from "tensorlens";
import * as tl from "tensorlens";
import { numpy, rng } from "./reexport";
const n = np;
const a = n.matmul(np.ones([2, 3]), np.ones([3, 4]));
const { matmul, zeros: z } = np;
const b = matmul(z([5, 2]), a);
const c = tl.np.zeros([7]);
const { np: np2, random } = tl;
const d = np2.ones([1, 2]).get(0);
const e = numpy.ones([6]);
const k = rng.normal(random.key(0), [2, 2]);
const bad = n.matmul(b, numpy.ones([3, 3]));
`;
  const uri = uriOf("aliases.ts");
  client.open(uri, text);
  const diags = await client.waitDiagnostics(uri);
  const hints = await client.hints(uri);
  const byName = Object.fromEntries(hints.map((h) => [h.tooltip?.split(":")[0], h.label.replace(/^: /, "")]));
  assert.equal(byName.a, "f32[2,4]");
  assert.equal(byName.b, "f32[5,4]");
  assert.equal(byName.c, "f32[7]");
  assert.equal(byName.d, "f32[2]");
  assert.equal(byName.e, "f32[6]");
  assert.equal(byName.k, "f32[2,2]");
  assert.deepEqual(diags.map((x) => [x.range.start.line, x.code]), [[12, "shape/matmul"]]);
});

test("indexing, modules and jacobians over stdio: hints and an out-of-bounds diagnostic", async () => {
  const text = `import { np, nn, random, jacrev, type DeviceArray } from "tensorlens";
class Net extends nn.Module {
  call(x: DeviceArray) { return nn.sigmoid(nn.Dense(1)(nn.relu(nn.Dense(4)(x)))); }
}
const input = np.ones([3, 2]);
const vars = new Net().init(random.PRNGKey(0), input);
const y = new Net().apply(vars, input);
const J = jacrev((v: DeviceArray) => np.tanh(v))(np.ones([5]));
const row = input.get(1, "::-1");
const oops = input.get(3);
`;
  const uri = uriOf("newfeatures.ts");
  client.open(uri, text);
  const diags = await client.waitDiagnostics(uri);
  const hints = await client.hints(uri);
  const byName = Object.fromEntries(hints.map((h) => [h.tooltip?.split(":")[0], h.label.replace(/^: /, "")]));
  assert.equal(byName.vars, "{params: {Dense_0: {kernel: f32[2,4], bias: f32[4]}, Dense_1: {kernel: f32[4,1], bias: f32[1]}}}");
  assert.equal(byName.y, "f32[3,1]");
  assert.equal(byName.J, "f32[5,5]");
  assert.equal(byName.row, "f32[2]");
  assert.equal(diags.length, 1, JSON.stringify(diags));
  assert.equal(diags[0]!.range.start.line, 9);
  assert.match(diags[0]!.message, /index 3 is out of bounds for axis 0 with size 3/);
});
