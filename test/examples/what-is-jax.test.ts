// `npm start` walks the tutorial: the example runs as a user would run it and prints the
// tutorial's results. Values are checked against numpy's matmul of the tutorial's arrays, the
// JAX PRNG known answers and Flax's printed initial parameters (from the issue). The same
// program with TENSORLENS_BACKEND=webgpu must print the same numbers as on the default backend.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** The example's output on a backend (the default one when undefined); runs once per backend. */
const outputs = new Map<string | undefined, ReturnType<typeof spawnSync<string>>>();
function runExample(backend?: string) {
  let r = outputs.get(backend);
  if (!r) {
    const env = { ...process.env };
    if (backend) env.TENSORLENS_BACKEND = backend;
    else delete env.TENSORLENS_BACKEND;
    r = spawnSync(process.execPath, ["--import", "tsx", "examples/what-is-jax.ts"], { cwd: root, encoding: "utf8", timeout: 240_000, env });
    outputs.set(backend, r);
  }
  return r;
}

/**
 * The printed numbers of each labelled line, leaving out what differs between backends by
 * design: the timings, the jitted program's listing (each backend lowers its own way), and
 * where the arrays live.
 */
function printedNumbers(out: string): { label: string; values: number[] }[] {
  const rows: { label: string; values: number[] }[] = [];
  let inListing = false;
  let label = "";
  for (const line of out.split("\n")) {
    if (line.startsWith("the jitted program:")) { inListing = true; continue; }
    if (line.startsWith("===")) inListing = false;
    if (inListing || line.startsWith("update_step eager:")) continue;
    const text = line.replace(/lives on "[a-z]+"/, "lives on");
    const eq = text.search(/ = |: |->/);
    if (eq > 0 && !/^\s/.test(text)) label = text.slice(0, eq).trim();
    const values = (text.slice(eq > 0 && !/^\s/.test(text) ? eq : 0).match(/-?\d+\.?\d*(e[-+]?\d+)?|NaN|true|false/g) ?? []).map((v) => (v === "true" ? 1 : v === "false" ? 0 : Number(v)));
    if (values.length) rows.push({ label, values });
  }
  return rows;
}

test("examples/what-is-jax.ts runs end to end and prints the tutorial's results", () => {
  const r = runExample();
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout;
  const numbers = (line: string) => (line.match(/-?\d+\.?\d*(e[-+]?\d+)?/g) ?? []).map(Number);
  const after = (label: string, n: number) => {
    const i = out.indexOf(label);
    assert.ok(i >= 0, `missing "${label}" in:\n${out}`);
    return numbers(out.slice(i + label.length)).slice(0, n);
  };
  // numpy.matmul([[2,3],[4,5],[6,7]], [[9,1,0,0],[1,0,1,0]])
  assert.deepEqual(after("np.matmul(input, kernel) =", 12), [21, 2, 3, 0, 41, 4, 5, 0, 61, 6, 7, 0]);
  assert.deepEqual(after("np.dot(input, kernel)    =", 12), [21, 2, 3, 0, 41, 4, 5, 0, 61, 6, 7, 0]);
  assert.deepEqual(after("random.split(PRNGKey(0)) ->", 4), [1797259609, 2579123966, 928981903, 3453687069]);
  const flax0 = [1.1381536, -1.0838526, 0.37998098, 0.15393464, 0.17555283, -0.3848625, 0.52419275, -1.4104135];
  after("Dense_0.kernel =", 8).forEach((v, i) => assert.ok(Math.abs(v - flax0[i]!) < 2e-6, `Dense_0.kernel[${i}] = ${v}`));
  const flax1 = [0.22024584, 0.5676514, 0.4185372, -0.3969197];
  after("Dense_1.kernel =", 4).forEach((v, i) => assert.ok(Math.abs(v - flax1[i]!) < 2e-6, `Dense_1.kernel[${i}] = ${v}`));
  assert.match(out, /init with inputs of shape \(1, 2\) and \(2,\) gives the same parameters: true/);
  assert.match(out, /jitted and eager agree: true/);
  assert.deepEqual(after("vmap(x => Net().apply(vars, x))(input) =", 3), after("Net().apply(vars, input) =", 3));
  assert.deepEqual(after("vmap(predict one example)(input) =", 3), after("predict(input, layers)           =", 3));
  // The second derivative of sin at 1 is -sin(1).
  assert.ok(Math.abs(after("second derivative of sin at 1.0:", 1)[0]! + Math.sin(1)) < 1e-6);
});

test("examples/what-is-jax.ts prints the same numbers with TENSORLENS_BACKEND=webgpu", (t) => {
  const gpu = runExample("webgpu");
  if (gpu.status !== 0 && /no WebGPU adapter was found/.test(gpu.stderr) && process.env.TENSORLENS_REQUIRE_WEBGPU !== "1") {
    t.skip(`no WebGPU adapter: ${gpu.stderr.split("\n").find((l) => l.includes("Looked for")) ?? ""}`);
    return;
  }
  assert.equal(gpu.status, 0, gpu.stderr);
  assert.match(gpu.stdout, /\(backend: webgpu\)/);
  const cpu = runExample();
  assert.equal(cpu.status, 0, cpu.stderr);
  const want = printedNumbers(cpu.stdout), got = printedNumbers(gpu.stdout);
  assert.deepEqual(got.map((r) => r.label), want.map((r) => r.label), "the same lines, in the same order");
  assert.ok(want.length > 20, `only ${want.length} lines with numbers in:\n${cpu.stdout}`);
  want.forEach((w, i) => {
    const g = got[i]!;
    assert.equal(g.values.length, w.values.length, `${w.label}: how many numbers`);
    w.values.forEach((v, k) => {
      const close = Number.isNaN(v) ? Number.isNaN(g.values[k]!) : Math.abs(g.values[k]! - v) <= 1e-5 + 1e-4 * Math.abs(v);
      assert.ok(close, `${w.label}: number ${k} is ${g.values[k]} on webgpu, ${v} on ${cpu.stdout.match(/\(backend: (\w+)\)/)?.[1]}`);
    });
  });
});
