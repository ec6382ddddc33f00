/**
 * Writes docs/api-coverage.md from the engine's declared signatures (engine/src/signatures)
 * and the op fixtures: `npx tsx scripts/api-coverage.ts` (or `--check` to fail when the page
 * is stale). Every function listed is declared, so it is exported and validated; its JAX name
 * is derived from the camelCase name unless a table below says otherwise.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SIGNATURES, LIBRARY_SIGNATURES, formatSignature, type Signature } from "../engine/src/signatures/index.js";
import * as engine from "../engine/src/index.js";
import { DTYPES, SHORT_NAME } from "../engine/src/dtype.js";

const root = join(import.meta.dirname, "..");
const out = join(root, "docs", "api-coverage.md");

/** Names whose JAX spelling is not the snake_case of ours. */
const JAX_NAME: Record<string, string> = {
  "np.atleast1d": "atleast_1d", "np.atleast2d": "atleast_2d", "np.atleast3d": "atleast_3d", "np.ediff1d": "ediff1d",
  "np.union1d": "union1d", "np.intersect1d": "intersect1d", "np.setdiff1d": "setdiff1d", "np.setxor1d": "setxor1d",
  "np.ix_": "ix_", "np.var": "var", "np.variance": "var", "np.logsumexp": "logsumexp (jax.scipy.special)",
  "lax.forILoop": "fori_loop", "lax.switch": "switch", "lax.erfInv": "erf_inv", "lax.convertElementType": "convert_element_type",
  "random.PRNGKey": "PRNGKey", "nn.logsumexp": "logsumexp",
};
/** Ours only: no JAX function of that name (helpers, aliases kept for TypeScript). */
const ENGINE_ONLY = new Set([
  "np.delete_", "np.isInteger", "np.asArray", "np.promote", "np.promoteFloat", "np.dtypeArg", "np.defaultFloatDType",
  "np.broadcastShapesOf", "np.index", "np.at", "np.s", "np.variance", "nn._scalar", "nn.formatTree", "lax.threefry2x32",
  "nn.initializers.computeFans", "nn.initializers.defaultKernelInit", "nn.initializers.defaultEmbedInit",
]);
/** Where the function comes from in the JAX ecosystem, when it is not the namespace's own. */
const FROM: Record<string, string> = {
  "nn.avgPool": "flax.linen.avg_pool", "nn.maxPool": "flax.linen.max_pool", "nn.minPool": "flax.linen.min_pool",
  "nn.dotProductAttentionWeights": "flax.linen.dot_product_attention_weights", "nn.makeCausalMask": "flax.linen.make_causal_mask",
  "nn.freeze": "flax.core.freeze", "nn.unfreeze": "flax.core.unfreeze", "nn.tabulate": "flax.linen.tabulate",
  "lax.gather": "lax.gather (one axis, not XLA's dimension numbers)", "lax.scatter": "lax.scatter (one axis, not XLA's dimension numbers)",
};

const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
/** The library layers' names in Flax, Optax and jax.tree (signatures/library.ts). */
function libraryName(sig: Signature): string {
  const [ns, ...rest] = sig.path.split(".");
  const local = rest.join(".");
  if (ns === "nn") return local.startsWith("Module.") ? `flax.linen.Module.${snake(local.slice(7))}` : `flax.linen.${local}`;
  if (ns === "optim") return `optax.${snake(local)}`;
  if (ns === "losses") return `optax.losses.${snake(local)}`;
  if (local === "registerPytreeNode") return "jax.tree_util.register_pytree_node";
  return `jax.tree.${snake(local)}`;
}
function jaxName(sig: Signature, ns: string): string {
  if (LIBRARY_SIGNATURES.has(sig.path)) return libraryName(sig);
  if (FROM[sig.path]) return FROM[sig.path]!;
  if (ENGINE_ONLY.has(sig.path)) return "(tensorlens only)";
  const local = sig.path.slice(ns.length ? ns.length + 1 : 0);
  const base = JAX_NAME[sig.path] ?? local.split(".").map(snake).join(".");
  return base;
}

function tested(): Set<string> {
  const names = new Set<string>();
  for (const f of ["numpy-ops.json", "nn-functions.json"]) {
    const cases = JSON.parse(readFileSync(join(root, "engine", "test", "fixtures", f), "utf8")) as { fn: string }[];
    for (const c of cases) names.add(c.fn);
  }
  // Fixtures with their own test file name the functions they compare with numpy / scipy ("covers").
  for (const f of ["linalg.json", "fft.json", "lax-extra.json", "scipy.json", "dtypes-small.json"]) {
    const data = JSON.parse(readFileSync(join(root, "engine", "test", "fixtures", f), "utf8")) as { covers?: string[] };
    for (const n of data.covers ?? []) names.add(n);
  }
  return names;
}

const esc = (s: string) => s.replace(/\|/g, "\\|");

function table(ns: string, jaxPrefix: string, testedNames?: Set<string>, nsTest = (p: string) => p, from: ReadonlyMap<string, Signature> = SIGNATURES): string[] {
  const sigs = [...from.values()]
    .filter((s) => (ns ? s.path.startsWith(`${ns}.`) : !s.path.includes(".")) && (ns !== "nn" || !s.path.startsWith("nn.initializers.")))
    .sort((a, b) => a.path.localeCompare(b.path));
  const lines = [`| ${jaxPrefix} | tensorlens signature |${testedNames ? " tested |" : ""}`, `|---|---|${testedNames ? "---|" : ""}`];
  for (const s of sigs) {
    const t = testedNames ? ` ${testedNames.has(nsTest(s.path)) ? "yes" : "no"} |` : "";
    lines.push(`| ${esc(jaxName(s, ns))} | \`${esc(formatSignature(s))}\` |${t}`);
  }
  return lines;
}

function classes(ns: Record<string, unknown>, module: unknown): string[] {
  return Object.entries(ns).filter(([, v]) => typeof v === "function" && ((v as any).prototype instanceof (module as any) || v === module)).map(([k]) => k).sort();
}

function render(): string {
  const t = tested();
  const count = (prefix: string) => [...SIGNATURES.keys()].filter((p) => p.startsWith(prefix)).length;
  const libCount = (prefix: string) => [...LIBRARY_SIGNATURES.keys()].filter((p) => p.startsWith(prefix)).length;
  const nnClasses = classes(engine.nn as any, (engine.nn as any).Module);
  const md: string[] = [
    "# API coverage",
    "",
    "<!-- Generated by scripts/api-coverage.ts from the declared signatures (engine/src/signatures) and the op",
    "     fixtures; do not edit by hand: run `npx tsx scripts/api-coverage.ts`. -->",
    "",
    "Generated from the engine's declared signatures (`engine/src/signatures/`: the same table the engine validates",
    "arguments with and the language server reads) and the op fixtures (`engine/test/fixtures/numpy-ops.json`,",
    "`nn-functions.json`). Each signature is the calling convention: parameters in numpy's positional order, `?` optional,",
    "`= value` the default, `*` before keyword-only parameters. Every optional parameter may also be given in a trailing",
    "options object (`np.sum(x, 1)` is `np.sum(x, { axis: 1 })`); unknown option names and wrong types are TypeErrors.",
    "\"tested\" means a fixture case compares the function with numpy / PyTorch (forward on every backend; gradients vs",
    "PyTorch and finite differences where it is differentiable).",
    "",
    `## jax.numpy (\`np\`): ${count("np.") - count("np.linalg.") - count("np.fft.")} functions (+ ${count("np.linalg.")} in \`np.linalg\`, ${count("np.fft.")} in \`np.fft\`)`,
    "",
    ...table("np", "jax.numpy", t, (p) => p.replace(/^np\./, "").replace(/^linalg\./, "linalg.")),
    "",
    "`np.fft` returns a `ComplexArray` (real and imaginary parts as two float arrays, a pytree): the engine has no complex",
    "dtype.",
    "",
    `Dtypes (engine/src/dtype.ts): ${DTYPES.map((d) => `${d} (\`${SHORT_NAME[d]}\`)`).join(", ")}.`,
    "",
    "### jax.numpy: not implemented",
    "",
    ...NUMPY_MISSING.map((n) => `- ${n}`),
    "",
    `## jax.nn (\`nn\`): ${count("nn.") - count("nn.initializers.")} functions (+ ${count("nn.initializers.")} in \`nn.initializers\`)`,
    "",
    ...table("nn", "jax.nn", t, (p) => `nn.${p.slice(3)}`),
    "",
    "### jax.nn.initializers (`nn.initializers`)",
    "",
    ...table("nn.initializers", "jax.nn.initializers"),
    "",
    `### Flax-style modules (\`nn\`, classes: flax.linen): ${nnClasses.join(", ")}`,
    "",
    "Each class's constructor is declared (`engine/src/signatures/library.ts`): `new nn.Dense(4, { useBias: false })` and",
    "`nn.Dense(4)` validate their arguments as the functions do (an unknown option is a TypeError); `nn.Module`'s",
    "`init` / `apply` read a trailing options object, and an unknown or misspelled option there is a TypeError too.",
    "",
    ...table("nn", "flax.linen", undefined, undefined, LIBRARY_SIGNATURES),
    "",
    "Not implemented in jax.nn: log_softmax / softmax `where=`, `initial=`; dot_product_attention's `scale`, `is_causal`,",
    "`implementation`; glu/relu variants not listed above (e.g. `squareplus`, `log1mexp`).",
    "",
    `## jax.lax (\`lax\`): ${count("lax.")} functions`,
    "",
    ...table("lax", "jax.lax", t, (p) => p),
    "",
    "Not implemented in lax (partial list): fori_loop's unroll,",
    "psum and other collectives, linalg (lax.linalg.*), fft, population_count, clz, integer_pow, expand_dims, squeeze,",
    "rng_bit_generator.",
    "",
    `## jax.random (\`random\`): ${count("random.")} functions`,
    "",
    ...table("random", "jax.random"),
    "",
    "gamma, beta, dirichlet and poisson are rejection samplers with JAX's algorithms but their own key use: the same",
    "distributions (tested against scipy's quantiles), not the same bits.",
    "",
    "All of these are tested against an independent threefry2x32 implementation (`scripts/prng_reference.py`, fixtures in",
    "`engine/test/fixtures/prng/`) in both of JAX's schemes (`config.update(\"threefryPartitionable\", ...)`), bit for bit,",
    "plus distribution moments.",
    "",
    "Not implemented in random: ball, binomial, cauchy, chisquare, clone, double_sided_maxwell, f,",
    "generalized_normal, geometric, key_impl, loggamma, lognormal, maxwell, multinomial, multivariate_normal, orthogonal,",
    "pareto, rademacher, rayleigh, rbg_key / unsafe_rbg_key, t, triangular, wald, weibull_min, wrap_key_data; typed",
    "key arrays (`key<fry>`), bit widths other than 32 in `bits`.",
    "",
    `## jax.scipy (\`scipy\`): ${count("scipy.")} functions`,
    "",
    ...table("scipy", "jax.scipy", t, (p) => p),
    "",
    `## Transformations (top level): ${[...SIGNATURES.keys()].filter((p) => !p.includes(".")).length} functions`,
    "",
    ...table("", "jax"),
    "",
    `## Optax (\`optim\`): ${libCount("optim.")} functions (optimizers, gradient transformations, schedules)`,
    "",
    ...table("optim", "optax", undefined, undefined, LIBRARY_SIGNATURES),
    "",
    `## Optax losses (\`losses\`, also \`optim.losses\`): ${libCount("losses.")} functions`,
    "",
    ...table("losses", "optax.losses", undefined, undefined, LIBRARY_SIGNATURES),
    "",
    `## jax.tree (\`tree\`): ${libCount("tree.")} functions`,
    "",
    ...table("tree", "jax.tree", undefined, undefined, LIBRARY_SIGNATURES),
    "",
  ];
  return md.join("\n");
}

const NUMPY_MISSING = [
  "bitwise_count", "packbits", "unpackbits", "i0", "polyfit", "polydiv", "roots", "histogram2d", "histogramdd", "einsum_path",
  "linalg.eig", "linalg.eigvals",
  "mgrid", "ogrid", "r_", "c_", "save", "load", "frompyfunc", "fromstring", "fromiter", "from_dlpack", "sort_complex",
  "complex dtypes (complex64/128)", "int64/uint16/uint64 dtypes", "ufunc objects (add.reduce, ...)",
  "bartlett", "blackman", "hamming", "hanning", "kaiser", "round_", "array_repr", "array_str", "printoptions", "isnat",
  "get_printoptions", "unique's return_index / return_inverse / return_counts / axis (use uniqueAll, uniqueInverse, uniqueCounts)",
  "`out=`, `where=`, `initial=` of the reductions",
];

const text = render();
if (process.argv.includes("--check")) {
  const current = readFileSync(out, "utf8");
  if (current !== text) { console.error("docs/api-coverage.md is stale: run npx tsx scripts/api-coverage.ts"); process.exit(1); }
  console.log("docs/api-coverage.md is up to date");
} else {
  writeFileSync(out, text);
  console.log(`wrote ${out} (${SIGNATURES.size} declared functions, ${LIBRARY_SIGNATURES.size} in the library layers)`);
}
