// The bench's MLP training step alone (784-512-512-10, B=128, grad + SGD, jit): median ms.
import { np, nn, jit, grad } from "../engine/src/index.js";
import { mlpModel } from "./probe.js";
const { params, x, y, step } = mlpModel({ np, nn, jit, grad });
const ts: number[] = [];
for (let i = 0; i < 150; i++) { const t = performance.now(); step(params, x, y).forEach((a: any) => a.dispose()); ts.push(performance.now() - t); }
ts.sort((a, b) => a - b);
console.log(`mlp train step (jit): median ${ts[75]!.toFixed(2)} ms, p10 ${ts[15]!.toFixed(2)} ms${process.env.TL_NOEPI ? " (no epilogues)" : ""}`);
