import assert from "node:assert/strict";
import { np, type DeviceArray } from "./engine.js";
import { decodeArray, decodeNum, resolve, type EncOut, type OpCase } from "./fixtures.js";
import { assertArrayMatches, assertClose } from "./allclose.js";

/** Fixture args that are functions in TS: fromfunction's body. */
const FUNCTION_ARGS: Record<string, (...a: DeviceArray[]) => DeviceArray> = { "i+j": (i, j) => np.add(i!, np.multiply(j!, 2)) };

export function callCase(root: Record<string, any>, c: OpCase): unknown {
  const f = resolve(root, c.fn);
  const args = c.args.map((a) => ("array" in a ? decodeArray(a.array) : typeof a.value === "string" && a.value in FUNCTION_ARGS ? FUNCTION_ARGS[a.value] : a.value));
  if (c.fn === "choose") return f(args[0], args.slice(1).filter((a) => !(a && typeof a === "object" && "mode" in (a as object))), ...args.slice(1).filter((a) => a && typeof a === "object" && "mode" in (a as object)));
  if (["concatenate", "stack", "vstack", "hstack", "dstack", "columnStack", "rowStack", "concat", "lexsort", "linalg.multiDot"].includes(c.fn)) {
    return c.id.endsWith("axisnull") ? f(args, null) : c.id.endsWith("axis-1") ? f(args, -1) : f(args);
  }
  if (c.fn === "ravelMultiIndex") return f(args[0], args[1], ...(args[2] ? [args[2]] : []));
  return c.opts !== undefined ? f(...args, c.opts) : f(...args);
}

export function compareOut(actual: unknown, expected: EncOut, what: string, tol: { rtol?: number; atol?: number }) {
  if ("array" in expected) {
    if (typeof actual === "number" || typeof actual === "boolean") {
      assertClose([Number(actual)], expected.array.data.map(decodeNum), { rtol: 0, atol: 0 }, what);
      return;
    }
    assertArrayMatches(actual as DeviceArray, expected.array, what, tol);
  } else if ("list" in expected) {
    const list = Array.isArray(actual) ? actual : [actual];
    assert.equal(list.length, expected.list.length, `${what}: number of outputs`);
    expected.list.forEach((e, i) => compareOut(list[i], e, `${what}[${i}]`, tol));
  } else if ("dict" in expected) {
    for (const [k, e] of Object.entries(expected.dict)) compareOut((actual as Record<string, unknown>)[k], e, `${what}.${k}`, tol);
  } else if (typeof expected.value === "number") {
    const v = typeof actual === "object" && actual !== null ? (actual as DeviceArray).item() : Number(actual);
    // Python floats from numpy's tables (finfo) are rounded to their dtype; integers are exact.
    assertClose([v], [expected.value], { rtol: Number.isInteger(expected.value) ? 0 : 1e-3, atol: 0 }, what);
  } else {
    const v = typeof actual === "object" && actual !== null ? Boolean((actual as DeviceArray).item()) : actual;
    assert.equal(v, expected.value, what);
  }
}

