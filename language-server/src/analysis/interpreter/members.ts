/**
 * Property reads by kind of value: an engine namespace's member is a longer engine path
 * (`np.linalg.norm`), an array's property its shape/dtype/ndim or a method, a module's its
 * fields and methods, a list's `length` or a list method.
 */
import type { Interpreter } from "../interpreter.js";
import { num, unknown, type Value } from "../values.js";
import { arrayProperty } from "../engineApi.js";
import { moduleAttribute } from "../modules.js";
import { moduleMethod } from "./classes.js";

export function member(it: Interpreter, obj: Value, name: string): Value {
  switch (obj.kind) {
    case "engine":
      if (obj.path === "array.at" || obj.path === "$at") return { kind: "engine", path: `$at.${name}`, self: obj.self, bound: obj.bound };
      return { kind: "engine", path: obj.path === "" ? name : `${obj.path}.${name}`, self: obj.self };
    case "array":
      return arrayProperty(obj, name, it.frame.jit) ?? { kind: "engine", path: `array.${name}`, self: obj };
    case "module":
      if (name === "init" || name === "apply" || (name === "call" && !obj.cls)) return { kind: "engine", path: `$module.${name}`, self: obj };
      return moduleAttribute(obj, name) ?? moduleMethod(it, obj, name) ?? unknown;
    case "object":
      return obj.fields.get(name) ?? unknown;
    case "list":
      if (name === "length") return num(obj.items.length);
      return { kind: "engine", path: `$list.${name}`, self: obj };
    case "seq":
      if (name === "length") return num();
      return { kind: "engine", path: `$list.${name}`, self: obj };
    default:
      // Functions (f.call, f.bind...) and everything else: not followed.
      return unknown;
  }
}
