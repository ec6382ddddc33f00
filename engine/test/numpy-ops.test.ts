import { describe, it, before } from "node:test";
import { np, nn, setDefaultBackend } from "./helpers/engine.js";
import { callCase, compareOut } from "./helpers/op-cases.js";
import { backends } from "./helpers/backends.js";
import { loadFixture, type OpCase } from "./helpers/fixtures.js";

/** Every numpy function against numpy's own outputs (fixtures from scripts/gen_fixtures.py). */
const cases = loadFixture<OpCase[]>("numpy-ops.json");

for (const backend of backends()) {
  describe(`numpy ops vs numpy [${backend}]`, () => {
    before(() => setDefaultBackend(backend));
    for (const c of cases) {
      it(c.id, () => {
        const out = callCase({ ...np, nn }, c);
        compareOut(out, c.out, c.id, { rtol: c.rtol, atol: c.atol });
      });
    }
  });
}
