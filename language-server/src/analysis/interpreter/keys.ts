/**
 * PRNG keys: a random.* call consumes its key; a key consumed twice draws the same numbers. A use
 * is recorded with the chain of user-function call sites that led to it, so reuse through two
 * calls of one function is reported where the user wrote the two calls. Uses on exclusive paths
 * (if/else) are not reuse: branches.ts keeps one record per path.
 */
import type ts from "typescript";
import type { Interpreter } from "../interpreter.js";
import type { Value } from "../values.js";

export function consumeKey(it: Interpreter, key: Value | undefined, node: ts.Node): void {
  if (key?.kind !== "array" || key.keyId === undefined) return;
  it.keyConsumes++;
  const path = [...it.callSites, node];
  const prevPath = it.keyUses.get(key.keyId);
  if (prevPath && reportedWhereCallsPart(it, path, prevPath, node)) return;
  const prev = prevPath?.[prevPath.length - 1];
  if (prev) reportReuse(it, node, prev);
  else it.keyUses.set(key.keyId, path);
}

/**
 * The same key consumed through two different calls (sample(key) twice): reported at the first
 * call where the two paths part, so the reuse shows where the user wrote it. False when the paths
 * do not part in the target file.
 */
function reportedWhereCallsPart(it: Interpreter, path: readonly ts.Node[], prevPath: readonly ts.Node[], node: ts.Node): boolean {
  if (prevPath[prevPath.length - 1] !== node || prevPath.length !== path.length) return false;
  const k = path.findIndex((n, i) => prevPath[i] !== n);
  if (k < 0 || k >= path.length - 1) return false;
  const at = path[k]!, before = prevPath[k]!;
  const file = it.target;
  if (at.getSourceFile() !== file || before.getSourceFile() !== file) return false;
  const line = file.getLineAndCharacterOfPosition(before.getStart(file)).line + 1;
  const random = it.localEngineName("random") ?? "random";
  it.withFrame({ ...it.frame, module: it.modules.get(file.fileName) ?? it.frame.module }, () =>
    it.report(at, "warning", "prng/key-reuse",
      `This call consumes a PRNG key that was already consumed by the call at line ${line}: both draw the same random numbers. Split it first: \`const [k1, k2] = ${random}.split(key)\`.`));
  return true;
}

/** A key consumed at `node` that `prev` consumed already (or this same line, again). */
function reportReuse(it: Interpreter, node: ts.Node, prev: ts.Node): void {
  const file = it.frame.module.file;
  const line = file.getLineAndCharacterOfPosition(prev.getStart(file)).line + 1;
  const random = it.localEngineName("random") ?? "random";
  it.report(node, "warning", "prng/key-reuse",
    prev === node
      ? `This PRNG key is consumed again each time this line runs (in a loop, or in repeated calls): every draw gives the same numbers. Split a fresh key per use: \`[key, sub] = ${random}.split(key)\`.`
      : `This PRNG key was already consumed at line ${line}: reusing it gives correlated (identical) random numbers. Split it first: \`const [k1, k2] = ${random}.split(key)\`.`);
}
