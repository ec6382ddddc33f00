// Each engine module works when imported on its own, without the package's index: nothing the
// engine needs is registered by a module imported only for its effect (backends, the eval trace,
// eager control flow). Each case runs in a fresh node process, so no other module is loaded first.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const src = join(dirname(fileURLToPath(import.meta.url)), "..", "src");
const url = (path: string) => JSON.stringify(pathToFileURL(join(src, path)).href);

/** Runs `body` in a fresh process after importing `imports` (name -> module under engine/src) and returns what it prints as JSON. */
function inFreshProcess(imports: Record<string, string>, body: string): unknown {
  const head = Object.entries(imports).map(([name, path]) => `const ${name} = await import(${url(path)});`).join("\n");
  const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", `${head}\n${body}`], { encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").at(-1)!);
}
const near = (got: unknown, want: readonly number[]) => {
  const g = got as number[];
  assert.equal(g.length, want.length);
  g.forEach((x, i) => assert.ok(Math.abs(x - want[i]!) < 1e-5, `${JSON.stringify(got)} is not ${JSON.stringify(want)}`));
};

// f(x) = sum(x * x) at [1, 2, 3]: 14, gradient 2x; cond picks x + 1 (positive sum) or x - 1.
const RUN = `
const list = (a) => Array.from(a.dataSync(), Number);
const f = (x) => np.sum(np.multiply(x, x));
const x = np.array([1, 2, 3]);
const pick = (x) => control.cond(np.greater(np.sum(x), 0), (y) => np.add(y, 1), (y) => np.subtract(y, 1), x);
console.log(JSON.stringify({
  eager: list(f(x)), jit: list(J.jit(f)(x)), grad: list(G.grad(f)(x)),
  cond: list(pick(x)), condNeg: list(pick(np.negative(x))),
  jitCond: list(J.jit(pick)(x)), gradJitCond: list(G.grad((x) => np.sum(J.jit(pick)(x)))(x)),
}));`;
const WANT = { eager: [14], jit: [14], grad: [2, 4, 6], cond: [2, 3, 4], condNeg: [-2, -3, -4], jitCond: [2, 3, 4], gradJitCond: [1, 1, 1] };

function check(got: unknown) {
  for (const [k, want] of Object.entries(WANT)) near((got as Record<string, unknown>)[k], want);
}

test("numpy/index.ts alone: eager ops, with lax.cond", () => {
  const got = inFreshProcess({ np: "numpy/index.ts", control: "lax/control.ts" }, `
const list = (a) => Array.from(a.dataSync(), Number);
const x = np.array([1, 2, 3]);
console.log(JSON.stringify({ eager: list(np.sum(np.multiply(x, x))), cond: list(control.cond(np.greater(np.sum(x), 0), (y) => np.add(y, 1), (y) => y, x)) }));`);
  near((got as { eager: number[] }).eager, [14]);
  near((got as { cond: number[] }).cond, [2, 3, 4]);
});

test("api/grad.ts and api/jit.ts imported before numpy: jit, grad, lax.cond, grad of a jitted cond", () => {
  check(inFreshProcess({ G: "api/grad.ts", J: "api/jit.ts", control: "lax/control.ts", np: "numpy/index.ts" }, RUN));
});

test("lax/control.ts first, then numpy and the transformations", () => {
  check(inFreshProcess({ control: "lax/control.ts", np: "numpy/index.ts", J: "api/jit.ts", G: "api/grad.ts" }, RUN));
});
