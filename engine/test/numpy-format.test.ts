import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadFixture, decodeArray, type PrintCase } from "./helpers/fixtures.js";

/** DeviceArray printing against numpy's repr rules for the same values (fixtures from gen_fixtures.py). */
const cases = loadFixture<PrintCase[]>("format.json");
describe("printing matches numpy's repr", () => {
  for (const c of cases) {
    const t = () => assert.equal(String(decodeArray(c.array)), c.repr);
    it(c.id, t);
  }
});
