import { describe, it, before } from "node:test";
import { np, nn, setDefaultBackend } from "./helpers/engine.js";
import { backends } from "./helpers/backends.js";
import { loadFixture, type OpCase } from "./helpers/fixtures.js";
import { callCase, compareOut } from "./helpers/op-cases.js";

/** jax.nn functions against PyTorch's forward results (gradients: numpy-grads.test.ts). */
const cases = loadFixture<OpCase[]>("nn-functions.json");
for (const backend of backends()) {
  describe(`nn functions vs torch [${backend}]`, () => {
    before(() => setDefaultBackend(backend));
    for (const c of cases) it(c.id, () => compareOut(callCase({ ...np, nn }, c), c.out, c.id, { rtol: c.rtol ?? 1e-5, atol: c.atol ?? 1e-6 }));
  });
}
