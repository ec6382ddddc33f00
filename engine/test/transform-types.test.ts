// The public transformations are typed: a transformed function takes f's parameters, and a
// derivative has the type of what it differentiates. Checked by the TypeScript compiler on a
// snippet: lines marked `// error` must fail to type-check, every other line must pass.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import ts from "typescript";

const SNIPPET = `
import { np, grad, valueAndGrad, vjp, jvp, linearize, jacfwd, jacrev, vmap, type DeviceArray } from "../src/index.js";
type Params = { w: DeviceArray; b: DeviceArray };
declare const x: DeviceArray, p: Params;
const loss = (params: Params, input: DeviceArray) => np.sum(params.w.mul(input).add(params.b));
const gp: Params = grad(loss)(p, x);
const gx: DeviceArray = grad(loss, { argnums: 1 })(p, x);
const both: [Params, DeviceArray] = grad(loss, { argnums: [0, 1] })(p, x);
const withAux = (params: Params, input: DeviceArray) => [loss(params, input), { n: 3 }] as [DeviceArray, { n: number }];
const [ga, aux]: [Params, { n: number }] = grad(withAux, { hasAux: true })(p, x);
const [value, g2]: [DeviceArray, Params] = valueAndGrad(loss)(p, x);
const [out, pullback] = vjp(loss, p, x);
const cts: [Params, DeviceArray] = pullback(out);
const [y, ty]: [DeviceArray, DeviceArray] = jvp(loss, [p, x], [p, x]);
const [y2, lin] = linearize(loss, p, x);
const ty2: DeviceArray = lin(p, x);
const jf: DeviceArray = jacfwd((v: DeviceArray) => v.mul(2))(x);
const jr: DeviceArray = jacrev((v: DeviceArray) => v.mul(2))(x);
const batched: Params = vmap((v: DeviceArray) => ({ w: v, b: v }))(x);
const wrongGrad: DeviceArray = grad(loss)(p, x); // error
const wrongArgs = grad(loss)(x, x); // error
const tooFew = vmap(loss)(p); // error
const wrongCt = pullback(p); // error
void [gp, gx, both, ga, aux, value, g2, cts, y, ty, y2, ty2, jf, jr, batched, wrongGrad, wrongArgs, tooFew, wrongCt];
`;

test("grad, valueAndGrad, vjp, jvp, linearize, jacfwd, jacrev and vmap have f's parameters and typed results", () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const file = join(here, "__transform_types_snippet.ts");
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true, noEmit: true, skipLibCheck: true, lib: ["lib.es2023.d.ts", "lib.esnext.disposable.d.ts"], types: ["node"],
  };
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) => (name === file ? ts.createSourceFile(name, SNIPPET, lang) : read(name, lang, ...rest));
  const program = ts.createProgram([file], options, host);
  const sf = program.getSourceFile(file)!;
  const errorLines = new Set(ts.getPreEmitDiagnostics(program, sf).map((d) => sf.getLineAndCharacterOfPosition(d.start!).line));
  SNIPPET.split("\n").forEach((line, i) => {
    if (line.endsWith("// error")) assert.ok(errorLines.has(i), `expected a type error: ${line}`);
    else assert.ok(!errorLines.has(i), `unexpected type error on: ${line}\n${ts.formatDiagnostics(ts.getPreEmitDiagnostics(program, sf), host)}`);
  });
});
