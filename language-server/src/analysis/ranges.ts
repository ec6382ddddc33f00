/** Node positions in editor terms (0-based line, UTF-16 character), as every result carries them. */
import type ts from "typescript";
import type { Position, Range } from "./results.js";

export function positionAt(sf: ts.SourceFile, offset: number): Position {
  return sf.getLineAndCharacterOfPosition(offset);
}

export function rangeOf(node: ts.Node, sf: ts.SourceFile = node.getSourceFile()): Range {
  return { start: positionAt(sf, node.getStart(sf)), end: positionAt(sf, node.getEnd()) };
}
