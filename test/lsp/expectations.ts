/**
 * Expectations written under the code in corpus files:
 *   const h = x.matmul(w);
 *   // expect: f32[B,4]            the first hint on the line above
 *   // expect k2: key u32[2]       the hint of the name k2 on the line above
 *   // expect-error: shape/matmul  a diagnostic of that severity whose code or message contains the text
 *   // expect-warning: prng/key-reuse
 *   // expect-lens: ∂loss/∂layers: 2/2 leaves connected
 * Several expectation lines may follow one code line.
 */
export interface Expectation {
  readonly kind: "hint" | "error" | "warning" | "lens";
  readonly line: number; // 0-based line of the code the expectation is about
  readonly name?: string;
  readonly text: string;
  readonly at: number; // 0-based line of the comment, for messages
}

const PATTERN = /^\s*\/\/\s*expect(-error|-warning|-lens)?(?:\s+([\w$]+))?:\s*(.+?)\s*$/;

export function parseExpectations(source: string): Expectation[] {
  const lines = source.split("\n");
  const out: Expectation[] = [];
  let codeLine = -1;
  lines.forEach((line, i) => {
    const m = PATTERN.exec(line);
    if (!m) {
      if (line.trim() !== "" && !/^\s*\/\//.test(line)) codeLine = i;
      return;
    }
    const kind = m[1] === "-error" ? "error" : m[1] === "-warning" ? "warning" : m[1] === "-lens" ? "lens" : "hint";
    out.push({ kind, line: codeLine, name: m[2], text: m[3]!, at: i });
  });
  return out;
}
