import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { loadFixture, decodeArray, type PrintCase } from "./helpers/fixtures.js";

/** DeviceArray printing against numpy's repr rules for the same values (fixtures from gen_fixtures.py). */
const cases = loadFixture<PrintCase[]>("format.json");
/**
 * Known differences, still to fix in format.ts: numpy wraps rows against the full line width
 * including ", dtype=..." and moves the dtype to its own line; format.ts wraps a few elements
 * early and always keeps the dtype inline. These run as todo (reported, not failing the suite).
 */
const KNOWN = new Set<string>([]);
describe("printing matches numpy's repr", () => {
  for (const c of cases) {
    const t = () => assert.equal(String(decodeArray(c.array)), c.repr);
    if (KNOWN.has(c.id)) it.todo(c.id, t); else it(c.id, t);
  }
});
