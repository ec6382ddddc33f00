/**
 * Gradient flow for one grad/valueAndGrad call: which leaves of the differentiated arguments
 * reach the loss through differentiable ops, and why the others do not.
 */
import type ts from "typescript";
import type { GradEvent, Interpreter } from "./interpreter.js";
import { formatValue } from "./format.js";
import { isInt } from "./engineArgs.js";
import type { Value } from "./values.js";

export interface GradFlowInput {
  readonly site: ts.CallExpression;
  readonly callNode: ts.CallExpression | undefined;
  readonly transform: string;
  readonly fnName: string;
  readonly argNames: readonly string[];
  readonly leaves: readonly { id: string; path: string; leaf: Value }[];
  readonly loss: Value;
  readonly events: readonly GradEvent[];
}

export function reportGradFlow(it: Interpreter, g: GradFlowInput): void {
  const { site, loss } = g;
  if (loss.kind === "unknown") {
    note(it, site, `∂${g.fnName}/∂${g.argNames.join(",")}: not known (the output of ${g.fnName} could not be followed)`);
    return;
  }
  if (loss.kind === "array" && loss.shape && loss.shape.length > 0) {
    it.report(site, "error", "grad/non-scalar",
      `${g.transform} needs a scalar output, but ${g.fnName} returns ${formatValue(loss)} [rule: grad differentiates a function with a scalar (shape []) result]. Fix: reduce it (e.g. np.mean or .sum()), or use vjp / jacrev for non-scalar outputs.`);
  }
  const deps = loss.kind === "array" ? loss.deps : new Set<string>();
  let connected = 0;
  for (const l of g.leaves) {
    if (l.leaf.kind === "array" && l.leaf.dtype && (isInt(l.leaf.dtype) || l.leaf.dtype === "bool") && l.leaf.keyId === undefined) {
      it.report(g.callNode ?? site, "warning", "grad/integer-leaf",
        `\`${l.path}\` is ${formatValue(l.leaf)}: an integer leaf of a differentiated argument has no gradient (float0). Fix: cast it to a float dtype, or move it to an argument outside argnums.`);
    }
    if (deps.has(l.id)) { connected++; continue; }
    const cause = g.events.find((e) => e.deps.has(l.id));
    if (cause?.kind === "stop") {
      it.report(cause.node, "warning", "grad/stop-gradient",
        `The gradient of ${g.fnName} with respect to \`${l.path}\` is always zero: its only path to the output is cut by ${cause.op} here.`);
    } else if (cause) {
      it.report(cause.node, "warning", "grad/zero-grad-op",
        `${cause.op} has a zero gradient: \`${l.path}\` reaches the output of ${g.fnName} only through it, so ∂${g.fnName}/∂${l.path} is always zero. Fix: use a differentiable op on this path (e.g. softmax instead of argmax, a soft comparison via sigmoid).`);
    } else {
      it.report(site, "warning", "grad/no-path",
        `\`${l.path}\` has no path to the output of ${g.fnName}: its gradient is always zero. Fix: use it in the loss, or leave it out of argnums.`);
    }
  }
  const title = `∂${g.fnName}/∂${g.argNames.join(",")}: ${connected}/${g.leaves.length} leaves connected`;
  const details = g.leaves.map((l) => `- \`${l.path}\`${l.leaf.kind === "array" ? ` ${formatValue(l.leaf) ?? ""}` : ""}: ${deps.has(l.id) ? "connected" : "**no gradient**"}`);
  note(it, site, [title, ...details].join("\n"));
  // Quiet: a lens only where something is wrong (a leaf without gradient); several analyses of
  // the same grad (call sites, loop iterations) show the worst.
  if (connected === g.leaves.length) return;
  const prev = it.gradLenses.get(site);
  if (!prev || leadingCount(prev) > connected) it.gradLenses.set(site, title);
}

const leadingCount = (title: string) => Number(/: (\d+)\//.exec(title)?.[1] ?? Infinity);

/** The gradient-flow summary shown in the hover of the grad call; several analyses keep the worst. */
function note(it: Interpreter, site: ts.CallExpression, text: string): void {
  const prev = it.gradNotes.get(site);
  if (prev === undefined || leadingCount(prev) >= leadingCount(text)) it.gradNotes.set(site, text);
}
